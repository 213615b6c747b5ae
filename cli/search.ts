/** `codesign search` and `codesign results export`. */
import { InputError } from '../core/errors.ts';
import { cpus } from 'node:os';
import { oneOf, positiveInt, positiveIntList, positiveNumber } from '../core/validate.ts';
import { trainingPool } from '../search/pool.ts';
import { checkpointQuality, type QualityEvaluator } from '../search/checkpoint-quality.ts';
import { tableQuality } from '../search/table-quality.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { loadExperiment } from '../search/experiment.ts';
import { describeQuality, efficiencyFront, parseArchs, runPsoSearch, runSearch, syntheticQualityFn, type Experiment, type QualityFn } from '../search/run.ts';
import { ratesFile } from '../search/rates-table.ts';
import { ResultsStore } from '../search/store.ts';
import { table } from './format.ts';
import { presetByName } from '../sim/presets.ts';
import { exhaustive, pso } from '../search/pso.ts';
import { bitObjective, energyOfBits, groupedEnergy, groupedSyntheticQuality, syntheticQuality } from '../search/objective.ts';

export interface SearchOptions {
  readonly db: string;
  readonly experiment: string;
  readonly archs: string;
  readonly heads?: string;
  readonly quality: string;
  readonly scenario: string;
  readonly samples: string;
  readonly preset: string;
  readonly throttleMs?: string;
  readonly algo: string;
  readonly budget?: string;
  readonly target?: string;
  readonly seed: string;
  readonly choices: string;
  readonly epochs: string;
  readonly batch: string;
  readonly lr: string;
  readonly threads?: string;
  readonly experimentFile?: string;
  readonly maxEvaluations?: string;
  /** Progress lines on stderr even when it is not a terminal. */
  readonly progress?: boolean;
}

async function qualityFn(exp: Experiment, threads: number): Promise<QualityEvaluator> {
  const q = exp.quality;
  if (q.source === 'synthetic') return { fn: syntheticQualityFn(q.seed), concurrency: 1, close: async () => {} };
  if (q.source === 'table') return tableQuality(q.scenario, q.file);
  if (q.source === 'train') {
    // Dedicated training per configuration, on a worker pool; this process owns the store.
    const pool = trainingPool(threads);
    const fn: QualityFn = async ({ head, cout, dfcl, bits }) =>
      (await pool.run({ scenario: q.scenario, head, cout, dfcl, bits, epochs: q.epochs, batchSize: q.batchSize, learningRate: q.learningRate, seed: q.seed, testSamples: q.samples })).sumRate;
    return { fn, concurrency: threads, close: () => pool.close() };
  }
  return checkpointQuality(q.dir, q.scenario, q.samples);
}

/** PSO bit allocation for one architecture (max rate under --budget µJ, or min energy for --target rate). */
export async function runPsoCommand(o: SearchOptions) {
  const algorithm = oneOf('--algo', o.algo, ['ppso', 'gcpso'] as const);
  if ((o.budget === undefined) === (o.target === undefined)) throw new InputError('--budget', o.budget ?? '(none)', 'allowed: exactly one of --budget (µJ, maximise the rate) or --target (bit/s/Hz, minimise the energy)');
  const problem = o.budget !== undefined ? { kind: 'max-quality' as const, budget: positiveNumber('--budget', o.budget) } : { kind: 'min-cost' as const, target: positiveNumber('--target', o.target!) };
  const exp = experimentOf(o);
  const quality = await qualityFn(exp, threadsOf(o));
  const store = await ResultsStore.open(o.db);
  try {
    const r = await runPsoSearch(exp, store, quality.fn, problem, {
      algorithm,
      seed: positiveInt('--seed', o.seed),
      ...(o.maxEvaluations !== undefined ? { maxEvaluations: positiveInt('--max-evaluations', o.maxEvaluations) } : {}),
    });
    return { algorithm, quality: describeQuality(exp.quality), problem, bits: r.bits, evaluation: r.result.bestEvaluation, qualityEvaluations: r.result.evaluations, freshEvaluations: r.freshEvaluations, space: r.space };
  } finally {
    store.close();
    await quality.close();
  }
}

function threadsOf(o: SearchOptions): number {
  return o.threads === undefined ? cpus().length : positiveInt('--threads', o.threads);
}

function experimentOf(o: SearchOptions): Experiment {
  if (o.experimentFile !== undefined) return loadExperiment(o.experimentFile);
  const synthetic = /^synthetic(?::(\d+))?$/.exec(o.quality);
  const table = /^table(?::(.+))?$/.exec(o.quality);
  const samples = positiveInt('--samples', o.samples);
  const quality: Experiment['quality'] = synthetic
    ? { source: 'synthetic', seed: Number(synthetic[1] ?? 1) }
    : table
      ? { source: 'table', scenario: o.scenario, file: table[1] ?? ratesFile(o.scenario) }
      : o.quality === 'train'
        ? { source: 'train', scenario: o.scenario, epochs: positiveInt('--epochs', o.epochs), batchSize: positiveInt('--batch', o.batch), learningRate: positiveNumber('--lr', o.lr), seed: positiveInt('--seed', o.seed), samples }
        : { source: 'checkpoint', dir: o.quality, scenario: o.scenario, samples };
  // A table holds both heads; a checkpoint or a dedicated training is one head (direct unless named).
  const heads = o.heads === undefined ? (quality.source === 'table' ? PRECODER_HEAD_NAMES : ['direct' as const]) : o.heads.split(',').map((h) => oneOf('--heads', h.trim(), PRECODER_HEAD_NAMES));
  return { name: o.experiment, heads, archs: parseArchs(o.archs), bitChoices: positiveIntList('--choices', o.choices, { max: 32 }), preset: o.preset, quality };
}

export async function runSearchCommand(o: SearchOptions) {
  const exp = experimentOf(o);
  const throttleMs = o.throttleMs === undefined ? undefined : positiveInt('--throttle-ms', o.throttleMs);
  const quality = await qualityFn(exp, threadsOf(o));
  const store = await ResultsStore.open(o.db);
  try {
    const outcome = await runSearch(exp, store, quality, {
      throttleMs,
      concurrency: quality.concurrency,
      onProgress: (done, total) => {
        if (done % 16 === 0 || done === total) {
          if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} points`);
          else if (o.progress) process.stderr.write(`${done}/${total} points stored\n`);
        }
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    return { ...outcome, quality: describeQuality(exp.quality), front: efficiencyFront(outcome.points).map((f) => f.item) };
  } finally {
    store.close();
    await quality.close();
  }
}

export function renderSearch(r: Awaited<ReturnType<typeof runSearchCommand>>): string {
  return [
    `${r.total} points: ${r.reused} reused from the store, ${r.evaluated} evaluated${r.missing.length > 0 ? `; ${r.missing.length} points of the space are not in the quality source and were not searched` : ''}`,
    `sum rates: ${r.quality}`,
    'Pareto front (energy efficiency vs sum rate):',
    table(
      ['head', 'C_out/D_FCL', 'bits', 'sum rate', 'energy µJ', 'bit/s/Hz/µJ'],
      r.front.map((p) => [p.head, `${p.cout}/${p.dfcl}`, p.bits.join(','), p.sumRate, p.energy_uJ, p.sumRate / p.energy_uJ]),
    ),
  ].join('\n');
}

export async function runExport(o: { db: string; format: string; out: string }) {
  const format = oneOf('--format', o.format, ['csv', 'parquet'] as const);
  const store = await ResultsStore.open(o.db);
  try {
    return { rows: await store.export(o.out, format), file: o.out, format };
  } finally {
    store.close();
  }
}

/**
 * PSO on bits per group of output channels (`--groups G`): 4·G dimensions, 4^(4G) allocations,
 * far beyond enumeration. Rates come from the seeded synthetic model (a trained supernet rates
 * per-layer bits only), and nothing is stored: the store keys points by per-layer bits. The
 * per-layer optimum (G = 1, enumerated) is reported beside it, since that space is contained.
 */
export async function runGroupedPsoCommand(o: SearchOptions & { readonly groups: string; readonly cout?: string; readonly dfcl?: string }) {
  const algorithm = oneOf('--algo', o.algo, ['ppso', 'gcpso'] as const);
  const groups = positiveInt('--groups', o.groups, 64);
  const synthetic = /^synthetic(?::(\d+))?$/.exec(o.quality);
  if (!synthetic) throw new InputError('--quality', o.quality, 'allowed with --groups: synthetic[:seed] (per-group rates have no trained source)');
  if ((o.budget === undefined) === (o.target === undefined)) throw new InputError('--budget', o.budget ?? '(none)', 'allowed: exactly one of --budget (µJ) or --target (bit/s/Hz)');
  const problem = o.budget !== undefined ? { kind: 'max-quality' as const, budget: positiveNumber('--budget', o.budget) } : { kind: 'min-cost' as const, target: positiveNumber('--target', o.target!) };
  const [arch] = parseArchs(o.archs === 'all' ? '64x1024' : o.archs);
  const choices = positiveIntList('--choices', o.choices, { max: 32 });
  const preset = presetByName(o.preset);
  const seed = Number(synthetic[1] ?? 1);
  const cost = groupedEnergy(arch.cout, arch.dfcl, preset, groups, choices);
  const quality = groupedSyntheticQuality(seed, groups);
  const atBits = (x: readonly number[]) => x.map((i) => choices[i]);
  const r = await pso(4 * groups, choices.length, { cost: (x) => cost(atBits(x)), quality: (x) => quality(atBits(x)) }, problem, {
    algorithm,
    particles: 10,
    iterations: 20,
    seed: positiveInt('--seed', o.seed),
  });
  const perLayer = exhaustive(4, choices.length, bitObjective(energyOfBits(arch.cout, arch.dfcl, preset), syntheticQuality(seed), choices), problem);
  return {
    algorithm,
    quality: describeQuality({ source: 'synthetic', seed }),
    groups,
    dimensions: 4 * groups,
    space: `${choices.length}^${4 * groups}`,
    bits: r.best ? atBits(r.best) : null,
    evaluation: r.bestEvaluation,
    evaluations: r.evaluations,
    perLayerOptimum: perLayer.evaluation,
  };
}
