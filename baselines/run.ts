/**
 * Runs a classical precoder over seeded channel samples and reports quality (sum rate,
 * iterations) and energy per solve under both accountings: `paper` (seed 000 eq. 12–13) and
 * `measured` (our implementation's counted operations).
 */
import { InputError } from '../core/errors.ts';
import { rng } from '../core/rng.ts';
import type { Graph } from '../nets/graph.ts';
import { checkChannel, noiseVarForSnrDb, rayleighH, type Channel } from '../scenarios/channel.ts';
import { newCounter, type OpCounter } from '../linalg/complex.ts';
import { meanCounters, measuredTraceGraph, type PhaseProduct } from './measured-traces.ts';
import { paperTraceGraph } from './paper-traces.ts';
import { linearPrecoder, sumRate, type LinearPrecoder } from './precoders.ts';
import { WMMSE_DEFAULTS, WMMSE_STARTS, wmmse, validateWmmseOptions, type Regulariser, type WmmseInit, type WmmseOptions } from './wmmse.ts';

export const ALGORITHMS = ['wmmse', 'zf', 'rzf', 'rzf-ep', 'mrt'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface SampleResult {
  readonly channel: Channel;
  readonly sumRate: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly counts: Readonly<Record<string, OpCounter>>;
}

export interface SolveResult {
  readonly sumRate: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Initial precoders run (WMMSE: 3 under init best), each counted. */
  readonly starts: number;
  readonly counts: Readonly<Record<string, OpCounter>>;
}

/** One solve on one channel, with its counted operations by phase. */
export function solve(algorithm: Algorithm, channel: Channel, options: WmmseOptions): SolveResult {
  if (algorithm === 'wmmse') {
    const r = wmmse(channel, options);
    return { sumRate: r.sumRate, iterations: r.iterations, converged: r.converged, starts: r.runs.length, counts: r.counts };
  }
  checkChannel(channel);
  const counter = newCounter();
  const v = linearPrecoder(algorithm as LinearPrecoder, channel, counter);
  return { sumRate: sumRate(channel, v).sumRate, iterations: 1, converged: true, starts: 1, counts: { [algorithm]: counter } };
}

export interface IterationStats {
  readonly mean: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly convergedFraction: number;
}

export interface BaselineRun {
  readonly algorithm: Algorithm;
  /** WMMSE's start (options.init, best by default). */
  readonly init: WmmseInit;
  readonly maxIter: number;
  readonly snrDb: number;
  readonly power: number;
  readonly noiseVar: number;
  readonly samples: readonly SampleResult[];
  readonly meanSumRate: number;
  readonly iterations: IterationStats;
  /** The paper's count at the measured mean iteration count; null where the paper has none (MRT). */
  readonly paperGraph: Graph | null;
  readonly measuredGraph: Graph;
}

export interface RayleighRunConfig {
  readonly algorithm: Algorithm;
  readonly nt: number;
  readonly nu: number;
  readonly snrDb: number;
  readonly samples: number;
  readonly seed: number;
  readonly wmmse: WmmseOptions;
}

/** i.i.d. Rayleigh samples, sample i drawn from the stream forked off the seed at i. */
/** Sizes of a classical run drawn here: antennas, users, and channels held in memory at once. */
export const BASELINE_LIMITS = { nt: 4096, nu: 256, samples: 100_000, bytes: 2 * 2 ** 30 } as const;

export function rayleighChannels(config: Pick<RayleighRunConfig, 'nt' | 'nu' | 'snrDb' | 'samples' | 'seed'>): Channel[] {
  for (const field of ['nt', 'nu', 'samples'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1 || value > BASELINE_LIMITS[field]) throw new InputError(field, value, `allowed: a positive integer ≤ ${BASELINE_LIMITS[field].toLocaleString('en-US')}`);
  }
  // Complex float64 channels, and about as much again for each solver's working matrices.
  const bytes = 2 * 16 * config.nt * config.nu * config.samples;
  if (bytes > BASELINE_LIMITS.bytes) throw new InputError('samples', config.samples, `allowed: channels that fit in 2 GB; ${config.samples} of ${config.nu}×${config.nt} would need ${(bytes / 2 ** 30).toFixed(1)} GB`);
  const noiseVar = noiseVarForSnrDb(config.snrDb);
  const root = rng(config.seed);
  return Array.from({ length: config.samples }, (_, i) => ({ H: rayleighH(config.nu, config.nt, root.fork(i)), power: 1, noiseVar }));
}

/** `solved` is told after each channel (progress). */
/**
 * The most arithmetic one solve may take, in multiply-adds (~1 min here): a run is reported per
 * solve (progress), so a single solve must not run for hours without a word.
 */
export const MAX_SOLVE_WORK = 1e10;

/** Worst-case multiply-adds of one solve: the N_T·N_U² products and N_U³ inverses, per iteration of each WMMSE start. */
export function solveWork(algorithm: Algorithm, nt: number, nu: number, options: WmmseOptions): number {
  const once = nt * nu * nu + nu * nu * nu;
  return algorithm === 'wmmse' ? ((options.init ?? 'best') === 'best' ? WMMSE_STARTS.length : 1) * options.maxIter * once : once;
}

export function runBaseline(algorithm: Algorithm, channels: readonly Channel[], options: WmmseOptions, snrDb: number, solved: () => void = () => {}): BaselineRun {
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) throw new InputError('algo', algorithm, `allowed: ${ALGORITHMS.join(', ')}`);
  if (channels.length === 0) throw new InputError('samples', 0, 'allowed: at least 1 sample');
  validateWmmseOptions(options);
  const [nu, nt] = [channels[0].H.rows, channels[0].H.cols];
  const work = solveWork(algorithm, nt, nu, options);
  if (work > MAX_SOLVE_WORK) {
    throw new InputError('nt', `${nt} antennas × ${nu} users`, `allowed: a solve of at most ${MAX_SOLVE_WORK.toExponential(0)} multiply-adds; ${LABELS[algorithm]} here may need ${work.toExponential(1)} (N_T·N_U² + N_U³ per iteration${algorithm === 'wmmse' ? `, × ${options.maxIter} iterations × ${(options.init ?? 'best') === 'best' ? WMMSE_STARTS.length : 1} start(s)` : ''}): fewer antennas or users${algorithm === 'wmmse' ? ', or a lower --max-iter' : ''}`);
  }
  const samples = channels.map((channel, i) => {
    checkChannel(channel, `samples[${i}]`);
    const result = { channel, ...solve(algorithm, channel, options) };
    solved();
    return result;
  });
  const summary = summarize(algorithm === 'wmmse' ? `WMMSE (init ${options.init ?? 'best'}, ε = ${options.tol})` : LABELS[algorithm], algorithm, channels, samples, snrDb, algorithm === 'wmmse' ? options : undefined, samples[0].starts);
  const graphs = baselineGraphs(summary);
  return {
    algorithm,
    init: options.init ?? 'best',
    maxIter: options.maxIter,
    snrDb,
    power: channels[0].power,
    noiseVar: channels[0].noiseVar,
    samples,
    meanSumRate: summary.meanSumRate,
    iterations: summary.iterations,
    paperGraph: graphs.paper,
    measuredGraph: graphs.measured,
  };
}

/** WMMSE's iteration cap (per start) wherever a scenario's classical rates are measured. */
export const CLASSICAL_WMMSE_CAP = 2000;

export const LABELS: Readonly<Record<Algorithm, string>> = { wmmse: 'WMMSE', zf: 'ZF', rzf: 'RZF', 'rzf-ep': 'equal-power RZF', mrt: 'MRT' };

/**
 * A classical run without its channels: what its rate and its energy under both counts need.
 * Plain data, so a scenario's classical results can be shipped beside its rates table and
 * priced under any preset later.
 */
export interface BaselineSummary {
  readonly label: string;
  readonly algorithm: Algorithm;
  /** WMMSE's start and stopping rule; null for the linear precoders. */
  readonly wmmse: { readonly init: WmmseInit; readonly tol: number; readonly rule: string; readonly maxIter: number; readonly regulariser?: Regulariser } | null;
  readonly nt: number;
  readonly nu: number;
  readonly samples: number;
  readonly snrDb: number;
  readonly meanSumRate: number;
  /** Each sample's sum rate, in the channels' order (paired comparisons on the same samples); absent in files written before it was kept. */
  readonly perSample?: readonly number[];
  readonly iterations: IterationStats;
  /** Solves in which a start hit the iteration cap. */
  readonly capped: number;
  /** Initial precoders run per solve, each counted. */
  readonly starts: number;
  /** Mean counted operations per solve, by phase. */
  readonly meanCounts: Readonly<Record<string, OpCounter>>;
}

export function summarize(
  label: string,
  algorithm: Algorithm,
  channels: readonly Channel[],
  samples: readonly Omit<SolveResult, 'starts'>[],
  snrDb: number,
  wmmseOptions: WmmseOptions | undefined,
  starts: number,
): BaselineSummary {
  const iterations = samples.map((s) => s.iterations).sort((a, b) => a - b);
  const mean = iterations.reduce((a, b) => a + b, 0) / iterations.length;
  return {
    label,
    algorithm,
    wmmse: wmmseOptions ? { init: wmmseOptions.init ?? 'best', tol: wmmseOptions.tol, rule: wmmseOptions.rule, maxIter: wmmseOptions.maxIter, ...(wmmseOptions.regulariser === 'closed-form' ? { regulariser: 'closed-form' as const } : {}) } : null,
    nt: channels[0].H.cols,
    nu: channels[0].H.rows,
    samples: samples.length,
    snrDb,
    meanSumRate: samples.reduce((a, s) => a + s.sumRate, 0) / samples.length,
    perSample: samples.map((s) => s.sumRate),
    iterations: {
      mean,
      min: iterations[0],
      median: iterations[Math.floor(iterations.length / 2)],
      max: iterations[iterations.length - 1],
      convergedFraction: samples.filter((s) => s.converged).length / samples.length,
    },
    capped: samples.filter((s) => !s.converged).length,
    starts,
    meanCounts: meanCounters(samples.map((s) => s.counts)),
  };
}

/** The paper's count at the mean iteration count (none for MRT) and our measured count, as Graphs. */
export function baselineGraphs(s: BaselineSummary): { readonly paper: Graph | null; readonly measured: Graph } {
  const { algorithm, nt, nu } = s;
  return {
    paper: algorithm === 'mrt' ? null : paperTraceGraph({ algorithm: algorithm === 'wmmse' ? 'wmmse' : 'zf', nt, nu, iterations: s.iterations.mean }),
    measured: measuredTraceGraph(algorithm, s.meanCounts, phaseProducts(algorithm, nt, nu, s.iterations.mean, s.starts)),
  };
}

/**
 * The classical side of a scenario on the same channels: MRT, ZF, RZF, equal-power RZF, and
 * WMMSE from the best start at each tolerance (its curve), with WMMSE from each single start at
 * each tolerance taken from the same solves (each start's own counts plus the shared Gram
 * matrix) — so the frontier holds e.g. a few iterations from equal-power RZF, often the cheapest
 * answer at a high rate. Then WMMSE with the closed-form regulariser from equal-power RZF at a
 * fixed number of iterations (CLOSED_FORM_ITERATIONS): the unfolded head's own structure, a
 * classical algorithm it has to beat.
 */
export function classicalSet(
  channels: readonly Channel[],
  snrDb: number,
  o: { readonly tolerances: readonly number[]; readonly maxIter: number; readonly rule?: WmmseOptions['rule']; readonly solved?: () => void },
): BaselineSummary[] {
  const out: BaselineSummary[] = (['mrt', 'zf', 'rzf', 'rzf-ep'] as const).map((a) => {
    const samples = channels.map((channel) => solve(a, channel, WMMSE_DEFAULTS));
    return summarize(LABELS[a], a, channels, samples, snrDb, undefined, 1);
  });
  for (const tol of o.tolerances) {
    const options: WmmseOptions = { tol, rule: o.rule ?? 'abs', maxIter: o.maxIter, init: 'best' };
    // WMMSE is the cost of the set: its solves are what `solved` counts (channels × tolerances).
    const results = channels.map((channel) => {
      const result = wmmse(channel, options);
      o.solved?.();
      return result;
    });
    out.push(summarize(`WMMSE (best start, ε = ${tol}${options.rule === 'rel' ? ' rel' : ''})`, 'wmmse', channels, results, snrDb, options, WMMSE_STARTS.length));
    WMMSE_STARTS.forEach((start, i) => {
      const runs = results.map((r) => ({ ...r.runs[i], counts: { ...r.runs[i].counts, gram: r.counts.gram } }));
      out.push(summarize(`WMMSE (from ${LABELS[start]}, ε = ${tol}${options.rule === 'rel' ? ' rel' : ''})`, 'wmmse', channels, runs, snrDb, { ...options, init: start }, 1));
    });
  }
  for (const iterations of CLOSED_FORM_ITERATIONS) {
    // Tolerance 0: exactly `iterations` updates (the cap), as the unfolded head runs K of them.
    const options: WmmseOptions = { tol: 0, rule: 'abs', maxIter: iterations, init: 'rzf-ep', regulariser: 'closed-form' };
    // Its cap is its definition, not a failure to converge.
    const results = channels.map((channel) => ({ ...wmmse(channel, options), converged: true }));
    out.push(summarize(closedFormLabel(iterations), 'wmmse', channels, results, snrDb, options, 1));
  }
  return out;
}

/** The fixed iteration counts of closed-form-regulariser WMMSE in every classical set (the unfolded head's K = 1…8 range). */
export const CLOSED_FORM_ITERATIONS = [1, 2, 3, 5, 8] as const;

export const closedFormLabel = (iterations: number) => `WMMSE, closed-form μ (from ${LABELS['rzf-ep']}, ${iterations} iteration${iterations === 1 ? '' : 's'})`;

/** The matrix products each phase of our implementations performs per solve. */
export function phaseProducts(algorithm: Algorithm, nt: number, nu: number, iterations: number, starts = 1): Record<string, PhaseProduct> {
  if (algorithm === 'wmmse') {
    return {
      // H·V once for each start and once after every precoder update; Hᴴ·X per update.
      receivers: { M: nu, N: nu, K: nt, complex: true, repeat: iterations + starts },
      precoder: { M: nt, N: nu, K: nu, complex: true, repeat: iterations },
    };
  }
  if (algorithm === 'mrt') return {};
  return { [algorithm]: { M: nt, N: nu, K: nu, complex: true, repeat: 1 } };
}
