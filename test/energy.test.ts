import { describe, expect, it } from 'vitest';
import { paperTraceGraph, wmmsePaperMultiplications, zfPaperMultiplications } from '../baselines/paper-traces.ts';
import { graphCounts } from '../nets/counts.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { layerIndexOf } from '../nets/layers.ts';
import { mainMemoryOf, priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025, PRESETS, accessEnergies, macEnergy, presetByName } from '../sim/presets.ts';
import { accessEnergyCache, compileCounts, priceCompiled } from '../sim/sweep.ts';
import { priceSeed000Space } from '../studies/start.ts';
import { bitConfigs } from '../search/space.ts';
import { published } from './reference.ts';

const uJ = (graph: Parameters<typeof priceGraph>[0], preset = KASALAEE_2025) => priceGraph(graph, preset).energy.total / 1e6;
const precoder = (q: number) => buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [q, q, q, q] });

describe('kasalaee2025 against seed 000 (published.json)', () => {
  const paper = published.kasalaee_precoder;

  it('uses the paper’s constants', () => {
    expect(KASALAEE_2025.mac.alpha_pJ).toBe(paper.energy_model.alpha_pJ);
    expect(KASALAEE_2025.mac.beta).toBe(paper.energy_model.beta);
    const e = accessEnergies(KASALAEE_2025, { weightBits: 16, activationBits: 16 });
    expect(e.weightMain / e.mac).toBeCloseTo(paper.energy_model.E_M_over_E_MAC, 12);
    expect(e.weightLocal / e.mac).toBeCloseTo(paper.energy_model.E_L_over_E_MAC, 12);
    expect(e.p).toBe(paper.energy_model.p_at_16_bits);
    expect(accessEnergies(KASALAEE_2025, { weightBits: 8, activationBits: 8 }).p).toBe(32);
    expect(macEnergy(KASALAEE_2025, 8)).toBeCloseTo(0.86 * 0.5 ** 1.9, 12);
  });

  it('Table II rows: 16-bit within 10%, 8-bit within 15%, every row within 10% under one convention', () => {
    const rows = paper.table2_uniform_bits as { bits: number[]; energy_uJ: number }[];
    const error = (row: { bits: number[]; energy_uJ: number }) => Math.abs(uJ(precoder(row.bits[0])) - row.energy_uJ) / row.energy_uJ;
    expect(error(rows[0])).toBeLessThan(0.1);
    expect(error(rows[1])).toBeLessThan(0.15);
    for (const row of rows) expect(error(row)).toBeLessThan(0.1);
  });

  it('Table I baselines: ZF within 5% of 0.008 µJ, WMMSE (I = 92.8) within 15% of 296 µJ', () => {
    const [wmmse, , zf] = paper.table1;
    expect(Math.abs(uJ(paperTraceGraph({ algorithm: 'zf', nt: 64, nu: 4 })) - zf.energy_uJ) / zf.energy_uJ).toBeLessThan(0.05);
    const w = uJ(paperTraceGraph({ algorithm: 'wmmse', nt: 64, nu: 4, iterations: wmmse.iterations }));
    expect(Math.abs(w - wmmse.energy_uJ) / wmmse.energy_uJ).toBeLessThan(0.15);
  });

  it('the 16-bit default equals eq. (7)–(11) worked by hand on its counts', () => {
    const graph = precoder(16);
    const c = graphCounts(graph);
    const weightedMacs = c.macs - 512; // the power normalisation's Σx² has no weight operand
    const eMac = 0.86;
    const expected = eMac * (c.macs + c.elementwise) + 2 * eMac * c.weights + (eMac * weightedMacs) / 8 + 2 * 2 * eMac * c.activations + (eMac * c.macs) / 8;
    expect(priceGraph(graph, KASALAEE_2025).energy.total).toBeCloseTo(expected, 3);
  });

  it('eq. (12)–(14) for the baselines: E_B = E_MAC·N_c + E_L·N_c/√p at 16 bits', () => {
    expect(zfPaperMultiplications(64, 4)).toBeCloseTo(8 * 16 * 64 + (8 / 3) * 64, 9);
    expect(wmmsePaperMultiplications(64, 4, 1)).toBeCloseTo((8 / 3) * 64 ** 3 * 4 + 4 * 64 ** 2 * 4 + 4 * 64 * (64 + 8) + 64 + (56 / 3) * 4, 6);
    const nc = wmmsePaperMultiplications(64, 4, 10);
    expect(priceGraph(paperTraceGraph({ algorithm: 'wmmse', nt: 64, nu: 4, iterations: 10 }), KASALAEE_2025).energy.total).toBeCloseTo(0.86 * nc * (1 + 1 / 8), 3);
  });
});

describe('sweeps', () => {
  it('the compiled sweep agrees with priceGraph on every preset and p', () => {
    for (const preset of PRESETS) {
      for (const p of [undefined, 16]) {
        const graph = buildPrecoder({ cout: 16, dfcl: 512, nt: 32, nu: 4, bits: [16, 16, 16, 16] });
        const compiled = compileCounts(graph);
        const cache = accessEnergyCache(preset, p);
        for (const bits of bitConfigs().filter((_, i) => i % 37 === 0)) {
          const direct = priceGraph(buildPrecoder({ cout: 16, dfcl: 512, nt: 32, nu: 4, bits }), preset, { p }).energy;
          const swept = priceCompiled(compiled, (i) => ({ weightBits: bits[layerIndexOf(graph)[i]], activationBits: 16 }), cache, mainMemoryOf(preset));
          expect(swept.total).toBeCloseTo(direct.total, 6);
          expect(swept.weight).toBeCloseTo(direct.weight, 6);
        }
      }
    }
  });

  it('prices all 2048 seed-000 points, monotone under uniform bit increases', () => {
    const points = priceSeed000Space();
    expect(points).toHaveLength(2048);
    const at = (cout: number, q: number) => points.find((p) => p.config.cout === cout && p.config.dfcl === 1024 && p.config.bits.every((b) => b === q))!.energy_uJ;
    for (const cout of [8, 64]) expect(at(cout, 2)).toBeLessThan(at(cout, 4));
    expect(at(64, 16)).toBeCloseTo(uJ(precoder(16)), 9);
  });

  it('an unknown preset is a clear error', () => {
    expect(() => presetByName('nope')).toThrow(/preset: got "nope"; allowed: kasalaee2025, /);
  });
});
