/** `codesign laws`: the energy model's laws on your hardware description and network. */
import { INPUT_LIMITS, parseDataFile, readInput } from '../../core/files.ts';
import { Option, type Command } from 'commander';
import { FileError, InputError } from '../../core/errors.ts';
import { positiveInt } from '../../core/validate.ts';
import { CSI_NETS } from '../../nets/csi.ts';
import { NETWORK_NAMES, buildNetwork, type NetworkSpec } from '../../nets/networks.ts';
import { modelGraph } from '../../studies/workload.ts';
import { PRECODER_DEFAULTS } from '../../nets/precoder.ts';
import { SLP_DEFAULTS } from '../../nets/slp.ts';
import { hardwareByNameOrFile, unpriceable } from '../../sim/hardware-file.ts';
import { PRESETS } from '../../sim/presets.ts';
import type { LawOutcome, Reproducer } from '../../laws/run.ts';
import { table } from '../format.ts';
import { ExitStatus, type Io } from '../io.ts';
import { checkDeterministic, deterministicOption, jsonDocument, progressOption, refuseGiven, seedOf } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';

interface LawsFlags {
  readonly hardware?: string;
  readonly net?: string;
  readonly model?: string;
  readonly engine?: boolean;
  readonly runs: string;
  readonly seed: string;
  readonly only?: string;
  readonly replay?: string;
  readonly json?: boolean;
  readonly deterministic?: boolean;
  readonly progress?: boolean;
}

/** A registry network at its default size (the laws vary its bits). */
function networkOf(name: string): NetworkSpec {
  if (name === 'precoder') return { kind: 'precoder', config: { ...PRECODER_DEFAULTS } };
  if (name === 'slpdnet') return { kind: 'slpdnet', config: { m: SLP_DEFAULTS.m, k: SLP_DEFAULTS.k, variant: SLP_DEFAULTS.variant } };
  const net = CSI_NETS.find((n) => n === name);
  if (!net) throw new InputError('--net', name, `allowed: ${NETWORK_NAMES.join(', ')}`);
  return { kind: 'codec', config: { net, cr: 4, variant: 'fp' }, side: 'both' };
}

/** Cases per law at most (a run of all laws at this many takes minutes). */
const MAX_RUNS = 100_000;

/** A reproducer as printed: the law's seed and path, and the hardware file and network it ran on. */
interface SavedReproducer extends Reproducer {
  readonly hardware?: string;
  readonly net?: string;
  readonly model?: string;
}

function replayOf(file: string): SavedReproducer {
  const what = 'a readable JSON reproducer printed by codesign laws';
  const parsed = parseDataFile(readInput(file, 'replay', INPUT_LIMITS.bits, what).toString('utf8'), file, 'replay', what, JSON.parse);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FileError('reproducer', file, [{ path: '(root)', value: parsed, allowed: `${what}: an object with law, seed, path, runs` }]);
  const raw = parsed as Record<string, unknown>;
  const int = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  const issues = [
    ...(typeof raw.law === 'string' ? [] : [{ path: 'law', value: raw.law, allowed: 'a law name (a string)' }]),
    // fast-check's path: the indices of the shrinking steps, colon-separated.
    ...(typeof raw.path === 'string' && /^\d{1,9}(:\d{1,9}){0,9999}$/.test(raw.path) ? [] : [{ path: 'path', value: raw.path, allowed: 'a fast-check path as printed: integers joined by ":" (e.g. "3:0:1")' }]),
    ...(int(raw.seed, -(2 ** 31), 2 ** 32 - 1) ? [] : [{ path: 'seed', value: raw.seed, allowed: 'an integer from −2147483648 to 4294967295' }]),
    ...(int(raw.runs, 1, MAX_RUNS) ? [] : [{ path: 'runs', value: raw.runs, allowed: `an integer from 1 to ${MAX_RUNS.toLocaleString('en-US')}` }]),
  ];
  if (issues.length > 0) throw new FileError('reproducer', file, issues);
  return {
    law: raw.law as string,
    path: raw.path as string,
    seed: raw.seed as number,
    runs: raw.runs as number,
    ...(typeof raw.hardware === 'string' ? { hardware: raw.hardware } : {}),
    ...(typeof raw.net === 'string' ? { net: raw.net } : {}),
    ...(typeof raw.model === 'string' ? { model: raw.model } : {}),
  };
}

export function register(program: Command, io: Io): void {
  program
    .command('laws')
    .description('check the energy model’s laws (finite non-negative terms, sums, monotone bits, 1/√p buffers, duplicated layers, engine ideal = closed form, bandwidth adds only stall) on your hardware file and network; failures print a shrunk counterexample and a reproducer')
    .option('--hardware <name|file>', 'a shipped hardware table (codesign presets) or a JSON/YAML hardware file; default: the shipped tables and random ones')
    .addOption(new Option('--net <name>', 'a network of the registry at its default size, at random weight bits (default: random graphs and precoders)').choices(NETWORK_NAMES))
    .option('--model <file.onnx>', 'an ONNX model, at random weight bits')
    .option('--engine', 'also the engine’s laws')
    .option('--runs <n>', 'cases per law', '100')
    .option('--seed <s>', 'fast-check seed', '1')
    .option('--only <list>', 'only these laws (comma-separated names)')
    .option('--replay <file>', 'replay one failure from its reproducer (the JSON a failing run prints)')
    .option('--json', 'print exactly one JSON document on stdout')
    .addOption(deterministicOption())
    .addOption(progressOption())
    .action(async (o: LawsFlags, cmd: Command) => {
      checkDeterministic(o);
      // A replay re-runs its reproducer's case: its seed, path and run count, its law.
      if (o.replay !== undefined) refuseGiven(o, (name) => cmd.getOptionValueSource(name) === 'cli', ['runs', 'seed', 'only'], () => 'allowed: not with --replay (the reproducer fixes the law, the seed and the runs)');
      if (o.model !== undefined && o.net !== undefined) throw new InputError('--model', o.model, `allowed: not with --net ${o.net} (one network at a time)`);
      const runs = positiveInt('--runs', o.runs, MAX_RUNS);
      const replay = o.replay === undefined ? undefined : replayOf(o.replay);
      // A replay runs on the hardware and network it was found on, unless told otherwise.
      const hardwareFile = o.hardware ?? replay?.hardware;
      const model = o.model ?? (o.net === undefined ? replay?.model : undefined);
      const net = model === undefined ? (o.net ?? replay?.net) : undefined;
      const config = {
        ...(hardwareFile !== undefined ? { hardware: hardwareByNameOrFile(hardwareFile, PRESETS) } : {}),
        ...(net !== undefined ? { network: buildNetwork(networkOf(net)).graph } : model !== undefined ? { network: modelGraph(model).graph } : {}),
        engine: o.engine === true,
        runs,
        seed: seedOf(o.seed),
        ...(o.only !== undefined ? { only: o.only.split(',').map((s) => s.trim()) } : {}),
        ...(replay !== undefined ? { replay } : {}),
      };
      const { checkLaws } = await import('../../studies/laws.ts');
      const progress = cliProgress(io, progressMode(io, o));
      let outcomes: LawOutcome[];
      try {
        outcomes = checkLaws(config, progress);
      } finally {
        progress.stop();
      }
      const source = `${hardwareFile ? `hardware ${hardwareFile}` : 'built-in and random presets'}; ${net ? `network ${net} at random bits` : model ? `model ${model} at random bits` : 'random graphs and precoders'}; seed ${config.seed}`;
      // The root cause first: a table entry no physics allows, which every failing law trips on.
      const causes = config.hardware && hardwareFile ? unpriceable(config.hardware, hardwareFile).map((i) => `${i.path} = ${i.value}, but only ${i.allowed.replace(/ \(.*$/, '')} can be priced`) : [];
      const saved = outcomes.map((l) => (l.reproducer ? { ...l, reproducer: { ...l.reproducer, ...(hardwareFile ? { hardware: hardwareFile } : {}), ...(net ? { net } : {}), ...(model ? { model } : {}) } } : l));
      io.stdout.write((o.json ? jsonDocument({ source, ...(causes.length > 0 ? { causes } : {}), laws: saved }, o) : renderLaws(saved, source, causes)) + '\n');
      if (outcomes.some((l) => l.status === 'failed')) throw new ExitStatus(1);
    });
}

export function renderLaws(outcomes: readonly LawOutcome[], source: string, causes: readonly string[] = []): string {
  const rows = outcomes.map((l) => [l.law, l.status, l.runs, l.status === 'skipped' ? '' : `${Math.round(l.timing.ms)} ms`, l.reason ?? l.statement]);
  const failures = outcomes
    .filter((l) => l.status === 'failed')
    .map((l) => `\n${l.law} fails: ${l.counterexample}\n  reproducer (save it to a file and run codesign laws --replay FILE): ${JSON.stringify(l.reproducer)}`);
  const failed = outcomes.filter((l) => l.status === 'failed').length;
  const cause = causes.length === 0 ? '' : `\nthe table itself: ${causes.join('; ')}${failed > 0 ? ' — the failures below are expected to follow from it' : ''}`;
  return `laws on ${source}${cause}\n${table(['law', 'result', 'runs', 'time', 'statement (or why skipped)'], rows)}${failures.join('')}\n${failed === 0 ? 'every applicable law holds' : `${failed} law${failed === 1 ? '' : 's'} fail${causes.length > 0 ? ` (root cause: ${causes[0]})` : ''}`}`;
}
