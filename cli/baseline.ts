/** `codesign baseline`: classical precoders on seeded channels, quality and energy side by side. */
import { writeFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { finiteNumber, nonNegativeNumber, oneOf, positiveInt, positiveNumber } from '../core/validate.ts';
import { toArrays } from '../linalg/complex.ts';
import { ALGORITHMS, rayleighChannels, runBaseline, type BaselineRun } from '../baselines/run.ts';
import { DEFAULT_PRESET, presetByName } from '../sim/presets.ts';
import { WMMSE_INITS } from '../baselines/wmmse.ts';
import type { Channel } from '../scenarios/channel.ts';
import { channelOf, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { energyReportJson, toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { optimalSolutions, powerCurve, type PowerCurve } from '../baselines/slp-curve.ts';
import { slpSamples } from '../baselines/slp-samples.ts';
import { baselineEnergy, type BaselineEnergy } from '../studies/classical-energy.ts';

export const CHANNELS = ['rayleigh'] as const;

export interface BaselineOptions {
  readonly algo: string;
  readonly scenario?: string;
  readonly channel?: string;
  readonly nt: string;
  readonly nu: string;
  readonly snrDb?: string;
  readonly tol: string;
  readonly rule: string;
  readonly maxIter: string;
  readonly init?: string;
  readonly samples: string;
  readonly seed: string;
  readonly preset?: string;
  readonly p?: string;
  readonly log?: (message: string) => void;
}

export interface BaselineOutcome {
  readonly source: string;
  readonly run: BaselineRun;
  readonly energy: BaselineEnergy;
  readonly preset: string;
}

export function runBaselineCommand(o: BaselineOptions): BaselineOutcome {
  const algorithm = oneOf('--algo', o.algo, ALGORITHMS);
  if (o.scenario !== undefined && o.channel !== undefined) throw new InputError('--channel', o.channel, 'allowed: either --scenario or --channel, not both');
  const options = {
    tol: nonNegativeNumber('--tol', o.tol),
    rule: oneOf('--rule', o.rule, ['abs', 'rel'] as const),
    maxIter: positiveInt('--max-iter', o.maxIter),
    init: oneOf('--init', o.init ?? 'best', WMMSE_INITS),
  };
  if (o.init !== undefined && algorithm !== 'wmmse') throw new InputError('--init', o.init, 'allowed: only with --algo wmmse (the linear precoders have no start)');
  const samples = positiveInt('--samples', o.samples);
  let channels: Channel[];
  let snrDb: number;
  let source: string;
  if (o.scenario !== undefined) {
    // A named scenario or file: its test split, at its own SNR unless --snr-db says otherwise.
    const scenario = loadScenario(o.scenario);
    if (scenario.model === 'cost2100') throw new InputError('--scenario', o.scenario, 'allowed: a MIMO scenario (rayleigh, cdl or site); cost2100 holds CSI-feedback data');
    const test = loadDataset(scenario, 'test', { log: o.log });
    if (test.kind !== 'mimo') throw new InputError('--scenario', o.scenario, 'allowed: a MIMO scenario');
    snrDb = o.snrDb === undefined ? scenario.snrDb : finiteNumber('--snr-db', o.snrDb);
    const noiseVar = 10 ** (-snrDb / 10);
    channels = Array.from({ length: Math.min(samples, test.count) }, (_, i) => ({ ...channelOf(test, i), noiseVar }));
    source = `${scenario.name} test split`;
  } else {
    oneOf('--channel', o.channel ?? 'rayleigh', CHANNELS);
    snrDb = finiteNumber('--snr-db', o.snrDb ?? '15');
    channels = rayleighChannels({ nt: positiveInt('--nt', o.nt), nu: positiveInt('--nu', o.nu), snrDb, samples, seed: parseSeed(o.seed) });
    source = 'i.i.d. Rayleigh';
  }
  const preset = o.preset === undefined ? DEFAULT_PRESET : presetByName(o.preset);
  const run = runBaseline(algorithm, channels, options, snrDb);
  return { run, energy: baselineEnergy(run, preset, o.p === undefined ? undefined : positiveNumber('--p', o.p)), preset: preset.name, source };
}

export function parseSeed(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 0xffffffff) throw new InputError('--seed', raw, 'allowed: an integer from 0 to 4294967295');
  return Number(raw);
}

export function baselineJson(outcome: BaselineOutcome) {
  const { run, energy, preset } = outcome;
  return {
    algorithm: run.algorithm,
    ...(run.algorithm === 'wmmse' ? { init: run.init } : {}),
    source: outcome.source,
    preset,
    snrDb: run.snrDb,
    samples: run.samples.length,
    meanSumRate: run.meanSumRate,
    iterations: run.iterations,
    energy_uJ: {
      paper: energy.paper ? toMicrojoules(energy.paper.energy) : null,
      measured: toMicrojoules(energy.measured.energy),
    },
    multiplications: {
      paper: energy.paper ? energy.paper.totals.macs : null,
      measured: energy.measured.totals.macs,
    },
    measured: energyReportJson(energy.measured),
  };
}

export function renderBaseline(outcome: BaselineOutcome): string {
  const { run, energy } = outcome;
  const it = run.iterations;
  const rows = [
    ['paper (seed 000 eq. 12–13)', energy.paper ? energy.paper.totals.macs : 'n/a', energy.paper ? toMicrojoules(energy.paper.energy).total : 'n/a'],
    ['measured (our implementation)', energy.measured.totals.macs, toMicrojoules(energy.measured.energy).total],
  ];
  return [
    `${run.algorithm.toUpperCase()}${run.algorithm === 'wmmse' ? ` (init ${run.init})` : ''} on ${run.samples.length} samples of ${outcome.source} at ${run.snrDb} dB (${outcome.preset})`,
    `mean sum rate ${run.meanSumRate.toFixed(4)} bit/s/Hz; iterations mean ${it.mean.toFixed(1)}, min ${it.min}, median ${it.median}, max ${it.max}, converged ${(it.convergedFraction * 100).toFixed(0)}%${run.algorithm === 'wmmse' ? ` (${run.samples.length - Math.round(it.convergedFraction * run.samples.length)} solves had a start hit the cap of ${run.maxIter})${run.init === 'best' ? '; iterations and energy count all three starts' : ''}` : ''}`,
    '',
    table(['accounting', 'real mults / solve', 'energy µJ / solve'], rows),
    '',
    'measured, by phase:',
    table(
      ['phase', 'mults', 'E_C µJ', 'E_A µJ', 'total µJ'],
      energy.measured.ops.map((op) => {
        const e = toMicrojoules(op.energy);
        return [op.name, op.counts.macs, e.compute, e.activation, e.total];
      }),
    ),
  ].join('\n');
}

/** The --export document: channels and per-sample results, checkable by any other tool. */
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
    writeFileSync(file, JSON.stringify(doc));
  } catch (error) {
    throw new InputError('--export', file, `allowed: a writable file path (${(error as Error).message})`);
  }
}

/** `--algo slp`: the SLP optimiser of seed 002 eq. (2) beside block-level precoding, power vs SINR target. */
export interface SlpBaselineOutcome {
  readonly m: number;
  readonly k: number;
  readonly samples: number;
  readonly curve: PowerCurve;
  /** The optimiser's accuracy at unit margin over the samples. */
  readonly worstViolation: number;
  readonly worstSlackness: number;
  readonly meanSweeps: number;
  readonly msPerSolve: number;
}

export function runSlpBaselineCommand(o: BaselineOptions & { readonly sinrDb?: string }): SlpBaselineOutcome {
  const m = positiveInt('--nt', o.nt, 256);
  const k = positiveInt('--nu', o.nu, 256);
  const samples = positiveInt('--samples', o.samples);
  const sinrDb = (o.sinrDb ?? '0,10,20,30').split(',').map((v) => finiteNumber('--sinr-db', v));
  if (m < k) throw new InputError('--nt', o.nt, `allowed: N_T ≥ N_U = ${k} (ZF to the apex and block-level precoding need it)`);
  const d = slpSamples(m, k, samples, parseSeed(o.seed));
  const t0 = performance.now();
  const solutions = optimalSolutions(d);
  const msPerSolve = (performance.now() - t0) / d.count;
  // Solved once: the curve scales these unit-margin powers to every target.
  const curve = powerCurve(d, sinrDb, {}, Float64Array.from(solutions, (s) => s.power));
  return {
    m,
    k,
    samples,
    curve,
    worstViolation: Math.max(...solutions.map((s) => s.maxViolation)),
    worstSlackness: Math.max(...solutions.map((s) => s.slackness)),
    meanSweeps: solutions.reduce((a, s) => a + s.sweeps, 0) / d.count,
    msPerSolve,
  };
}

export function renderSlpBaseline(r: SlpBaselineOutcome): string {
  const methods = Object.keys(r.curve.rows[0].power_dB);
  return (
    `SLP (seed 002 eq. 2, QPSK) vs block-level precoding: M = ${r.m}, K = ${r.k}, ${r.samples} i.i.d. Rayleigh channels, σ² = 1\n` +
    table(['SINR dB', ...methods.map((name) => `${name} (dB)`)], r.curve.rows.map((row) => [row.sinr_dB, ...methods.map((name) => `${row.power_dB[name].toFixed(2)} / ${row.median_dB[name].toFixed(2)}`)])) +
    `\n(mean / median over the channels)` +
    `\noptimiser: worst constraint violation ${r.worstViolation.toExponential(2)}, worst complementary slackness ${r.worstSlackness.toExponential(2)}, ${r.meanSweeps.toFixed(0)} sweeps and ${r.msPerSolve.toFixed(3)} ms per solve`
  );
}
