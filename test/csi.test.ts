import { describe, expect, it } from 'vitest';
import { graphCounts } from '../nets/counts.ts';
import { buildCsiNet, codewordLength, sideOf, COMPRESSION_RATIOS } from '../nets/csi.ts';
import { inferenceMemory } from '../nets/memory.ts';
import { priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
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

  it('the map’s side is a parameter: 2×8×8 maps (a site’s 8×8 UPA) give codewords of 128/CR, the dense layers scale with S⁴', () => {
    for (const cr of [4, 8, 16, 32]) {
      const g = buildCsiNet({ net: 'csinet', cr, side: 8 });
      expect(g.name).toBe(`csinet(cr=${cr},side=8)`);
      expect(codewordLength(g)).toBe(128 / cr);
      expect(codewordLength(buildCsiNet({ net: 'crnet', cr, side: 8 }))).toBe(128 / cr);
      // CsiNet's encoder dense layer: (2S²)²/CR weights, 16² = 256× fewer at S = 8 than at 32.
      const fc = (side: number) => graphCounts({ name: 'fc', ops: buildCsiNet({ net: 'csinet', cr, side }).ops.filter((op) => op.name === 'enc.fc') }).weights;
      expect((fc(32) - 2048 / cr) / (fc(8) - 128 / cr)).toBe(256);
    }
    // CLLWCsiNet: the map viewed as 16×1×8, latent 16 → 8 → 4 (CR 4) → 2 (CR 8) → 1 (CR 16).
    for (const cr of [4, 8, 16]) expect(codewordLength(buildCsiNet({ net: 'cllwcsinet', cr, side: 8 }))).toBe((16 / cr) * 8);
    expect(() => buildCsiNet({ net: 'cllwcsinet', cr: 32, side: 8 })).toThrow(/cr: got 32; allowed for cllwcsinet on a 2×8×8 map: 4, 8, 16/);
    expect(() => buildCsiNet({ net: 'csinet', cr: 4, side: 3 })).toThrow(/side: got 3; allowed: an integer 4…64/);
    // The published side keeps its names (checkpoints key on them).
    expect(buildCsiNet({ net: 'crnet', cr: 4, side: 32 }).name).toBe('crnet(cr=4)');
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
