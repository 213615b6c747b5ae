/**
 * Seed 000's published energy figures (reference/published.json, Tables I–II) next to
 * ours, under one preset for all rows — the numbers docs/reproduction.md quotes.
 */
import { paperTraceGraph } from '../baselines/paper-traces.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { priceGraph } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { microjoules, toMicrojoules, type EnergyJson } from '../sim/report.ts';

export const KASALAEE_TABLE2 = [
  { bits: [16, 16, 16, 16], energy_uJ: 54.5, sumRate: 18.9 },
  { bits: [8, 8, 8, 8], energy_uJ: 17.5, sumRate: 18.6 },
  { bits: [4, 4, 4, 4], energy_uJ: 7.4, sumRate: 17.8 },
  { bits: [2, 2, 2, 2], energy_uJ: 4.6, sumRate: 17.1 },
] as const;

export const KASALAEE_TABLE1_BASELINES = [
  { algorithm: 'wmmse', iterations: 92.8, energy_uJ: 296 },
  { algorithm: 'zf', iterations: undefined, energy_uJ: 0.008 },
] as const;

export interface ReproductionRow {
  readonly row: string;
  readonly paper_uJ: number;
  readonly ours_uJ: number;
  readonly relativeError: number;
  readonly terms_uJ: EnergyJson;
}

export function reproduceSeed000(preset: HardwarePreset): ReproductionRow[] {
  const row = (name: string, paper: number, energy: ReturnType<typeof priceGraph>['energy']): ReproductionRow => ({
    row: name,
    paper_uJ: paper,
    ours_uJ: microjoules(energy.total),
    relativeError: (microjoules(energy.total) - paper) / paper,
    terms_uJ: toMicrojoules(energy),
  });
  const dnn = KASALAEE_TABLE2.map((r) =>
    row(
      `DNN 64/1024 [${r.bits.join(',')}]`,
      r.energy_uJ,
      priceGraph(buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: r.bits }), preset).energy,
    ),
  );
  const baselines = KASALAEE_TABLE1_BASELINES.map((b) =>
    row(
      b.algorithm === 'zf' ? 'ZF' : `WMMSE (I = ${b.iterations})`,
      b.energy_uJ,
      priceGraph(paperTraceGraph({ algorithm: b.algorithm, nt: 64, nu: 4, iterations: b.iterations }), preset).energy,
    ),
  );
  return [...dnn, ...baselines];
}
