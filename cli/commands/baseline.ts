/** `codesign baseline`: classical precoders on seeded channels, or --algo slp (seed 002 eq. 2). */
import { outputFile } from '../../core/files.ts';
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { finiteNumber, nonNegativeNumber, oneOf, positiveInt } from '../../core/validate.ts';
import { ALGORITHMS } from '../../baselines/run.ts';
import { WMMSE_INITS } from '../../baselines/wmmse.ts';
import { SLP_DEFAULTS } from '../../nets/slp.ts';
import { energyReportJson, toMicrojoules } from '../../sim/report.ts';
import type { BaselineOutcome, BaselineStudy, SlpBaselineOutcome } from '../../studies/baseline.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { checkDeterministic, deterministicOption, jsonDocument, presetOf, presetOption, refuseGiven, seedOf, progressOption, type Given } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { loadScenario } from '../../scenarios/schema.ts';

export const CHANNELS = ['rayleigh'] as const;

/** Antennas (and users) of `--algo slp`: beyond, a solve takes seconds per channel. */
const SLP_MAX_ANTENNAS = 32;

interface BaselineFlags {
  readonly algo: string;
  readonly sinrDb: string;
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
  readonly preset: string;
  readonly p?: string;
  readonly export?: string;
  readonly json?: boolean;
  readonly deterministic?: boolean;
  readonly progress?: boolean;
}

export function register(program: Command, io: Io): void {
  program
    .command('baseline')
    .description('classical precoders (WMMSE, ZF, RZF, equal-power RZF, MRT) on seeded channels: sum rate, iterations, energy per solve; or --algo slp: symbol-level precoding power vs SINR target')
    .addOption(new Option('--algo <name>', 'algorithm (slp: seed 002 eq. 2 beside block-level precoding)').choices([...ALGORITHMS, 'slp']).default('wmmse'))
    .option('--sinr-db <list>', 'slp: SINR targets in dB', '0,10,20,30')
    .option('--scenario <name>', 'a named scenario (codesign scenario list) or a scenario JSON file; runs on its test split')
    .option('--channel <model>', `a channel model drawn here (${CHANNELS.join(', ')}) with --nt, --nu, --seed`)
    .option('--nt <n>', 'transmit antennas N_T (slp: M, default 4, at most 32)', '64')
    .option('--nu <n>', 'users N_U (slp: K, default 4)', '4')
    .option('--snr-db <dB>', 'SNR = P/σ² in dB (default: the scenario’s, or 15)')
    .option('--tol <eps>', 'WMMSE stopping tolerance', '1e-5')
    .addOption(new Option('--rule <rule>', 'WMMSE stopping rule: abs |ΔΣlog₂w| < tol, rel |Δ|/|prev| < tol').choices(['abs', 'rel']).default('abs'))
    .option('--max-iter <n>', 'WMMSE iteration cap', '1000')
    .addOption(new Option('--init <start>', 'WMMSE start: mrt, rzf, rzf-ep (equal-power RZF), or best (runs all three, keeps the highest rate, counts all) [default: best]').choices(['mrt', 'rzf', 'rzf-ep', 'best']))
    .option('--samples <n>', 'channel samples', '100')
    .option('--seed <s>', 'random seed', '1')
    .addOption(presetOption())
    .option('--p <n>', 'parallel execution units p (overrides the preset rule)')
    .option('--export <file>', 'write the channels and per-sample results as JSON')
    .option('--json', 'print exactly one JSON document on stdout')
    .addOption(deterministicOption())
    .addOption(progressOption())
    .action(async (options: BaselineFlags, cmd: Command) => {
      checkDeterministic(options);
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const progress = cliProgress(io, progressMode(io, options));
      try {
        if (options.algo === 'slp') {
          refuseGiven(options, given, ['scenario', 'channel', 'snrDb', 'tol', 'rule', 'maxIter', 'init', 'preset', 'p', 'export'], () => 'allowed: not with --algo slp (it solves seed 002 eq. 2 on i.i.d. Rayleigh channels at σ² = 1)');
          // Seed 002's size unless asked. The time per channel grows fast with M, almost all of it
          // in the block-level precoding solved per SINR target (the SLP optimiser itself takes
          // 1–2 ms): 0.35 s at M = 4, 1.2 s at 32, 7 s at 64 here (`time codesign baseline --algo
          // slp --nt M --nu 4 --samples 10`, less the 1-sample run), so M stops at 32.
          const config = {
            m: positiveInt('--nt', given('nt') ? options.nt : String(SLP_DEFAULTS.m), SLP_MAX_ANTENNAS),
            k: positiveInt('--nu', given('nu') ? options.nu : String(SLP_DEFAULTS.k), SLP_MAX_ANTENNAS),
            samples: positiveInt('--samples', options.samples),
            sinrDb: options.sinrDb.split(',').map((v) => finiteNumber('--sinr-db', v)),
            seed: seedOf(options.seed),
          };
          if (config.m < config.k) throw new InputError('--nt', options.nt, `allowed: N_T ≥ N_U = ${config.k} (ZF to the apex and block-level precoding need it)`);
          const { runSlpBaselineStudy } = await import('../../studies/baseline.ts');
          const r = runSlpBaselineStudy(config, progress);
          io.stdout.write((options.json ? jsonDocument({ ...r, curve: { samples: r.curve.samples, rows: r.curve.rows, unitMedian_dB: r.curve.unitMedian_dB } }, options) : renderSlpBaseline(r)) + '\n');
          return;
        }
        refuseGiven(options, given, ['sinrDb'], () => 'allowed: only with --algo slp');
        const config = baselineStudy(options, given);
        if (options.export) outputFile(options.export, '--export', 'the export file');
        const { exportBaseline, runBaselineStudy } = await import('../../studies/baseline.ts');
        const outcome = runBaselineStudy(config, progress);
        if (options.export) exportBaseline(outcome.run, options.export);
        io.stdout.write((options.json ? JSON.stringify(baselineJson(outcome), null, 2) : renderBaseline(outcome)) + '\n');
      } finally {
        progress.stop();
      }
    });
}

function baselineStudy(o: BaselineFlags, given: Given): BaselineStudy {
  const algorithm = oneOf('--algo', o.algo, ALGORITHMS);
  if (o.scenario !== undefined && o.channel !== undefined) throw new InputError('--channel', o.channel, 'allowed: either --scenario or --channel, not both');
  if (o.init !== undefined && algorithm !== 'wmmse') throw new InputError('--init', o.init, 'allowed: only with --algo wmmse (the linear precoders have no start)');
  const wmmse = {
    tol: nonNegativeNumber('--tol', o.tol),
    rule: oneOf('--rule', o.rule, ['abs', 'rel'] as const),
    maxIter: positiveInt('--max-iter', o.maxIter),
    init: oneOf('--init', o.init ?? 'best', WMMSE_INITS),
  };
  const samples = positiveInt('--samples', o.samples);
  const snrDb = o.snrDb === undefined ? undefined : finiteNumber('--snr-db', o.snrDb);
  let channels: BaselineStudy['channels'];
  if (o.scenario !== undefined) {
    refuseGiven(o, given, ['nt', 'nu', 'seed'], () => `allowed: only with --channel (the scenario ${o.scenario} fixes its channels)`);
    channels = { kind: 'scenario', scenario: loadScenario(o.scenario), ...(snrDb !== undefined ? { snrDb } : {}) };
  } else {
    oneOf('--channel', o.channel ?? 'rayleigh', CHANNELS);
    channels = { kind: 'rayleigh', nt: positiveInt('--nt', o.nt), nu: positiveInt('--nu', o.nu), snrDb: snrDb ?? 15, seed: seedOf(o.seed) };
  }
  return { algorithm, channels, samples, wmmse, preset: presetOf(o.preset), ...(o.p !== undefined ? { p: positiveInt('--p', o.p) } : {}) };
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
    energy_uJ: { paper: energy.paper ? toMicrojoules(energy.paper.energy) : null, measured: toMicrojoules(energy.measured.energy) },
    multiplications: { paper: energy.paper ? energy.paper.totals.macs : null, measured: energy.measured.totals.macs },
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

export function renderSlpBaseline(r: SlpBaselineOutcome): string {
  const methods = Object.keys(r.curve.rows[0].power_dB);
  return (
    `SLP (seed 002 eq. 2, QPSK) vs block-level precoding: M = ${r.m}, K = ${r.k}, ${r.samples} i.i.d. Rayleigh channels, σ² = 1\n` +
    table(['SINR dB', ...methods.map((name) => `${name} (dB)`)], r.curve.rows.map((row) => [row.sinr_dB, ...methods.map((name) => `${row.power_dB[name].toFixed(2)} / ${row.median_dB[name].toFixed(2)}`)])) +
    `\n(mean / median over the channels)` +
    `\noptimiser: worst constraint violation ${r.worstViolation.toExponential(2)}, worst complementary slackness ${r.worstSlackness.toExponential(2)}, ${r.meanSweeps.toFixed(0)} sweeps and ${r.timing.msPerSolve.toFixed(3)} ms per solve`
  );
}
