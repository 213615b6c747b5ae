/** What a scenario's data look like: SNR, LOS share, user correlation, conditioning, baseline rates. */
import { gram, hermitianEig } from '../linalg/complex.ts';
import { CLASSICAL_WMMSE_CAP, type BaselineSummary } from '../baselines/run.ts';
import type { Progress } from '../core/progress.ts';
import { classicalSetWithProgress } from './classical-energy.ts';
import { channelOf, eligiblePositions, loadDataset, splitPositions, SPLITS, type LoadOptions, type MimoDataset } from '../scenarios/dataset.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { physicalSnrDb } from '../scenarios/site.ts';

export interface Spread {
  readonly mean: number;
  readonly std: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

export function spread(values: readonly number[]): Spread {
  const v = values.filter(Number.isFinite).slice().sort((a, b) => a - b);
  if (v.length === 0) return { mean: NaN, std: NaN, p10: NaN, p50: NaN, p90: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  return { mean, std, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

export interface DescribeOptions extends LoadOptions {
  /** Test samples the baselines are run on (they dominate the time). */
  readonly baselineSamples?: number;
  readonly wmmseTol?: number;
  readonly wmmseRule?: 'abs' | 'rel';
  readonly progress?: Progress;
}

export function describeScenario(s: Scenario, options: DescribeOptions = {}) {
  const head = { name: s.name, model: s.model, description: s.description, split: s.split };
  const test = loadDataset(s, 'test', options);
  if (test.kind === 'csi') {
    const size = test.rows * test.cols;
    const firstRows = Math.min(8, test.rows) * test.cols;
    let early = 0;
    let total = 0;
    let deviation = 0;
    for (let i = 0; i < test.count; i++) {
      for (let part = 0; part < 2; part++) {
        const base = i * 2 * size + part * size;
        for (let j = 0; j < size; j++) {
          const d = test.data[base + j] - 0.5;
          total += d * d;
          if (j < firstRows) early += d * d;
          deviation += Math.abs(d);
        }
      }
    }
    return {
      ...head,
      shape: [2, test.rows, test.cols],
      scaling: 'per sample: x = 0.5 + H/(2·max |Re|,|Im|)',
      energyInFirst8DelayRows: early / total,
      meanAbsDeviationFromHalf: deviation / (test.count * 2 * size),
    };
  }
  return { ...head, ...describeMimo(s, test, options) };
}

function describeMimo(s: Scenario, ds: MimoDataset, options: DescribeOptions) {
  const { nt, nu } = ds;
  const snr: number[] = [];
  const afterGain: number[] = [];
  const gainSpread: number[] = [];
  const corr: number[] = [];
  const cond: number[] = [];
  let los = 0;
  for (let i = 0; i < ds.count; i++) {
    const ch = channelOf(ds, i);
    const g = gram(ch.H);
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < nu; k++) {
      snr.push(10 * Math.log10((ds.power * g.re[k * nu + k]) / (nt * ds.noiseVar)));
      // Each user's 1/N_U share of the power beamformed to it alone (MRT, no interference).
      afterGain.push(10 * Math.log10((ds.power * g.re[k * nu + k]) / (nu * ds.noiseVar)));
      lo = Math.min(lo, g.re[k * nu + k]);
      hi = Math.max(hi, g.re[k * nu + k]);
      los += ds.los[i * nu + k];
      for (let j = k + 1; j < nu; j++) {
        corr.push(Math.hypot(g.re[k * nu + j], g.im[k * nu + j]) / Math.sqrt(g.re[k * nu + k] * g.re[j * nu + j]));
      }
    }
    gainSpread.push(10 * Math.log10(hi / Math.max(lo, 1e-300)));
    const { values } = hermitianEig(g);
    cond.push(10 * Math.log10(values[nu - 1] / Math.max(values[0], 1e-300)));
  }
  const n = Math.min(ds.count, options.baselineSamples ?? 200);
  const tol = options.wmmseTol ?? 1e-5;
  const channels = Array.from({ length: n }, (_, i) => channelOf(ds, i));
  // MRT, ZF, RZF, equal-power RZF, and WMMSE from the best start and from each start, all on the same n samples.
  const classical = classicalSetWithProgress(channels, s.model === 'cost2100' ? 0 : s.snrDb, { tolerances: [tol], maxIter: CLASSICAL_WMMSE_CAP, rule: options.wmmseRule ?? 'abs' }, options.progress);
  const site = s.model === 'site' ? describeSite(s) : undefined;
  return {
    nt,
    nu,
    snrDb: s.model === 'cost2100' ? undefined : s.snrDb,
    noiseVar: ds.noiseVar,
    perUserSnrDb: spread(snr),
    /** P·‖h_k‖²/(N_U·σ²): a user's SNR after the array gain with its 1/N_U share of the power (the paper's per-user reading). */
    perUserSnrAfterArrayGainDb: spread(afterGain),
    /** Within a sample, the strongest user's channel gain over the weakest's (dB). */
    userGainSpreadDb: spread(gainSpread),
    losFraction: los / (ds.count * nu),
    meanUserCorrelation: corr.length > 0 ? corr.reduce((a, b) => a + b, 0) / corr.length : 0,
    conditionNumberDb: spread(cond),
    classical,
    regime: regimeOf(classical),
    ...(site ? { site } : {}),
  };
}

/** How far the cheap answers are from WMMSE (best start) on these samples: where learning has room. */
function regimeOf(classical: readonly BaselineSummary[]) {
  const rate = (pick: (b: BaselineSummary) => boolean) => classical.find(pick)?.meanSumRate;
  const wmmse = rate((b) => b.algorithm === 'wmmse' && b.wmmse?.init === 'best');
  const zf = rate((b) => b.algorithm === 'zf');
  const eq = rate((b) => b.algorithm === 'rzf-ep');
  if (wmmse === undefined || zf === undefined || eq === undefined) return undefined;
  return { wmmseBestStart: wmmse, zfOverWmmse: zf / wmmse, equalPowerRzfOverWmmse: eq / wmmse };
}

function describeSite(s: Extract<Scenario, { model: 'site' }>) {
  const { indices, site } = eligiblePositions(s);
  let losPositions = 0;
  let noPath = 0;
  for (let k = 0; k < site.positions.length; k++) {
    losPositions += site.los[k];
    if (site.pathCounts[k] === 0) noPath++;
  }
  const paths = Array.from(indices, (k) => site.pathCounts[k]);
  return {
    buildings: site.buildings.length,
    positions: site.positions.length,
    losPositions,
    nlosPositions: site.positions.length - losPositions - noPath,
    noPathPositions: noPath,
    eligiblePositions: indices.length,
    holdout: s.holdout,
    positionsPerSplit: Object.fromEntries(SPLITS.map((split) => [split, splitPositions(s, split).length])),
    pathsPerUser: spread(paths),
    linkBudgetSnrDb: spread(Array.from(indices, (k) => physicalSnrDb(site, k))),
  };
}
