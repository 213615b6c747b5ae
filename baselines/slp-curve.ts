/**
 * Transmit power vs SINR target (seed 002 Fig. 5) on one set of channels and QPSK symbols, σ² = 1:
 * the SLP optimiser of eq. (2), the least-power block-level precoder, zero-forcing to the
 * constructive regions' apexes, and any learned precoders given their unit-margin powers.
 *
 * SLP is homogeneous in the margin √(Γσ²): the optimiser's and a learned precoder's power at Γ is
 * Γσ² times the unit-margin power (a test checks the optimiser); block-level precoding is not
 * (its SINR counts interference), so it is solved at every target.
 */
import { powerMinimizingPrecoder } from './blp.ts';
import { solveSlp, type SlpSolution } from './slp.ts';
import { apexPower, QPSK_ORDER, type SlpSamples } from './slp-samples.ts';

export interface PowerCurveRow {
  readonly sinr_dB: number;
  /** Mean transmit power in dB (10·log₁₀ of the mean over samples) per method. */
  readonly power_dB: Readonly<Record<string, number>>;
  /** Median transmit power in dB per method: the mean is ruled by a few ill-conditioned channels. */
  readonly median_dB: Readonly<Record<string, number>>;
}

export interface PowerCurve {
  readonly samples: number;
  readonly rows: readonly PowerCurveRow[];
  /** Unit-margin powers per sample (the SLP methods), for checks. */
  readonly unitPowers: Readonly<Record<string, Float64Array>>;
  /** Median unit-margin power (dB) per SLP method. */
  readonly unitMedian_dB: Readonly<Record<string, number>>;
}

/** Median in dB (an infeasible sample, Infinity, counts as the largest). */
function medianDb(values: ArrayLike<number>, scale = 1): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return 10 * Math.log10(scale * (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2));
}

/** 10·log₁₀ of the mean of the finite values (a learned precoder's infeasible samples are Infinity). */
function meanDb(values: ArrayLike<number>, scale = 1): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  }
  return 10 * Math.log10((scale * s) / n);
}

/** The optimiser's solution per sample at unit margin (Γσ² = 1); `solved` is told after each (progress). */
export function optimalSolutions(d: SlpSamples, solved: () => void = () => {}): SlpSolution[] {
  const one = new Float64Array(d.k).fill(1);
  return d.channels.map((H, i) => {
    const solution = solveSlp({ H, phases: d.phases[i], sinr: one, noiseVar: 1, order: QPSK_ORDER });
    solved();
    return solution;
  });
}

/** The optimiser's least power per sample at unit margin. */
export function optimalUnitPowers(d: SlpSamples): Float64Array {
  return Float64Array.from(optimalSolutions(d), (s) => s.power);
}

/** `optimal`: the optimiser's unit-margin powers when the caller has solved already. */
export function powerCurve(d: SlpSamples, sinrDb: readonly number[], learned: Readonly<Record<string, Float64Array>> = {}, optimal?: Float64Array): PowerCurve {
  const unitPowers: Record<string, Float64Array> = {
    'SLP optimiser': optimal ?? optimalUnitPowers(d),
    'ZF to the apex': Float64Array.from({ length: d.count }, (_, i) => apexPower(d, i)),
    ...learned,
  };
  const rows = sinrDb.map((db) => {
    const gamma = 10 ** (db / 10);
    const sinr = new Float64Array(d.k).fill(gamma);
    const blp = Float64Array.from(d.channels, (H) => powerMinimizingPrecoder(H, sinr, 1).totalPower);
    const power_dB: Record<string, number> = { 'block-level (optimal linear)': meanDb(blp) };
    const median_dB: Record<string, number> = { 'block-level (optimal linear)': medianDb(blp) };
    for (const [name, unit] of Object.entries(unitPowers)) {
      power_dB[name] = meanDb(unit, gamma);
      median_dB[name] = medianDb(unit, gamma);
    }
    return { sinr_dB: db, power_dB, median_dB };
  });
  const unitMedian_dB = Object.fromEntries(Object.entries(unitPowers).map(([name, unit]) => [name, medianDb(unit)]));
  return { samples: d.count, rows, unitPowers, unitMedian_dB };
}
