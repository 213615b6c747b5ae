/**
 * Runs a classical precoder over seeded channel samples and reports quality (sum rate,
 * iterations) and energy per solve under both accountings: `paper` (seed 000 eq. 12–13) and
 * `measured` (our implementation's counted operations).
 */
import { InputError } from '../core/errors.ts';
import { rng } from '../core/rng.ts';
import type { Graph } from '../nets/graph.ts';
import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { checkChannel, noiseVarForSnrDb, rayleighH, type Channel } from './channel.ts';
import { newCounter, type OpCounter } from './complex.ts';
import { meanCounters, measuredTraceGraph, type PhaseProduct } from './measured-traces.ts';
import { paperTraceGraph } from './paper-traces.ts';
import { linearPrecoder, sumRate, type LinearPrecoder } from './precoders.ts';
import { wmmse, validateWmmseOptions, type WmmseOptions } from './wmmse.ts';

export const ALGORITHMS = ['wmmse', 'zf', 'rzf', 'mrt'] as const;
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
  readonly counts: Readonly<Record<string, OpCounter>>;
}

/** One solve on one channel, with its counted operations by phase. */
export function solve(algorithm: Algorithm, channel: Channel, options: WmmseOptions): SolveResult {
  if (algorithm === 'wmmse') {
    const r = wmmse(channel, options);
    return { sumRate: r.sumRate, iterations: r.iterations, converged: r.converged, counts: r.counts };
  }
  checkChannel(channel);
  const counter = newCounter();
  const v = linearPrecoder(algorithm as LinearPrecoder, channel, counter);
  return { sumRate: sumRate(channel, v).sumRate, iterations: 1, converged: true, counts: { [algorithm]: counter } };
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
export function rayleighChannels(config: Pick<RayleighRunConfig, 'nt' | 'nu' | 'snrDb' | 'samples' | 'seed'>): Channel[] {
  const noiseVar = noiseVarForSnrDb(config.snrDb);
  const root = rng(config.seed);
  return Array.from({ length: config.samples }, (_, i) => ({ H: rayleighH(config.nu, config.nt, root.fork(i)), power: 1, noiseVar }));
}

export function runBaseline(algorithm: Algorithm, channels: readonly Channel[], options: WmmseOptions, snrDb: number): BaselineRun {
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) throw new InputError('algo', algorithm, `allowed: ${ALGORITHMS.join(', ')}`);
  if (channels.length === 0) throw new InputError('samples', 0, 'allowed: at least 1 sample');
  validateWmmseOptions(options);
  const samples = channels.map((channel, i) => {
    checkChannel(channel, `samples[${i}]`);
    return { channel, ...solve(algorithm, channel, options) };
  });
  const iterations = samples.map((s) => s.iterations).sort((a, b) => a - b);
  const mean = iterations.reduce((a, b) => a + b, 0) / iterations.length;
  const { nt, nu } = { nt: channels[0].H.cols, nu: channels[0].H.rows };
  const paperGraph =
    algorithm === 'mrt' ? null : paperTraceGraph({ algorithm: algorithm === 'wmmse' ? 'wmmse' : 'zf', nt, nu, iterations: mean });
  return {
    algorithm,
    snrDb,
    power: channels[0].power,
    noiseVar: channels[0].noiseVar,
    samples,
    meanSumRate: samples.reduce((a, s) => a + s.sumRate, 0) / samples.length,
    iterations: {
      mean,
      min: iterations[0],
      median: iterations[Math.floor(iterations.length / 2)],
      max: iterations[iterations.length - 1],
      convergedFraction: samples.filter((s) => s.converged).length / samples.length,
    },
    paperGraph,
    measuredGraph: measuredTraceGraph(algorithm, meanCounters(samples.map((s) => s.counts)), phaseProducts(algorithm, nt, nu, mean)),
  };
}

/** The matrix products each phase of our implementations performs per solve. */
export function phaseProducts(algorithm: Algorithm, nt: number, nu: number, iterations: number): Record<string, PhaseProduct> {
  if (algorithm === 'wmmse') {
    return {
      // H·V once for the MRT start and once after every precoder update; Hᴴ·X per update.
      receivers: { M: nu, N: nu, K: nt, complex: true, repeat: iterations + 1 },
      precoder: { M: nt, N: nu, K: nu, complex: true, repeat: iterations },
    };
  }
  if (algorithm === 'mrt') return {};
  return { [algorithm]: { M: nt, N: nu, K: nu, complex: true, repeat: 1 } };
}

export interface BaselineEnergy {
  readonly paper: EnergyReport | null;
  readonly measured: EnergyReport;
}

export function baselineEnergy(run: BaselineRun, preset: HardwarePreset, p?: number): BaselineEnergy {
  return {
    paper: run.paperGraph ? priceGraph(run.paperGraph, preset, { p }) : null,
    measured: priceGraph(run.measuredGraph, preset, { p }),
  };
}
