import { describe, expect, it } from 'vitest';
import { graphCounts } from '../nets/counts.ts';
import { buildCsiNet, codewordLength, sideOf, COMPRESSION_RATIOS } from '../nets/csi.ts';
import { inferenceMemory } from '../nets/memory.ts';
import { priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { codesign } from './cli-helpers.ts';
import { published } from './reference.ts';

const ref = published.csi_codecs;

describe('CSI codec graphs against published.json (counting rule stated there)', () => {
  it.each(COMPRESSION_RATIOS.flatMap((cr) => [['CsiNet', 'csinet', cr], ['CRNet', 'crnet', cr]] as const))('%s CR=%i: params exact, MACs to the published 2 decimals', (name, net, cr) => {
    const c = graphCounts(buildCsiNet({ net, cr }));
    expect(c.weights).toBe(ref.params[name][String(cr)]);
    expect(Math.round(c.macs / 1e4) / 100).toBe(ref.macs_millions[name][String(cr)]);
  });

  it('codewords are 2048/CR long; CLLWCsiNet’s is 64/CR × 1 × 32', () => {
    for (const cr of COMPRESSION_RATIOS) {
      expect(codewordLength(buildCsiNet({ net: 'csinet', cr }))).toBe(2048 / cr);
      expect(codewordLength(buildCsiNet({ net: 'cllwcsinet', cr }))).toBe((64 / cr) * 32);
    }
  });

  it('encoder and decoder partition the ops; their energies add up to the whole', () => {
    const g = buildCsiNet({ net: 'crnet', cr: 8 });
    const enc = sideOf(g, 'encoder');
    const dec = sideOf(g, 'decoder');
    expect(enc.ops.length + dec.ops.length).toBe(g.ops.length);
    const total = priceGraph(g, KASALAEE_2025).energy.total;
    expect(priceGraph(enc, KASALAEE_2025).energy.total + priceGraph(dec, KASALAEE_2025).energy.total).toBeCloseTo(total, 6);
  });

  it('variants: binarised FC weights cost 1 bit; q8 prices every op at 8/8 bits', () => {
    const bfc = buildCsiNet({ net: 'csinet', cr: 4, variant: 'bfc' });
    expect(bfc.ops.find((op) => op.name === 'enc.fc')!.precision.weightBits).toBe(1);
    expect(inferenceMemory(bfc).weightBits).toBeLessThan(inferenceMemory(buildCsiNet({ net: 'csinet', cr: 4 })).weightBits / 10);
    const q8 = buildCsiNet({ net: 'crnet', cr: 4, variant: 'q8' });
    expect(q8.ops.every((op) => op.precision.weightBits === 8 && op.precision.activationBits === 8)).toBe(true);
  });

  it('inference memory = weights × bits + the peak of live activations', () => {
    const m = inferenceMemory(buildCsiNet({ net: 'csinet', cr: 4 }));
    expect(m.weightBits).toBe(2103116 * 16);
    // The RefineNet block holds its input (2 ch) beside its 16-channel intermediate: ≥ 18 × 32 × 32 values.
    expect(m.peakActivationBits).toBeGreaterThanOrEqual(18 * 1024 * 16);
    expect(m.totalBytes).toBe((m.weightBits + m.peakActivationBits) / 8);
  });
});

describe('codesign energy|simulate --net crnet', () => {
  it('energy reports the UE encoder and BS decoder separately, with memory', () => {
    const r = codesign('energy', '--net', 'crnet', '--cr', '4', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sides.encoder.energy_uJ.total + doc.sides.decoder.energy_uJ.total).toBeCloseTo(doc.energy_uJ.total, 9);
    expect(doc.sides.encoder.macs + doc.sides.decoder.macs).toBe(ref.macs_millions.CRNet['4'] * 1e6 + 2048);
    expect(doc.memory.total_kB).toBeGreaterThan(0);
  });

  it('simulate runs one side', () => {
    const enc = JSON.parse(codesign('simulate', '--net', 'crnet', '--cr', '16', '--side', 'encoder', '--json').stdout);
    const dec = JSON.parse(codesign('simulate', '--net', 'crnet', '--cr', '16', '--side', 'decoder', '--json').stdout);
    expect(enc.ops.every((o: { name: string }) => o.name.startsWith('enc.'))).toBe(true);
    expect(dec.ops.every((o: { name: string }) => o.name.startsWith('dec.'))).toBe(true);
    expect(enc.cycles).toBeGreaterThan(0);
    expect(dec.energy_uJ.total).toBeGreaterThan(enc.energy_uJ.total);
  });

  it('a bad CR or side is one clear line, exit 2', () => {
    const r = codesign('energy', '--net', 'csinet', '--cr', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cr: got 5; allowed for csinet: 4, 8, 16, 32, 64/);
  });
});
