/**
 * The feedback-link study as the report reads it: Pareto fronts (against a brute-force check),
 * codecs against the best codebook row at no more bits (paired), and the families.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedDifference } from '../core/stats.ts';
import { paretoFrontMin } from '../search/pareto.ts';
import { bitsFront, codecsVsCodebook, energyFront, family, linkSummary } from '../studies/link-report.ts';
import type { LinkResult, LinkRow, RowScheme } from '../studies/link.ts';

const row = (feedback: string, scheme: RowScheme, bits: number | null, precoder: string, perSample: number[], ue: number | null, bs: number): LinkRow => {
  const mean = perSample.reduce((a, b) => a + b, 0) / perSample.length;
  return { feedback, scheme, bitsPerUser: bits, analogValues: null, fields: bits === null ? null : { gain: 6, rest: bits - 6 }, nmseDb: -5, precoder, sumRate: mean, ci95: 0.1, vsPerfectWmmse: { mean: -1, ci95: 0.1, verdict: 'lower' }, vsRzfEp: null, ue: ue === null ? null : { closedForm_uJ: ue, engine_uJ: ue, latency_us: 1 }, bs: { closedForm_uJ: bs, engine_uJ: bs, latency_us: 1 }, perSample };
};
const codec = (bits: number, q: 'trained' | 'ptq' = 'trained'): RowScheme => ({ kind: 'codec', checkpoint: `csinet-q${bits}`, graph: 'csinet(cr=4,side=8)', quantizer: q, codewordBits: bits, snrDb: null });

describe('the link study in the report', () => {
  const rows = [
    row('perfect CSI', { kind: 'perfect' }, null, 'rzf-ep', [20, 21, 19], null, 0.01),
    row('dft:70', { kind: 'dft' }, 70, 'rzf-ep', [15, 16, 14], 0.39, 0.01),
    row('dft:134', { kind: 'dft' }, 130, 'rzf-ep', [17, 18, 16], 0.39, 0.01),
    row('codec q4', codec(4), 134, 'rzf-ep', [16, 17.5, 15.5], 0.13, 1.05),
    row('codec q8', codec(8), 262, 'rzf-ep', [18, 19, 17.1], 0.13, 1.05),
    row('scalar:134', { kind: 'scalar' }, 134, 'rzf-ep', [11, 12, 10], 0.001, 0.01),
  ];
  const result: LinkResult = { scenario: 's', samples: 3, users: 4, antennas: 64, perfectWmmse: { sumRate: 20.1, ci95: 0.5 }, ueHardware: 'ue', bsHardware: 'bs', rows };

  it('fronts: fewest bits for the most rate; least energy on either side for the most rate', () => {
    expect(bitsFront(rows).map((r) => r.feedback)).toEqual(['dft:70', 'dft:134', 'codec q8']);
    // scalar is cheapest on both sides; the DFT rows cost the user more but rate higher (dft:70 with fewer bits);
    // codec q4 is dominated by dft:134 (fewer bits, less BS energy, more rate) only if the UE side is ignored.
    expect(energyFront(rows).map((r) => r.feedback)).toEqual(['dft:70', 'dft:134', 'codec q4', 'codec q8', 'scalar:134']);
  });

  it('each codec meets the best codebook row with no more bits, paired on the same samples', () => {
    const c = codecsVsCodebook(result);
    expect(c.map((x) => [x.codec, x.dft])).toEqual([['codec q4', 'dft:134'], ['codec q8', 'dft:134']]);
    const d = pairedDifference(Float64Array.of(16, 17.5, 15.5), Float64Array.of(17, 18, 16));
    expect(c[0].codecMinusDft.mean).toBeCloseTo(d.mean, 12);
    expect(c[0].codecMinusDft.ci95).toBeCloseTo(d.halfWidth, 12);
    const s = linkSummary([{ name: 's', result }])!;
    expect(s.codecBeatsCodebook).toEqual(c.filter((x) => x.codecMinusDft.verdict === 'higher').map((x) => `${x.codec} + rzf-ep`));
    expect(s.bestCodecVsCodebook!.codec).toBe('codec q8');
    expect(family(rows[3])).toBe('csinet (trained to its bits)');
    expect(family(row('x', codec(4, 'ptq'), 134, 'rzf-ep', [1], 1, 1))).toBe('csinet (quantized after training)');
  });

  it('paretoFrontMin agrees with the definition on random points', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { maxLength: 25 }), (pts) => {
        const front = new Set(paretoFrontMin(pts, (p) => p));
        for (const p of pts) {
          const beaten = pts.some((q) => q.every((x, i) => x <= p[i]) && q.some((x, i) => x < p[i]));
          expect(front.has(p)).toBe(!beaten);
        }
      }),
    );
  });
});
