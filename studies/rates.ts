/**
 * `codesign rates`: the shipped rates table of a scenario from trained supernets, and the
 * classical results on the same test samples beside it.
 *
 * A supernet directory holds runs as DIR/<head>/<C_out>x<D_FCL>/seed-<s>/ (bench/train-supernets.sh);
 * each run is rated over every bit configuration on the first `samples` test channels, and the
 * rows are cached in the run's rates.json (keyed by its checkpoint), so a rerun rates only new
 * or further-trained runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { CLASSICAL_WMMSE_CAP, type BaselineSummary } from '../baselines/run.ts';
import { doneOfTotal, SILENT, type Progress } from '../core/progress.ts';
import { classicalSetWithProgress } from './classical-energy.ts';
import { BIT_CHOICES } from '../search/objective.ts';
import { PRECODER_HEAD_NAMES, precoderHeadOf, type PrecoderHead } from '../nets/heads.ts';
import { evaluateAllConfigs } from '../train/supernet.ts';
import { initBackend } from '../train/backend.ts';
import { checkpointState, latestCheckpoint } from '../train/checkpoint.ts';
import { modelFromCheckpoint, STOPPED_FILE, type TrainerState } from '../train/trainer.ts';
import { asMimo, channelOf, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario, type Scenario } from '../scenarios/schema.ts';
import { formatRatesTable, loadRatesTable, ratesFile, TABLE_SAMPLES, type RatesRow } from '../search/rates-table.ts';
import { makeFolders, writeWhole } from '../core/files.ts';
import { keepCurve } from './curves.ts';
import { cpus } from 'node:os';
import type { Channel } from '../scenarios/channel.ts';
import { rzfEqualPower, sumRate } from '../baselines/precoders.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { estimate, pairedDifference } from '../core/stats.ts';

/** The machine a run was rated on (its training ran there too, under bench/train-supernets.sh). */
function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}`;
}

/**
 * Why a run stopped: the trainer's stopped.json, or the summary bench/train-supernets.sh writes
 * when a run ends; undefined while it is still training (or was killed).
 */
function stopOf(dir: string): string | undefined {
  const read = (file: string) => {
    try {
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const stopped = read(join(dir, STOPPED_FILE)) as { stopReason?: string } | undefined;
  const summary = read(join(dir, 'summary.json')) as { seeds?: { result?: { stopReason?: string } }[] } | undefined;
  if (!stopped && !summary) return undefined;
  const reason = stopped?.stopReason ?? summary?.seeds?.[0]?.result?.stopReason;
  return reason ? `stopped by ${reason === 'converged' ? 'the convergence rule' : reason}` : 'finished, stop reason not recorded';
}

/** Test channels every DNN and classical rate of a table is measured on. */

export interface SupernetRun {
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  readonly seed: number;
  readonly dir: string;
}

/** The runs of a supernet directory, in head, architecture, seed order. */
export function supernetRuns(root: string): SupernetRun[] {
  const allowed = 'allowed: a directory of runs DIR/<head>/<C_out>x<D_FCL>/seed-<s>/ (bench/train-supernets.sh)';
  if (!existsSync(root)) throw new InputError('supernets', root, `no such directory; ${allowed}`);
  const runs: SupernetRun[] = [];
  for (const head of PRECODER_HEAD_NAMES) {
    const headDir = join(root, head);
    if (!existsSync(headDir)) continue;
    for (const arch of readdirSync(headDir).filter((a) => /^\d+x\d+$/.test(a))) {
      const [cout, dfcl] = arch.split('x').map(Number);
      for (const seedDir of readdirSync(join(headDir, arch)).filter((d) => /^seed-\d+$/.test(d))) {
        const dir = join(headDir, arch, seedDir);
        if (latestCheckpoint(join(dir, 'best')) ?? latestCheckpoint(dir)) runs.push({ head, cout, dfcl, seed: Number(seedDir.slice(5)), dir });
      }
    }
  }
  if (runs.length === 0) throw new InputError('supernets', root, `no trained run found; ${allowed}`);
  return runs.sort((a, b) => a.head.localeCompare(b.head) || a.cout - b.cout || a.dfcl - b.dfcl || a.seed - b.seed);
}

/**
 * What every row is paired with, on the same first `samples` test channels: equal-power RZF (the
 * structured head's structure alone) and WMMSE from the best start at ε = 10⁻⁵ (the paper's
 * tolerance), each sample's sum rate.
 */
export function pairedReferences(channels: readonly Channel[], progress: Progress = SILENT): { readonly rzfEp: Float64Array; readonly wmmse: Float64Array } {
  const rzfEp = Float64Array.from(channels, (ch) => sumRate(ch, rzfEqualPower(ch)).sumRate);
  const task = progress.task('WMMSE (best start, ε = 1e-5) for the paired columns', channels.length);
  const wmmseRates = Float64Array.from(channels, (ch) => {
    const r = wmmse(ch, { tol: 1e-5, rule: 'abs', maxIter: CLASSICAL_WMMSE_CAP, init: 'best' }).sumRate;
    task.tick(1);
    return r;
  });
  task.end();
  return { rzfEp, wmmse: wmmseRates };
}

/**
 * The paired references from the classical results beside the table (<table>.classical.json),
 * when they were measured on the same samples of the same split with each sample's rate kept;
 * undefined otherwise (they are then solved here).
 */
function referencesBeside(table: string | undefined, s: Scenario, samples: number): ReturnType<typeof pairedReferences> | undefined {
  const file = table?.replace(/\.csv$/, '.classical.json');
  if (!file || file === table || !existsSync(file)) return undefined;
  let t: ClassicalTable;
  try {
    t = JSON.parse(readFileSync(file, 'utf8')) as ClassicalTable;
  } catch {
    return undefined;
  }
  if (t.scenario !== s.name || t.samples !== samples || (s.model === 'site' && t.holdout !== s.holdout)) return undefined;
  const pick = (match: (r: BaselineSummary) => boolean) => t.results.find(match)?.perSample;
  const rzfEp = pick((r) => r.algorithm === 'rzf-ep');
  const best = pick((r) => r.algorithm === 'wmmse' && r.wmmse?.init === 'best' && r.wmmse.tol === 1e-5 && r.wmmse.rule === 'abs');
  return rzfEp && best && rzfEp.length === samples && best.length === samples ? { rzfEp: Float64Array.from(rzfEp), wmmse: Float64Array.from(best) } : undefined;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** How a run was trained, from its checkpoint: settings, epochs, steps and time. */
function trainingOf(state: TrainerState, stop: string): string {
  const s = state.settings;
  const steps = `${state.epoch} epochs, ${state.adamStep} steps, best at epoch ${state.bestEpoch}, ${stop}, ${(state.trainMs / 1000).toFixed(0)} s on ${machine()}`;
  if (!s) return `${steps} (settings not recorded)`;
  return `${s.supernetChoices ? `supernet {${s.supernetChoices.join(',')}}` : 'fixed bits'}, ${steps}, batch ${s.batchSize}, lr ${s.learningRate}, ${s.freshChannels === undefined ? `${s.trainSamples} training channels an epoch (whether drawn fresh is not recorded in this checkpoint)` : s.freshChannels ? `${s.trainSamples} fresh training channels every epoch` : `${s.trainSamples} training samples`}`;
}

/** Rates every bit configuration of each run (cached per run and checkpoint). */
export async function rateSupernets(o: { readonly supernets: string; readonly scenario: string; readonly samples?: number; readonly table?: string }, progress: Progress = SILENT): Promise<RatesRow[]> {
  const log = (m: string) => progress.log(m);
  const runs = supernetRuns(o.supernets);
  await initBackend();
  const s = loadScenario(o.scenario);
  const test = asMimo(loadDataset(s, 'test', { log }));
  const samples = Math.min(test.count, o.samples ?? TABLE_SAMPLES);
  const at = commit();
  const rows: RatesRow[] = [];
  let references: ReturnType<typeof pairedReferences> | undefined;
  for (const run of runs) {
    const stop = stopOf(run.dir);
    if (stop === undefined) {
      log(`skipping ${run.head} ${run.cout}x${run.dfcl} seed ${run.seed}: still training or killed (no ${STOPPED_FILE} in ${run.dir}); rerun when it has finished`);
      continue;
    }
    if (o.table) keepCurve(run.dir, o.table, s.name, run);
    const cache = join(run.dir, 'rates.json');
    // The weights rated are the best epoch's; the budget is the whole run's (its latest checkpoint).
    const latest = latestCheckpoint(run.dir);
    if (!latest) throw new InputError('supernets', run.dir, 'allowed: a run directory written by codesign train (its latest/ checkpoint is missing)');
    const state = checkpointState<TrainerState>(latest);
    const { model, graph, configKey } = modelFromCheckpoint(run.dir);
    const key = `rows-2/${configKey}@${state.epoch}/${s.name}/${samples}`;
    const cached = existsSync(cache) ? (JSON.parse(readFileSync(cache, 'utf8')) as { key: string; rows: RatesRow[] }) : undefined;
    if (cached?.key === key) {
      model.dispose();
      rows.push(...cached.rows);
      continue;
    }
    if (precoderHeadOf(graph) !== run.head) throw new InputError('supernets', run.dir, `its checkpoint holds ${graph.name}, not the ${run.head} head its directory names`);
    // The widths the supernet was trained on (a search's --choices), not widths it never saw.
    const choices = state.settings?.supernetChoices ?? BIT_CHOICES;
    log(`rating ${run.head} ${run.cout}x${run.dfcl} seed ${run.seed}: ${choices.length ** 4} configurations on ${samples} test samples`);
    const rated = await evaluateAllConfigs(model, test, choices, samples, doneOfTotal(progress, `${run.head} ${run.cout}x${run.dfcl} seed ${run.seed}`));
    model.dispose();
    references ??= referencesBeside(o.table, s, samples) ?? pairedReferences(Array.from({ length: samples }, (_, i) => channelOf(test, i)), progress);
    const command = `bash bench/train-supernets.sh ${o.scenario} ${dirname(dirname(dirname(dirname(run.dir))))} && npx codesign rates --supernets ${o.supernets} --scenario ${o.scenario}`;
    const column = (perSample: Float64Array, reference: Float64Array) => {
      const d = pairedDifference(perSample, reference);
      return { mean: d.mean, ci95: d.halfWidth };
    };
    const runRows = rated.map((r) => ({
      scenario: s.name,
      head: run.head,
      cout: run.cout,
      dfcl: run.dfcl,
      bits: r.bits,
      seed: run.seed,
      sumRate: r.sumRate,
      testSamples: samples,
      training: trainingOf(state, stop),
      epochs: state.epoch,
      trainSeconds: state.trainMs / 1000,
      command,
      commit: at,
      ci95: estimate(r.perSample).halfWidth,
      vsRzfEp: column(r.perSample, references!.rzfEp),
      vsWmmse: column(r.perSample, references!.wmmse),
    }));
    writeWhole(cache, JSON.stringify({ key, rows: runRows }));
    rows.push(...runRows);
  }
  return rows;
}

/** Writes a table atomically (a crash never leaves half a table where the shipped one was). */
export function writeRatesTable(file: string, rows: readonly RatesRow[]): void {
  makeFolders(dirname(file));
  writeWhole(file, formatRatesTable(rows));
}

/** Rows of `fresh` replace the table's rows of the same head, architecture and seed; the rest are kept. */
export function mergeRates(existing: readonly RatesRow[], fresh: readonly RatesRow[]): RatesRow[] {
  const runKey = (r: RatesRow) => `${r.scenario}|${r.head}|${r.cout}x${r.dfcl}|${r.seed}`;
  const replaced = new Set(fresh.map(runKey));
  return [...existing.filter((r) => !replaced.has(runKey(r))), ...fresh];
}

export async function runRates(o: { readonly supernets: string; readonly scenario: string; readonly out?: string; readonly samples?: number }, progress: Progress = SILENT) {
  const file = o.out ?? ratesFile(loadScenario(o.scenario).name);
  const existing = existsSync(file) ? loadRatesTable(file) : [];
  const fresh = await rateSupernets({ ...o, table: file }, progress);
  const rows = mergeRates(existing, fresh);
  writeRatesTable(file, rows);
  return { file, rows: rows.length, runs: new Set(fresh.map((r) => `${r.head}/${r.cout}x${r.dfcl}/seed-${r.seed}`)).size };
}

// ---- the classical side, on the same test channels ----

export interface ClassicalTable {
  readonly scenario: string;
  /** Site scenarios: which users the test split holds (absent in files written before users were held out by position). */
  readonly holdout?: string;
  readonly samples: number;
  readonly snrDb: number;
  readonly commit: string;
  readonly command: string;
  readonly results: readonly BaselineSummary[];
}

export const classicalFile = (scenario: string) => ratesFile(scenario).replace(/\.csv$/, '.classical.json');

/** WMMSE's tolerance curve; ε = 10⁻⁵ (the paper's) also per start. */
export const WMMSE_TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5] as const;

export function runClassical(o: { readonly scenario: string; readonly samples?: number; readonly out?: string }, progress: Progress = SILENT): { file: string; table: ClassicalTable } {
  const s = loadScenario(o.scenario);
  if (s.model === 'cost2100') throw new InputError('scenario', o.scenario, 'allowed: a MIMO scenario');
  const test = asMimo(loadDataset(s, 'test', { log: (m) => progress.log(m) }));
  const samples = Math.min(test.count, o.samples ?? TABLE_SAMPLES);
  const channels = Array.from({ length: samples }, (_, i) => channelOf(test, i));
  progress.log(`classical precoders on ${samples} test samples (WMMSE: ${WMMSE_TOLERANCES.length} tolerances × 3 starts, cap ${CLASSICAL_WMMSE_CAP})`);
  const table: ClassicalTable = {
    scenario: s.name,
    ...(s.model === 'site' ? { holdout: s.holdout } : {}),
    samples,
    snrDb: s.snrDb,
    commit: commit(),
    command: `npx codesign rates --classical --scenario ${o.scenario}`,
    results: classicalSetWithProgress(channels, s.snrDb, { tolerances: WMMSE_TOLERANCES, maxIter: CLASSICAL_WMMSE_CAP }, progress),
  };
  const file = o.out ?? classicalFile(s.name);
  makeFolders(dirname(file));
  writeWhole(file, JSON.stringify(table, null, 1) + '\n');
  return { file, table };
}

export function loadClassical(scenario: string, file = classicalFile(scenario)): ClassicalTable {
  if (!existsSync(file)) throw new InputError('scenario', scenario, `no classical results at ${file}; allowed: a scenario with shipped rates, or write them with codesign rates --classical --scenario ${scenario}`);
  const t = JSON.parse(readFileSync(file, 'utf8')) as ClassicalTable;
  if (!Array.isArray(t.results) || typeof t.samples !== 'number') throw new InputError('scenario', scenario, `${file} is not a classical results file written by codesign rates --classical`);
  return t;
}
