/** `codesign scenario list | describe NAME | generate NAME`. */
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { nonNegativeNumber, oneOf, positiveInt } from '../../core/validate.ts';
import type { BaselinePoint } from '../../studies/report-numbers.ts';
import type { describeWithEnergy } from '../../studies/scenario.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { checkDeterministic, deterministicOption, jsonDocument, presetOf, presetOption, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { loadScenario } from '../../scenarios/schema.ts';

export function register(program: Command, io: Io): void {
  const scenario = program.command('scenario').description('channel scenarios: named, seeded, cached datasets');
  scenario
    .command('list')
    .description('list the named scenarios (scenarios/named/*.json)')
    .action(async () => {
      const { scenarioList } = await import('../../studies/scenario.ts');
      io.stdout.write(table(['scenario', 'model', 'description'], scenarioList().map((s) => [s.name, s.model, s.description])) + '\n');
    });
  scenario
    .command('describe')
    .description('SNR, LOS share, user correlation, conditioning, and the classical precoders’ sum rates and energies on a scenario’s test split')
    .argument('<name>', 'a named scenario or a scenario JSON file')
    .option('--samples <n>', 'test samples the baselines run on', '200')
    .addOption(new Option('--rule <rule>', 'WMMSE stopping rule').choices(['abs', 'rel']).default('abs'))
    .option('--tol <eps>', 'WMMSE tolerance', '1e-5')
    .addOption(presetOption('hardware preset the classical precoders are priced on'))
    .option('--json', 'print exactly one JSON document on stdout')
    .addOption(progressOption())
    .action(async (name: string, options: { samples: string; rule: string; tol: string; preset: string; json?: boolean; progress?: boolean }) => {
      const s = loadScenario(name);
      const describe = { baselineSamples: positiveInt('--samples', options.samples), wmmseRule: oneOf('--rule', options.rule, ['abs', 'rel'] as const), wmmseTol: nonNegativeNumber('--tol', options.tol) };
      const preset = presetOf(options.preset);
      const { describeWithEnergy } = await import('../../studies/scenario.ts');
      const progress = cliProgress(io, progressMode(io, options));
      try {
        const priced = describeWithEnergy(s, describe, preset, progress);
        io.stdout.write((options.json ? JSON.stringify(priced, null, 2) : renderDescription(priced)) + '\n');
      } finally {
        progress.stop();
      }
    });
  scenario
    .command('generate')
    .description('generate (or load from cache) the train, validation and test splits')
    .argument('<name>', 'a named scenario or a scenario JSON file')
    .option('--json', 'print the result as JSON')
    .addOption(deterministicOption())
    .addOption(progressOption())
    .action(async (name: string, options: { json?: boolean; deterministic?: boolean; progress?: boolean }) => {
      const s = loadScenario(name);
      checkDeterministic(options);
      const { generateScenario } = await import('../../studies/scenario.ts');
      const progress = cliProgress(io, progressMode(io, options));
      try {
        const result = generateScenario(s, progress);
        io.stdout.write((options.json ? jsonDocument(result, options) : table(['split', 'samples', 'ms', 'file'], result.map((r) => [r.split, r.samples, Math.round(r.timing.ms), r.file]))) + '\n');
      } finally {
        progress.stop();
      }
    });
  scenario
    .command('export')
    .description('write a split as arrays for NumPy (.npy + a JSON sidecar) or MATLAB (.mat): channels H complex64 [samples, N_U, N_T] with LOS flags, power and σ², or a codec scenario\'s CSI maps')
    .argument('<name>', 'a named scenario or a scenario JSON file')
    .addOption(new Option('--split <split>', 'which split').choices(['train', 'validation', 'test']).default('test'))
    .addOption(new Option('--format <f>', 'npy (NumPy, with a JSON sidecar) or mat (MATLAB level 5)').choices(['npy', 'mat']).default('npy'))
    .requiredOption('--out <file>', 'the file to write (npy: FILE.npy, FILE.<array>.npy and FILE.json beside it)')
    .option('--force', 'replace FILE.<array>.npy and FILE.json beside --out even when an earlier export did not write them')
    .option('--json', 'print the result as JSON')
    .addOption(progressOption())
    .action(async (name: string, options: { split: string; format: string; out: string; force?: boolean; json?: boolean; progress?: boolean }) => {
      const s = loadScenario(name);
      const split = oneOf('--split', options.split, ['train', 'validation', 'test'] as const);
      const format = oneOf('--format', options.format, ['npy', 'mat'] as const);
      if (format === 'mat' ? !options.out.endsWith('.mat') : !options.out.endsWith('.npy')) throw new InputError('--out', options.out, `allowed: a file ending in .${format} for --format ${format}`);
      if (options.force && format === 'mat') throw new InputError('--force', true, 'allowed: only with --format npy (a .mat export is one file, --out)');
      const { checkExportTarget, exportSplit } = await import('../../studies/scenario.ts');
      checkExportTarget(s, format, options.out, options.force === true);
      const progress = cliProgress(io, progressMode(io, options));
      try {
        const r = exportSplit(s, split, format, options.out, progress, options.force === true);
        io.stdout.write((options.json ? JSON.stringify(r, null, 2) : `${s.name}/${split}: ${r.samples} samples to ${r.files.join(', ')}`) + '\n');
      } finally {
        progress.stop();
      }
    });
}

/** Classical results as a table: rate, iterations, cap hits and energy per solve under both counts. */
/** The classical set as a table; with `paired`, a column of the DNN's paired difference to each (mean ± 95% CI, and what it says). */
export function classicalTable(points: readonly (BaselinePoint & { readonly dnnMinusThis?: { readonly mean: number; readonly ci95: number; readonly verdict: string } })[]): string {
  const paired = points.some((c) => c.dnnMinusThis);
  return table(
    ['classical', 'sum rate ± 95% CI', 'iterations', 'hit cap', 'µJ (paper count)', 'µJ (measured)', ...(paired ? ['DNN − this (paired, 95% CI)'] : [])],
    points.map((c) => [
      c.label,
      `${c.sumRate.toFixed(3)}${c.ci95 === null ? '' : ` ± ${c.ci95.toFixed(3)}`}`,
      c.iterations.toFixed(1),
      c.capped,
      c.energy_uJ.paper === null ? '—' : c.energy_uJ.paper.toPrecision(4),
      c.energy_uJ.measured.toPrecision(4),
      ...(paired ? [c.dnnMinusThis ? `${c.dnnMinusThis.mean >= 0 ? '+' : ''}${c.dnnMinusThis.mean.toFixed(3)} ± ${c.dnnMinusThis.ci95.toFixed(3)} (${c.dnnMinusThis.verdict})` : ''] : []),
    ]),
  );
}

export function renderDescription(priced: ReturnType<typeof describeWithEnergy>): string {
  const { classical, ...d } = priced as typeof priced & { classical?: BaselinePoint[] };
  const lines: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else lines.push(`${prefix}${k}: ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : Array.isArray(v) ? v.join('×') : String(v)}`);
    }
  };
  walk(d as Record<string, unknown>, '');
  if (classical) lines.push('', `classical precoders on the first ${classical[0].samples} test samples:`, classicalTable(classical));
  return lines.join('\n');
}
