/**
 * The regime map: where a learned precoder pays. For each site scenario × per-antenna SNR ×
 * number of users (a cell), on the cell's held-out test positions:
 *
 * - the classical set (MRT, ZF, RZF, equal-power RZF, WMMSE from each start at each tolerance),
 *   each with its rate and its energy (our measured count; closed form and engine);
 * - each learned head (structured, unfolded) at (8, 512), trained once as a bit-width supernet by
 *   the stated rule and rated at uniform 2/4/8/16 bits, with 95% intervals and the paired
 *   difference to equal-power RZF on the same samples;
 * - the verdict: the cheapest answer reaching RATE_SHARE of the best classical rate (a DNN whose
 *   gain over equal-power RZF is within noise claims equal-power RZF's rate, as in the report),
 *   and the DNN's energy ÷ the cheapest classical answer's.
 *
 * Resumable: each finished cell is a JSON file; an interrupted training resumes from its
 * checkpoint. Pure functions (the cell's scenario, the verdict, the table) are separate from the
 * runner so that tests check them on their own.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineGraphs, CLASSICAL_WMMSE_CAP, CLOSED_FORM_ITERATIONS, closedFormLabel, type BaselineSummary } from '../baselines/run.ts';
import { InputError } from '../core/errors.ts';
import { makeFolders, writeWhole } from '../core/files.ts';
import { SILENT, type Progress } from '../core/progress.ts';
import { estimate, pairedDifference, verdictOf } from '../core/stats.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { channelOf } from '../scenarios/dataset.ts';
import { validateScenario, type Scenario } from '../scenarios/schema.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { CONVERGENCE_DEFAULTS, type BackendChoice } from '../train/defaults.ts';
import { classicalSetWithProgress } from './classical-energy.ts';
import { mimoSplit, trainPrecoder, type PrecoderTraining } from './train.ts';
import { priced, RATE_SHARE } from './verdict.ts';

/** The learned heads the map trains (the direct head needs far longer trainings: docs/training.md). */
export const REGIME_HEADS = ['structured', 'unfolded'] as const;
export type RegimeHead = (typeof REGIME_HEADS)[number];

/** The architecture every cell trains: seed 000's smallest. */
export const REGIME_ARCH = { cout: 8, dfcl: 512 } as const;

/** The WMMSE tolerances of each cell's classical set (each start at each). */
export const REGIME_TOLERANCES = [1e-1, 1e-2, 1e-3, 1e-5] as const;

export interface RegimeGrid {
  readonly sites: readonly Scenario[];
  readonly snrDb: readonly number[];
  readonly users: readonly number[];
  readonly heads: readonly RegimeHead[];
  readonly bits: readonly number[];
  /** Test samples per cell (the first n of its test split). */
  readonly samples: number;
  /** The training rule: batch 100, lr 1e-3, fresh channels each epoch, stop by the convergence rule after minSteps, at most maxEpochs. */
  readonly training: { readonly minSteps: number; readonly maxEpochs: number };
  readonly preset: HardwarePreset;
  readonly out: string;
  readonly backend: BackendChoice;
}

export interface Cell {
  readonly site: string;
  readonly snrDb: number;
  readonly nu: number;
}

export const cellId = (c: Cell) => `${c.site}-${c.snrDb}db-${c.nu}u`;

/** A cell's scenario: the site's, with its users and per-antenna SNR replaced (held-out positions kept). */
export function cellScenario(site: Scenario, snrDb: number, nu: number): Scenario {
  if (site.model !== 'site') throw new InputError('--sites', site.name, 'allowed: site scenarios (model "site": udem-nlos, okapark-los, …), whose users stand at positions a cell can hold out');
  const name = cellId({ site: site.name, snrDb, nu });
  const description = `${site.name} at ${snrDb} dB mean per-antenna SNR with ${nu} users per group (a regime-map cell; positions held out as in ${site.name})`;
  return validateScenario({ ...site, name, description, nu, snrDb }, name);
}

/** One answer in a cell: a classical algorithm or a head at uniform bits. */
export interface RegimeAnswer {
  readonly kind: 'classical' | 'dnn';
  readonly label: string;
  readonly sumRate: number;
  readonly ci95: number;
  /** DNN − equal-power RZF on the same samples (DNN answers only). */
  readonly vsRzfEp?: { readonly mean: number; readonly ci95: number; readonly verdict: string };
  readonly closedForm_uJ: number;
  readonly engine_uJ: number;
  readonly latency_us: number;
}

export interface CellResult extends Cell {
  readonly samples: number;
  readonly answers: readonly RegimeAnswer[];
  readonly training: readonly { readonly head: RegimeHead; readonly steps: number; readonly stopReason: string; readonly seconds: number }[];
  readonly verdict: CellVerdict;
}

export interface CellVerdict {
  readonly bestClassical: number;
  readonly target: number;
  readonly cheapestClassical: RegimeAnswer;
  readonly cheapestDnn: RegimeAnswer | null;
  /** 'dnn' only when a DNN reaches the target for less closed-form energy than the cheapest classical answer. */
  readonly winner: 'dnn' | 'classical';
  /** The cheapest DNN's closed-form energy ÷ the cheapest classical answer's (null: no DNN reaches the target). */
  readonly energyRatio: number | null;
  readonly engineRatio: number | null;
}

/** The rate a DNN may claim: equal-power RZF's when its paired gain over it is within noise. */
export const claimed = (a: RegimeAnswer, rzfEp: number) => (a.vsRzfEp && !(a.vsRzfEp.mean - a.vsRzfEp.ci95 > 0) ? Math.min(a.sumRate, rzfEp) : a.sumRate);

export function cellVerdict(answers: readonly RegimeAnswer[]): CellVerdict {
  const classical = answers.filter((a) => a.kind === 'classical');
  const rzfEp = classical.find((a) => a.label === 'equal-power RZF');
  if (!rzfEp) throw new Error('a cell’s classical set holds equal-power RZF');
  const bestClassical = Math.max(...classical.map((a) => a.sumRate));
  const target = RATE_SHARE * bestClassical;
  const cheapest = (list: readonly RegimeAnswer[]) => (list.length === 0 ? null : list.reduce((a, b) => (b.closedForm_uJ < a.closedForm_uJ ? b : a)));
  const cheapestClassical = cheapest(classical.filter((a) => a.sumRate >= target))!;
  const cheapestDnn = cheapest(answers.filter((a) => a.kind === 'dnn' && claimed(a, rzfEp.sumRate) >= target));
  return {
    bestClassical,
    target,
    cheapestClassical,
    cheapestDnn,
    winner: cheapestDnn && cheapestDnn.closedForm_uJ < cheapestClassical.closedForm_uJ ? 'dnn' : 'classical',
    energyRatio: cheapestDnn ? cheapestDnn.closedForm_uJ / cheapestClassical.closedForm_uJ : null,
    engineRatio: cheapestDnn ? cheapestDnn.engine_uJ / cheapestClassical.engine_uJ : null,
  };
}

/** A classical algorithm under our measured count (labels as baselines/run.ts LABELS gives them). */
const classicalAnswer = (s: BaselineSummary, preset: HardwarePreset): RegimeAnswer => ({
  kind: 'classical',
  label: s.label,
  sumRate: s.meanSumRate,
  ci95: estimate(s.perSample!).halfWidth,
  ...pick(priced(baselineGraphs(s).measured, preset)),
});

/** A cell's classical set on its test samples, and those samples. */
function cellClassical(grid: RegimeGrid, scenario: Scenario, snrDb: number, progress: Progress) {
  const test = mimoSplit(scenario, 'test', progress, grid.samples);
  const channels = Array.from({ length: test.count }, (_, i) => channelOf(test, i));
  const classical = classicalSetWithProgress(channels, snrDb, { tolerances: REGIME_TOLERANCES, maxIter: CLASSICAL_WMMSE_CAP }, progress);
  return { test, classical, answers: classical.map((s) => classicalAnswer(s, grid.preset)) };
}

/**
 * A finished cell whose classical set is older than the code's (a classical answer added since,
 * e.g. the closed-form-regulariser WMMSE rows): its classical answers and verdict recomputed on
 * the same samples, its DNN answers (trained and rated) kept. Null when it is up to date.
 */
export function refreshedClassical(grid: RegimeGrid, site: Scenario, cell: CellResult, progress: Progress = SILENT): CellResult | null {
  const scenario = cellScenario(site, cell.snrDb, cell.nu);
  const have = new Set(cell.answers.filter((a) => a.kind === 'classical').map((a) => a.label));
  if (CLOSED_FORM_ITERATIONS.every((k) => have.has(closedFormLabel(k)))) return null;
  const { answers } = cellClassical(grid, scenario, cell.snrDb, progress);
  const all = [...answers, ...cell.answers.filter((a) => a.kind === 'dnn')];
  return { ...cell, answers: all, verdict: cellVerdict(all) };
}

/** Runs one cell (its trainings resume from their checkpoints) and returns its result. */
export async function runCell(grid: RegimeGrid, site: Scenario, snrDb: number, nu: number, progress: Progress = SILENT): Promise<CellResult> {
  const scenario = cellScenario(site, snrDb, nu);
  const dir = join(grid.out, 'cells', scenario.name);
  makeFolders(dir);
  const { test, classical, answers } = cellClassical(grid, scenario, snrDb, progress);
  const rzfEp = classical.find((s) => s.algorithm === 'rzf-ep')!;
  const training: CellResult['training'][number][] = [];
  const { initBackend, tf } = await import('../train/backend.ts');
  const { modelFromCheckpoint, sampleRates } = await import('../train/trainer.ts');
  for (const head of grid.heads) {
    const run = join(dir, head);
    const summaryFile = join(run, 'summary.json');
    if (!existsSync(summaryFile)) {
      const config: PrecoderTraining = {
        backend: grid.backend,
        out: run,
        scenario,
        ...REGIME_ARCH,
        bits: [16, 16, 16, 16],
        head,
        supernet: true,
        supernetChoices: grid.bits,
        seeds: 1,
        freshChannels: true,
        hyperparameters: { epochs: grid.training.maxEpochs, batchSize: 100, learningRate: 1e-3, patience: 1000, seed: 1, convergence: { ...CONVERGENCE_DEFAULTS, minSteps: grid.training.minSteps } },
      };
      progress.log(`${scenario.name}: training the ${head} head (8, 512) supernet`);
      const summary = await trainPrecoder(config, progress);
      writeWhole(summaryFile, JSON.stringify(summary, null, 2) + '\n');
    }
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Awaited<ReturnType<typeof trainPrecoder>>;
    const r = summary.seeds[0].result;
    training.push({ head, steps: r.steps, stopReason: r.stopReason, seconds: Math.round(r.trainMs / 1000) });
    await initBackend(grid.backend);
    const { model } = modelFromCheckpoint(run);
    for (const b of grid.bits) {
      const bits = [b, b, b, b] as const;
      const perSample = await sampleRates(model, test, new Map(model.quantizedLayers.map((name) => [name, b])));
      const rate = estimate(perSample);
      const d = pairedDifference(perSample, rzfEp.perSample!);
      const graph = buildPrecoder({ ...REGIME_ARCH, nt: test.nt, nu, bits, head, power: test.power, noiseVar: test.noiseVar });
      answers.push({ kind: 'dnn', label: `${head} 8/512 [${bits.join(',')}]`, sumRate: rate.mean, ci95: rate.halfWidth, vsRzfEp: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) }, ...pick(priced(graph, grid.preset)) });
    }
    model.dispose();
    tf.disposeVariables();
  }
  return { site: site.name, snrDb, nu, samples: test.count, answers, training, verdict: cellVerdict(answers) };
}

const pick = (p: ReturnType<typeof priced>) => ({ closedForm_uJ: p.closedForm_uJ, engine_uJ: p.engine_uJ, latency_us: p.latency_us });

export interface RegimeRun {
  readonly cells: readonly CellResult[];
  /** Cells found finished on disk (not run again). */
  readonly reused: number;
}

/** Every cell of the grid, in order; a cell whose JSON exists is read back, not run. */
export async function runRegimes(grid: RegimeGrid, progress: Progress = SILENT): Promise<RegimeRun> {
  const cells: CellResult[] = [];
  let reused = 0;
  const total = grid.sites.length * grid.snrDb.length * grid.users.length;
  const task = progress.task('regime cells', total);
  try {
    for (const site of grid.sites) {
      for (const snrDb of grid.snrDb) {
        for (const nu of grid.users) {
          const file = join(grid.out, 'cells', `${cellId({ site: site.name, snrDb, nu })}.json`);
          if (existsSync(file)) {
            const cell = JSON.parse(readFileSync(file, 'utf8')) as CellResult;
            const refreshed = refreshedClassical(grid, site, cell, progress);
            if (refreshed) writeWhole(file, JSON.stringify(refreshed, null, 2) + '\n');
            cells.push(refreshed ?? cell);
            reused++;
          } else {
            const cell = await runCell(grid, site, snrDb, nu, progress);
            writeWhole(file, JSON.stringify(cell, null, 2) + '\n');
            cells.push(cell);
          }
          // Every finished cell under --out (another process may be running other sites into it).
          writeWhole(join(grid.out, 'regimes.csv'), regimesCsv(readCells(grid.out)));
          task.tick(1);
        }
      }
    }
  } finally {
    task.end();
  }
  return { cells, reused };
}

/** The shipped map: `codesign regimes --out out/regimes`, its cells' JSON copied to data/regimes/cells (bench/regimes.sh). */
export const REGIMES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'regimes');

/** What the report says of a map in one object (null: no cells shipped). */
export function regimeSummary(cells: readonly CellResult[]) {
  if (cells.length === 0) return null;
  const won = cells.filter((c) => c.verdict.winner === 'dnn');
  return {
    source: 'data/regimes (codesign regimes: classical set and trained heads per cell, energies under our measured count on the table it ran with)',
    cells: cells.length,
    dnnCheaper: won.map((c) => `${c.site} ${c.snrDb} dB ${c.nu} users: ${c.verdict.cheapestDnn!.label} ×${c.verdict.energyRatio!.toPrecision(3)}`),
    classicalCheaper: cells.filter((c) => c.verdict.winner === 'classical' && c.verdict.cheapestDnn !== null).length,
    noDnnReaches: cells.filter((c) => c.verdict.cheapestDnn === null).length,
  };
}

/** Finished cells under a run's folder (for the report). */
export function readCells(out: string): CellResult[] {
  const dir = join(out, 'cells');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CellResult);
}

const CSV_COLUMNS = [
  'site', 'snr_db', 'users', 'samples', 'eq_rzf', 'zf', 'wmmse_best', 'target',
  'cheapest_classical', 'classical_rate', 'classical_closed_form_uJ', 'classical_engine_uJ', 'classical_latency_us',
  'cheapest_dnn', 'dnn_rate', 'dnn_ci95', 'dnn_vs_eq_rzf', 'dnn_closed_form_uJ', 'dnn_engine_uJ', 'dnn_latency_us',
  'winner', 'dnn_over_classical_closed_form', 'dnn_over_classical_engine', 'training',
] as const;

/** One row per cell: the classical anchors, the cheapest answers reaching the target, the verdict. */
export function regimesCsv(cells: readonly CellResult[]): string {
  const rate = (c: CellResult, label: string) => c.answers.find((a) => a.label === label)?.sumRate;
  const num = (x: number | null | undefined, digits = 4) => (x === null || x === undefined ? '' : Number(x.toPrecision(digits + 2)).toString());
  const quote = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = cells.map((c) => {
    const v = c.verdict;
    const wmmse = Math.max(...c.answers.filter((a) => a.label.startsWith('WMMSE')).map((a) => a.sumRate));
    const d = v.cheapestDnn;
    return [
      c.site, c.snrDb, c.nu, c.samples, num(rate(c, 'equal-power RZF')), num(rate(c, 'ZF')), num(wmmse), num(v.target),
      quote(v.cheapestClassical.label), num(v.cheapestClassical.sumRate), num(v.cheapestClassical.closedForm_uJ), num(v.cheapestClassical.engine_uJ), num(v.cheapestClassical.latency_us),
      d ? quote(d.label) : '', num(d?.sumRate), num(d?.ci95), d?.vsRzfEp ? num(d.vsRzfEp.mean) : '', num(d?.closedForm_uJ), num(d?.engine_uJ), num(d?.latency_us),
      v.winner, num(v.energyRatio), num(v.engineRatio),
      quote(c.training.map((t) => `${t.head}: ${t.steps} steps, ${t.stopReason}, ${t.seconds} s`).join('; ')),
    ].join(',');
  });
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** The map as a vega-lite spec: SNR × users per site, coloured by log₁₀(DNN ÷ cheapest classical energy), "classical" where no DNN reaches the target. */
export function regimeMapSpec(cells: readonly CellResult[]): Record<string, unknown> {
  const values = cells.map((c) => {
    const r = c.verdict.energyRatio;
    return {
      site: c.site,
      snr: c.snrDb,
      users: c.nu,
      log10Ratio: r === null ? null : Math.log10(r),
      text: r === null ? 'no DNN' : `×${r >= 10 ? r.toFixed(0) : r.toPrecision(2)}`,
      winner: c.verdict.winner,
      classical: `${c.verdict.cheapestClassical.label}: ${c.verdict.cheapestClassical.sumRate.toFixed(2)} bit/s/Hz, ${c.verdict.cheapestClassical.closedForm_uJ.toPrecision(3)} µJ`,
      dnn: c.verdict.cheapestDnn ? `${c.verdict.cheapestDnn.label}: ${c.verdict.cheapestDnn.sumRate.toFixed(2)} ± ${c.verdict.cheapestDnn.ci95.toFixed(2)}, ${c.verdict.cheapestDnn.closedForm_uJ.toPrecision(3)} µJ` : 'none reaches the target',
    };
  });
  return {
    data: { values },
    facet: { column: { field: 'site', type: 'nominal', title: 'site' } },
    spec: {
      width: 260,
      height: 180,
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: 'snr', type: 'ordinal', title: 'per-antenna SNR (dB)', axis: { labelAngle: 0 } },
            y: { field: 'users', type: 'ordinal', title: 'users N_U', sort: 'descending' },
            color: { field: 'log10Ratio', type: 'quantitative', title: 'log₁₀ ratio', scale: { scheme: 'redblue', domain: [-2, 2], clamp: true, reverse: true } },
            tooltip: [{ field: 'site' }, { field: 'snr' }, { field: 'users' }, { field: 'winner' }, { field: 'classical', title: 'cheapest classical at 98%' }, { field: 'dnn', title: 'cheapest DNN at 98%' }],
          },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { x: { field: 'snr', type: 'ordinal' }, y: { field: 'users', type: 'ordinal', sort: 'descending' }, text: { field: 'text' } } },
      ],
    },
  };
}
