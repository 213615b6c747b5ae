/**
 * Classical precoders on seeded channels (a scenario's test split or drawn i.i.d. Rayleigh): sum
 * rate, iterations and energy per solve under both counts; and symbol-level precoding's power
 * against block-level precoding (seed 002 eq. 2).
 */
import { writeWhole } from '../core/files.ts';
import { InputError } from '../core/errors.ts';
import { SILENT, type Progress } from '../core/progress.ts';
import { toArrays } from '../linalg/complex.ts';
import type { Channel } from '../scenarios/channel.ts';
import { asMimo, channelOf, loadDataset } from '../scenarios/dataset.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { rayleighChannels, runBaseline, type Algorithm, type BaselineRun } from '../baselines/run.ts';
import type { WmmseOptions } from '../baselines/wmmse.ts';
import { optimalSolutions, powerCurve, type PowerCurve } from '../baselines/slp-curve.ts';
import { slpSamples } from '../baselines/slp-samples.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { baselineEnergy, type BaselineEnergy } from './classical-energy.ts';

/** Where the channels come from: a MIMO scenario's test split, or i.i.d. Rayleigh drawn here. */
export type ChannelSource =
  | { readonly kind: 'scenario'; readonly scenario: Scenario; readonly snrDb?: number }
  | { readonly kind: 'rayleigh'; readonly nt: number; readonly nu: number; readonly snrDb: number; readonly seed: number };

export interface BaselineStudy {
  readonly algorithm: Algorithm;
  readonly channels: ChannelSource;
  readonly samples: number;
  readonly wmmse: WmmseOptions;
  readonly preset: HardwarePreset;
  /** Parallel execution units (overrides the preset's rule). */
  readonly p?: number;
}

export interface BaselineOutcome {
  readonly source: string;
  readonly run: BaselineRun;
  readonly energy: BaselineEnergy;
  readonly preset: string;
}

export function runBaselineStudy(c: BaselineStudy, progress: Progress = SILENT): BaselineOutcome {
  let channels: Channel[];
  let snrDb: number;
  let source: string;
  if (c.channels.kind === 'scenario') {
    // A scenario's test split, at its own SNR unless the study says otherwise.
    const { scenario } = c.channels;
    if (scenario.model === 'cost2100') throw new InputError('scenario', scenario.name, 'allowed: a MIMO scenario (rayleigh, cdl or site); cost2100 holds CSI-feedback data');
    const test = asMimo(loadDataset(scenario, 'test', { log: (m) => progress.log(m) }));
    snrDb = c.channels.snrDb ?? scenario.snrDb;
    const noiseVar = 10 ** (-snrDb / 10);
    channels = Array.from({ length: Math.min(c.samples, test.count) }, (_, i) => ({ ...channelOf(test, i), noiseVar }));
    source = `${scenario.name} test split`;
  } else {
    snrDb = c.channels.snrDb;
    channels = rayleighChannels({ ...c.channels, samples: c.samples });
    source = 'i.i.d. Rayleigh';
  }
  const task = progress.task(`${c.algorithm} solves`, channels.length);
  const run = runBaseline(c.algorithm, channels, c.wmmse, snrDb, () => task.tick(1));
  task.end();
  return { run, energy: baselineEnergy(run, c.preset, c.p), preset: c.preset.name, source };
}

/** The export document: channels and per-sample results, checkable by any other tool. */
export function exportBaseline(run: BaselineRun, file: string): void {
  const doc = {
    algorithm: run.algorithm,
    snrDb: run.snrDb,
    power: run.power,
    noiseVar: run.noiseVar,
    convention: 'H is N_U rows of N_T entries, row k = h_k^H; SINR_k = |h_k^H v_k|^2 / (sum_{j!=k} |h_k^H v_j|^2 + noiseVar)',
    samples: run.samples.map((s) => ({ H: toArrays(s.channel.H), sumRate: s.sumRate, iterations: s.iterations })),
  };
  try {
    writeWhole(file, JSON.stringify(doc));
  } catch (error) {
    throw new InputError('export', file, `allowed: a writable file path (${(error as Error).message})`);
  }
}

/** Symbol-level precoding (seed 002 eq. 2, QPSK) beside block-level precoding: power vs SINR target. */
export interface SlpBaselineStudy {
  readonly m: number;
  readonly k: number;
  readonly samples: number;
  readonly sinrDb: readonly number[];
  readonly seed: number;
}

export interface SlpBaselineOutcome {
  readonly m: number;
  readonly k: number;
  readonly samples: number;
  readonly curve: PowerCurve;
  /** The optimiser's accuracy at unit margin over the samples. */
  readonly worstViolation: number;
  readonly worstSlackness: number;
  readonly meanSweeps: number;
  /** How long the solves took: not a result. */
  readonly timing: { readonly msPerSolve: number };
}

export function runSlpBaselineStudy(c: SlpBaselineStudy, progress: Progress = SILENT): SlpBaselineOutcome {
  if (c.m < c.k) throw new InputError('nt', c.m, `allowed: N_T ≥ N_U = ${c.k} (ZF to the apex and block-level precoding need it)`);
  const d = slpSamples(c.m, c.k, c.samples, c.seed);
  const task = progress.task('SLP solves', d.count);
  const t0 = performance.now();
  const solutions = optimalSolutions(d, () => task.tick(1));
  const msPerSolve = (performance.now() - t0) / d.count;
  task.end();
  // Solved once: the curve scales these unit-margin powers to every target.
  const curve = powerCurve(d, c.sinrDb, {}, Float64Array.from(solutions, (s) => s.power));
  return {
    m: c.m,
    k: c.k,
    samples: c.samples,
    curve,
    worstViolation: Math.max(...solutions.map((s) => s.maxViolation)),
    worstSlackness: Math.max(...solutions.map((s) => s.slackness)),
    meanSweeps: solutions.reduce((a, s) => a + s.sweeps, 0) / d.count,
    timing: { msPerSolve },
  };
}
