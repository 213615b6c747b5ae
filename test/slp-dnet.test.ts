import { describe, expect, it } from 'vitest';
import { graphCounts } from '../nets/counts.ts';
import { buildSlpDnet, logBarrierOps, SLP_VARIANTS } from '../nets/slp.ts';
import { impliedQr, slpAccounting, tableIOps } from '../nets/slp-accounting.ts';
import { priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { published } from './reference.ts';

const TABLE_V: Record<string, number> = published.mohammad_slp.table5_inference_memory_MB;
const printedSaving = (row: string) => TABLE_V['SLP-DNet'] / TABLE_V[row];
const SIZES = [
  [4, 4],
  [8, 4],
  [4, 2],
  [16, 8],
] as const;

describe('SLP-DNet graph (seed 002 Tables III–IV)', () => {
  it.each(SIZES)('M=%i K=%i: MACs are 6 barrier nets × 400K²M + APM 2304K²M + 432KM + the log barrier', (m, k) => {
    const macs = graphCounts(buildSlpDnet({ m, k })).macs;
    expect(macs).toBe(6 * 400 * k * k * m + 2304 * k * k * m + 432 * k * m + logBarrierOps(m, k));
  });

  it.each(SIZES)('M=%i K=%i: Table I counts one barrier net; the rest differs by exactly 4KM + 2K', (m, k) => {
    // One PUM block with one component is not a layout we build, so subtract five barrier nets.
    const oneBarrier = graphCounts(buildSlpDnet({ m, k })).macs - 5 * 400 * k * k * m;
    expect(oneBarrier - tableIOps('dnet', m, k)).toBe(4 * k * m + 2 * k);
  });

  it('the stochastic variants split rows but keep every product and parameter', () => {
    const full = graphCounts(buildSlpDnet({ m: 4, k: 4 }));
    for (const variant of ['dsqbnet', 'dsqtnet'] as const) {
      for (const qr of [0, 0.3, 0.5, 1]) {
        const c = graphCounts(buildSlpDnet({ m: 4, k: 4, variant, qr }));
        expect([c.macs, c.weights]).toEqual([full.macs, full.weights]);
      }
    }
  });

  it('memory falls monotonically with QR, from SLP-DNet (QR 0) to the fully quantized net (QR 1)', () => {
    const mb = (variant: 'dsqbnet' | 'dbnet' | 'dnet', qr = 0.5) => slpAccounting(buildSlpDnet({ m: 4, k: 4, variant, qr })).inferenceMemory_MB;
    const sweep = [0, 0.25, 0.5, 0.75, 1].map((qr) => mb('dsqbnet', qr));
    for (let i = 1; i < sweep.length; i++) expect(sweep[i]).toBeLessThan(sweep[i - 1]);
    expect(sweep[0]).toBeCloseTo(mb('dnet'), 12);
    expect(sweep[4]).toBeCloseTo(mb('dbnet'), 12);
  });
});

describe('Table V under the paper’s memory rule (32 bits per float, 1 per binary, 2 per ternary weight)', () => {
  const acc = Object.fromEntries(SLP_VARIANTS.map((v) => [v, slpAccounting(buildSlpDnet({ m: 4, k: 4, variant: v }))]));
  const saving = (v: string) => acc.dnet.memoryBits / acc[v].memoryBits;

  it('the binary and ternary savings come within 10% of 21.33× and 13× from the graph alone', () => {
    expect(Math.abs(saving('dbnet') / printedSaving('SLP-DBNet') - 1)).toBeLessThan(0.1);
    expect(Math.abs(saving('dtnet') / printedSaving('SLP-DTNet') - 1)).toBeLessThan(0.1);
  });

  it('the stochastic rows cannot both be met by any QR: the documented gap (docs/slp.md)', () => {
    // With the same QR, DSQTNet stores at most one bit more per quantized weight than DSQBNet,
    // but the printed 3.46× and 2.64× need far more. Sweep QR and show no value fits both.
    let both = 0;
    for (let i = 0; i <= 1000; i++) {
      const qr = i / 1000;
      const sb = acc.dnet.memoryBits / slpAccounting(buildSlpDnet({ m: 4, k: 4, variant: 'dsqbnet', qr })).memoryBits;
      const st = acc.dnet.memoryBits / slpAccounting(buildSlpDnet({ m: 4, k: 4, variant: 'dsqtnet', qr })).memoryBits;
      if (Math.abs(sb / printedSaving('SLP-DSQBNet') - 1) < 0.1 && Math.abs(st / printedSaving('SLP-DSQTNet') - 1) < 0.1) both++;
    }
    expect(both).toBe(0);
    // Each printed row alone implies a QR well above the stated 0.5, and a different one.
    const qrB = impliedQr(acc.dbnet, 1, printedSaving('SLP-DSQBNet'));
    const qrT = impliedQr(acc.dtnet, 2, printedSaving('SLP-DSQTNet'));
    expect(qrB).toBeGreaterThan(0.7);
    expect(qrB).toBeLessThan(0.8);
    expect(qrT).toBeGreaterThan(0.6);
    expect(qrT).toBeLessThan(0.7);
  });

  it('quantization lowers energy on kasalaee2025 in the order of the weight bits', () => {
    const e = (variant: (typeof SLP_VARIANTS)[number]) => priceGraph(buildSlpDnet({ m: 4, k: 4, variant }), KASALAEE_2025).energy.total;
    expect(e('dbnet')).toBeLessThan(e('dtnet'));
    expect(e('dtnet')).toBeLessThan(e('dsqtnet'));
    expect(e('dsqbnet')).toBeLessThan(e('dsqtnet'));
    expect(e('dsqtnet')).toBeLessThan(e('dnet'));
  });
});
