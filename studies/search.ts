/**
 * Searches of the seed-000 space into the results store: exhaustive over heads × architectures ×
 * bits (resumable), PSO bit allocation for one architecture (seed 004), PSO over bits per group
 * of output channels, and exporting the store.
 */
import { doneOfTotal, SILENT, type Progress } from '../core/progress.ts';
import { trainingPool } from '../search/pool.ts';
import type { TrainingJob, TrainingJobResult } from '../search/training-job.ts';
import { checkpointQuality } from '../search/checkpoint-quality.ts';
import { tableQuality } from '../search/table-quality.ts';
import { pointKey, type TableRate } from '../search/rates-table.ts';
import { describeQuality, efficiencyFront, experimentHardware, experimentSize, type PrecoderSize, PointFailure, runPsoSearch, runSearch, syntheticQualityFn, type Experiment, type QualityEvaluator, type QualityFn, type QualitySource } from '../search/run.ts';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PrecoderHead } from '../nets/heads.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { canonicalJson } from '../search/store.ts';
import { evaluateSupernet, type SupernetSweep } from './eval.ts';
import { trainPrecoder, type PrecoderTraining } from './train.ts';
import { ResultsStore } from '../search/store.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { describeMachine } from '../sim/machine.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import type { StoredPoint } from '../search/store.ts';
import { priced } from './verdict.ts';
import { exhaustive, pso, type PsoOptions, type Problem as PsoProblem } from '../search/pso.ts';

type PsoAlgorithm = PsoOptions['algorithm'];
import { bitObjective, energyOfBits, groupedEnergy, groupedSyntheticQuality, syntheticQuality } from '../search/objective.ts';

export interface SearchStudy {
  /** The results store (created if missing; stored points are reused). */
  readonly db: string;
  readonly experiment: Experiment;
  /** Worker threads of dedicated trainings (quality source 'train'). */
  readonly threads: number;
  /** A wait after each evaluation (demos and resume tests). */
  readonly throttleMs?: number;
  /** Dedicated trainings on the BullMQ queue in this Redis instead of the local pool. */
  readonly redis?: string;
}

export interface PsoStudy extends SearchStudy {
  readonly algorithm: PsoAlgorithm;
  readonly problem: PsoProblem;
  readonly seed: number;
  readonly maxEvaluations?: number;
}

/** Jobs the coordinator keeps enqueued at once on a queue (workers take them as they free up). */
const QUEUE_IN_FLIGHT = 256;

async function qualityFn(exp: Experiment, threads: number, redis?: string): Promise<QualityEvaluator> {
  const q = exp.quality;
  if (q.source === 'synthetic') return { fn: syntheticQualityFn(q.seed), concurrency: 1, close: async () => {} };
  if (q.source === 'table') return tableQuality(q.scenario, q.file);
  if (q.source === 'train' && redis !== undefined) {
    // Workers anywhere run the trainings; this process enqueues them and owns the store.
    const { jobQueue } = await import('../search/queue.ts');
    const queue = await jobQueue(redis);
    const fn: QualityFn = async ({ head, cout, dfcl, bits }, key) => {
      const job: TrainingJob = { scenario: q.scenario, head, cout, dfcl, bits, epochs: q.epochs, batchSize: q.batchSize, learningRate: q.learningRate, seed: q.seed, testSamples: q.samples };
      return (await queue.run<TrainingJobResult>('train-point', key, job)).sumRate;
    };
    return { fn, concurrency: QUEUE_IN_FLIGHT, close: () => queue.close() };
  }
  if (q.source === 'supernet') return supernetQuality(q, exp, redis);
  if (q.source === 'train') {
    // Dedicated training per configuration, on a worker pool; this process owns the store.
    const pool = trainingPool(threads);
    const fn: QualityFn = async ({ head, cout, dfcl, bits }) =>
      (await pool.run({ scenario: q.scenario, head, cout, dfcl, bits, epochs: q.epochs, batchSize: q.batchSize, learningRate: q.learningRate, seed: q.seed, testSamples: q.samples })).sumRate;
    return { fn, concurrency: threads, close: () => pool.close() };
  }
  return checkpointQuality(q.dir, q.scenario, q.samples);
}

/**
 * Rates from supernets: the first point of a head and architecture trains its supernet (a job
 * on the queue, or here), then rates every configuration of the space from it (another job);
 * the other points of that architecture wait for the same ratings.
 */
async function supernetQuality(q: Extract<QualitySource, { source: 'supernet' }>, exp: Experiment, redis?: string): Promise<QualityEvaluator> {
  const scenario = loadScenario(q.scenario);
  const preset = experimentHardware(exp);
  const queue = redis === undefined ? undefined : await (await import('../search/queue.ts')).jobQueue(redis);
  const ratings = new Map<string, Promise<Map<string, number>>>();
  const rate = async (head: PrecoderHead, cout: number, dfcl: number): Promise<Map<string, number>> => {
    const training: PrecoderTraining = {
      backend: 'auto',
      // The layout `rates --supernets` reads (DIR/<head>/<C_out>x<D_FCL>/seed-<s>), so a supernet
      // trained here is rated there without moving files.
      out: join(q.dir, head, `${cout}x${dfcl}`, `seed-${q.seed}`),
      scenario,
      cout,
      dfcl,
      bits: [16, 16, 16, 16],
      head,
      supernet: true,
      supernetChoices: exp.bitChoices,
      seeds: 1,
      hyperparameters: { epochs: q.epochs, batchSize: q.batchSize, learningRate: q.learningRate, patience: q.epochs, seed: q.seed },
      freshChannels: false,
    };
    const sweep: SupernetSweep = { checkpoint: training.out!, scenario, samples: q.samples, preset, choices: exp.bitChoices };
    const key = (kind: string, data: unknown) => createHash('sha256').update(canonicalJson({ kind, data })).digest('hex').slice(0, 32);
    if (queue) await queue.run('train-precoder', key('train-precoder', training), training);
    else await trainPrecoder(training);
    const rows = queue ? await queue.run<Awaited<ReturnType<typeof evaluateSupernet>>>('eval-supernet', key('eval-supernet', sweep), sweep) : await evaluateSupernet(sweep);
    return new Map(rows.map((r) => [r.bits.join(','), r.sumRate]));
  };
  // Here, one training at a time (one tfjs backend in this process); on the queue, all at once.
  let here: Promise<unknown> = Promise.resolve();
  const fn: QualityFn = async ({ head, cout, dfcl, bits }) => {
    const arch = `${head}-${cout}x${dfcl}`;
    if (!ratings.has(arch)) {
      const next = queue ? rate(head, cout, dfcl) : here.then(() => rate(head, cout, dfcl));
      here = next.catch(() => {});
      ratings.set(arch, next);
    }
    const sumRate = (await ratings.get(arch)!).get(bits.join(','));
    if (sumRate === undefined) throw new PointFailure(`bits ${bits.join(',')} not rated by the supernet of ${arch}`);
    return sumRate;
  };
  return { fn, concurrency: QUEUE_IN_FLIGHT, close: async () => queue?.close() };
}

/** PSO bit allocation for one architecture (max rate within a budget, or min energy reaching a target rate). */
export async function psoSearch(c: PsoStudy) {
  const { algorithm, problem } = c;
  const exp = c.experiment;
  const quality = await qualityFn(exp, c.threads);
  const store = await ResultsStore.open(c.db);
  try {
    const r = await runPsoSearch(exp, store, quality.fn, problem, { algorithm, seed: c.seed, ...(c.maxEvaluations !== undefined ? { maxEvaluations: c.maxEvaluations } : {}) });
    return { algorithm, quality: describeQuality(exp.quality), problem, bits: r.bits, evaluation: r.result.bestEvaluation, qualityEvaluations: r.result.evaluations, freshEvaluations: r.freshEvaluations, space: r.space };
  } finally {
    store.close();
    await quality.close();
  }
}

/** The exhaustive search: every point of the experiment's space, stored as it is rated. */
export async function searchSpace(c: SearchStudy, progress: Progress = SILENT) {
  const exp = c.experiment;
  const quality = await qualityFn(exp, c.threads, c.redis);
  const store = await ResultsStore.open(c.db);
  try {
    const outcome = await runSearch(exp, store, quality, { throttleMs: c.throttleMs, concurrency: quality.concurrency, onProgress: doneOfTotal(progress, 'points stored') });
    const front = efficiencyFront(outcome.points).map((f) => f.item);
    return {
      ...outcome,
      quality: describeQuality(exp.quality),
      front,
      noise: frontNoise(front, 'rates' in quality ? (quality as { rates: ReadonlyMap<string, TableRate> }).rates : undefined),
      machine: describeMachine(experimentHardware(exp)),
      timing: frontTiming(front, experimentHardware(exp), experimentSize(exp)),
    };
  } finally {
    store.close();
    await quality.close();
  }
}

/**
 * Each front point on the table's machine (sim/machine.ts): the engine's energy, latency and
 * energy-delay product, beside the closed form the search ranked by — latency is the second
 * objective a precision-scalable datapath (or a memory-bound machine) makes worth reading.
 */
export function frontTiming(front: readonly Pick<StoredPoint, 'head' | 'cout' | 'dfcl' | 'bits'>[], preset: HardwarePreset, size: PrecoderSize) {
  return front.map((p) => {
    const r = priced(buildPrecoder({ cout: p.cout, dfcl: p.dfcl, nt: size.nt, nu: size.nu, bits: p.bits as readonly [number, number, number, number], head: p.head }), preset);
    return { engine_uJ: r.engine_uJ, cycles: r.cycles, latency_us: r.latency_us, edp_uJ_us: r.engine_uJ * r.latency_us };
  });
}

/**
 * For each front point (in the front's order, rising rate): its 95% half-width where the table
 * has it, and whether its rate is above the cheaper front point before it beyond noise — when
 * the two intervals overlap the front does not rank them ("equal within noise").
 */
export function frontNoise(front: readonly { head: PrecoderHead; cout: number; dfcl: number; bits: readonly number[]; sumRate: number }[], rates?: ReadonlyMap<string, TableRate>) {
  const ci = (p: (typeof front)[number]) => rates?.get(pointKey(p))?.ci95 ?? null;
  return front.map((p, i) => {
    const prev = i > 0 ? front[i - 1] : undefined;
    const a = ci(p);
    const b = prev ? ci(prev) : null;
    const vsPrevious = !prev || a === null || b === null ? null : p.sumRate - a > prev.sumRate + b ? 'higher' : 'equal within noise';
    return { ci95: a, vsPrevious };
  });
}

export async function exportResults(o: { readonly db: string; readonly format: 'csv' | 'parquet'; readonly out: string }) {
  const { format } = o;
  const store = await ResultsStore.open(o.db, 'read');
  try {
    return { rows: await store.export(o.out, format), file: o.out, format };
  } finally {
    store.close();
  }
}

export interface GroupedPsoStudy {
  readonly algorithm: PsoAlgorithm;
  /** Groups of output channels per layer (4·groups dimensions). */
  readonly groups: number;
  readonly problem: PsoProblem;
  readonly arch: { readonly cout: number; readonly dfcl: number };
  readonly choices: readonly number[];
  readonly preset: HardwarePreset;
  /** Seed of the synthetic rates (per-group rates have no trained source). */
  readonly qualitySeed: number;
  readonly seed: number;
}

/**
 * PSO on bits per group of output channels: 4·G dimensions, 4^(4G) allocations, far beyond
 * enumeration. Rates come from the seeded synthetic model (a trained supernet rates per-layer
 * bits only), and nothing is stored: the store keys points by per-layer bits. The per-layer
 * optimum (G = 1, enumerated) is reported beside it, since that space is contained.
 */
export async function groupedPso(c: GroupedPsoStudy) {
  const { algorithm, groups, problem, arch, choices, preset } = c;
  const seed = c.qualitySeed;
  const cost = groupedEnergy(arch.cout, arch.dfcl, preset, groups, choices);
  const quality = groupedSyntheticQuality(seed, groups);
  const atBits = (x: readonly number[]) => x.map((i) => choices[i]);
  const r = await pso(4 * groups, choices.length, { cost: (x) => cost(atBits(x)), quality: (x) => quality(atBits(x)) }, problem, {
    algorithm,
    particles: 10,
    iterations: 20,
    seed: c.seed,
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
