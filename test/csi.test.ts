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
