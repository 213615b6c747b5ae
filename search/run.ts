/**
 * An exhaustive search of the seed-000 space (architectures × per-layer weight bits) into the
 * results store: every point is priced with the closed-form energy and rated by a quality
 * source — a supernet checkpoint's sum rate on a scenario's test split, or a seeded synthetic
 * model for dry runs — and stored as soon as it is evaluated. Stored points are skipped.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { presetByName, type HardwarePreset } from '../sim/presets.ts';
import { bitAssignments } from '../nets/bits.ts';
import { PRECODER_LAYERS } from '../nets/precoder.ts';
import { energyOfBits, syntheticQuality } from './objective.ts';
import { paretoFront } from './pareto.ts';
import { pso, psoSettings, type Problem } from './pso.ts';
import { pointHash, type ResultsStore, type StoredPoint } from './store.ts';
import type { PrecoderHead } from '../nets/heads.ts';
import type { PrecoderPoint } from './rates-table.ts';

export type QualitySource =
  /** A seeded formula, for tests and dry runs only: never a default, and labelled wherever it is shown. */
  | { readonly source: 'synthetic'; readonly seed: number }
  /** The shipped rates table of trained networks (data/rates/<scenario>.csv), or another table file. */
  | { readonly source: 'table'; readonly file: string; readonly scenario: string }
  | { readonly source: 'checkpoint'; readonly dir: string; readonly scenario: string; readonly samples: number }
  /** A dedicated training per configuration on the worker pool. */
  | { readonly source: 'train'; readonly scenario: string; readonly epochs: number; readonly batchSize: number; readonly learningRate: number; readonly seed: number; readonly samples: number }
  /**
   * One bit-width supernet trained per head and architecture (checkpoints under `dir`), then
   * every configuration of the space rated from it.
   */
  | { readonly source: 'supernet'; readonly scenario: string; readonly epochs: number; readonly batchSize: number; readonly learningRate: number; readonly seed: number; readonly samples: number; readonly dir: string };

export interface Experiment {
  readonly name: string;
  /** The head axis; the paper's direct head alone when absent. */
  readonly heads?: readonly PrecoderHead[];
  readonly archs: readonly { readonly cout: number; readonly dfcl: number }[];
  readonly bitChoices: readonly number[];
  /** A shipped table's name; `hardware` carries a table read from a file (stored under `preset`). */
  readonly preset: string;
  readonly hardware?: HardwarePreset;
  readonly quality: QualitySource;
  /** Antennas and users of the precoders (the scenario's); 64 × 4, the paper's, when absent. */
  readonly size?: PrecoderSize;
}

export interface PrecoderSize {
  readonly nt: number;
  readonly nu: number;
}

/** The precoders' size an experiment prices and stores. */
export const experimentSize = (exp: Pick<Experiment, 'size'>): PrecoderSize => exp.size ?? { nt: 64, nu: 4 };

/** The experiment's energy table: its file's, else the shipped one it names. */
export const experimentHardware = (exp: Experiment): HardwarePreset => exp.hardware ?? presetByName(exp.preset);


/** Rates a point; `key` is the content hash the store keys it by (a queue's job id). */
export type QualityFn = (point: PrecoderPoint, key: string) => Promise<number>;

/**
 * A point that could not be rated for a reason of its own (its job failed with a message):
 * recorded in the outcome, the rest of the search goes on.
 */
export class PointFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A source of rates, and (for a table) which points it has. */
export interface QualityEvaluator {
  readonly fn: QualityFn;
  readonly concurrency: number;
  /** Points the source can rate; every point when absent. */
  has?(point: PrecoderPoint): boolean;
  close(): Promise<void>;
}

export interface SearchOutcome {
  readonly total: number;
  readonly reused: number;
  readonly evaluated: number;
  /** Points of the space the quality source has no rate for (a table's gaps): not searched. */
  readonly missing: readonly PrecoderPoint[];
  /** Points whose rating failed (a job with a wrong input), with why: not stored. */
  readonly failed: readonly { readonly point: PrecoderPoint; readonly reason: string }[];
  readonly points: readonly StoredPoint[];
}

/** Every point of an experiment's space: heads × architectures × bit assignments. */
export function experimentPoints(exp: Experiment): PrecoderPoint[] {
  const heads = exp.heads ?? ['direct'];
  return heads.flatMap((head) => exp.archs.flatMap(({ cout, dfcl }) => bitAssignments(PRECODER_LAYERS.length, exp.bitChoices).map((bits) => ({ head, cout, dfcl, bits }))));
}

export async function runSearch(
  exp: Experiment,
  store: ResultsStore,
  evaluator: Pick<QualityEvaluator, 'fn' | 'has'>,
  options: { throttleMs?: number; concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<SearchOutcome> {
  const preset = experimentHardware(exp);
  // Rates read from a table or a formula cost nothing: they are stored in batches of one
  // statement each (a kill loses at most a batch of instant evaluations). Trained or throttled
  // evaluations are committed one by one as they finish.
  const instant = exp.quality.source === 'table' || exp.quality.source === 'synthetic';
  const batchSize = instant && !options.throttleMs ? 512 : 1;
  const stored = await store.hashes();
  const quality = evaluator.fn;
  const space = experimentPoints(exp);
  const missing = evaluator.has ? space.filter((p) => !evaluator.has!(p)) : [];
  const configs = evaluator.has ? space.filter((p) => evaluator.has!(p)) : space;
  let reused = 0;
  let evaluated = 0;
  let done = 0;
  const energies = new Map<string, (bits: readonly number[]) => number>();
  // Stores go one at a time through the coordinator's connection, in completion order.
  let writes: Promise<void> = Promise.resolve();
  const pending = configs.filter((c) => {
    const known = stored.has(pointHash(pointConfig(c, exp)));
    if (known) reused++;
    return !known;
  });
  done = reused;
  options.onProgress?.(done, configs.length);
  let next = 0;
  const failed: { point: PrecoderPoint; reason: string }[] = [];
  const worker = async () => {
    while (next < pending.length) {
      const c = pending[next++];
      const config = pointConfig(c, exp);
      const key = `${c.head}/${c.cout}x${c.dfcl}`;
      if (!energies.has(key)) energies.set(key, energyOfBits(c.cout, c.dfcl, preset, c.head, experimentSize(exp)));
      const energy = energies.get(key)!(c.bits);
      let sumRate: number;
      try {
        sumRate = await quality(c, pointHash(config));
      } catch (error) {
        if (!(error instanceof PointFailure)) throw error;
        failed.push({ point: c, reason: error.reason });
        options.onProgress?.(++done, configs.length);
        continue;
      }
      if (options.throttleMs) await new Promise((r) => setTimeout(r, options.throttleMs));
      batch.push({ hash: pointHash(config), experiment: exp.name, head: c.head, cout: c.cout, dfcl: c.dfcl, bits: c.bits, preset: exp.preset, energy_uJ: energy, sumRate, quality: describeQuality(exp.quality), config });
      if (batch.length >= batchSize) await flush();
      evaluated++;
      options.onProgress?.(++done, configs.length);
    }
  };
  const batch: StoredPoint[] = [];
  const flush = async () => {
    const points = batch.splice(0, batch.length);
    writes = writes.then(() => store.putMany(points));
    await writes;
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  await flush();
  const hashes = new Set(configs.map((c) => pointHash(pointConfig(c, exp))));
  const points = (await store.all()).filter((p) => hashes.has(p.hash));
  return { total: configs.length, reused, evaluated, missing, failed, points };
}

/**
 * A point's full configuration: what its content hash covers (the direct head's as it always
 * was). A rates table is identified by its content too, so a store never serves a rate of a table
 * that has since been regenerated under the same name.
 */
function pointConfig(c: PrecoderPoint, exp: Pick<Experiment, 'preset' | 'quality' | 'size'>) {
  const { preset, quality } = exp;
  const q = quality.source === 'table' ? { ...quality, sha256: tableContent(quality.file) } : quality;
  const { nt, nu } = experimentSize(exp);
  return { net: 'precoder', ...(c.head === 'direct' ? {} : { head: c.head }), cout: c.cout, dfcl: c.dfcl, nt, nu, bits: c.bits, preset, quality: q };
}

const tableHashes = new Map<string, string>();

/** SHA-256 of a rates table's bytes (read once per file, size and mtime, in a process). */
function tableContent(file: string): string {
  const st = statSync(file);
  const key = `${resolve(file)}|${st.size}|${st.mtimeMs}`;
  let hash = tableHashes.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    tableHashes.set(key, hash);
  }
  return hash;
}

export function describeQuality(q: QualitySource): string {
  if (q.source === 'synthetic') return `synthetic(seed=${q.seed}) — a seeded formula, not a trained network`;
  if (q.source === 'table') return `rates table ${q.file} (${q.scenario} test split, trained networks)`;
  if (q.source === 'checkpoint') return `checkpoint(${q.dir}, ${q.scenario}, ${q.samples} samples)`;
  const hp = `${q.scenario}, ${q.epochs} epochs, batch ${q.batchSize}, lr ${q.learningRate}, seed ${q.seed}`;
  if (q.source === 'supernet') return `supernet(${hp}, one per head and architecture in ${q.dir}, ${q.samples} test samples)`;
  return `train(${hp})`;
}

/** The seeded synthetic sum rate (per architecture: larger networks saturate higher). */
export function syntheticQualityFn(seed: number): QualityFn {
  return async ({ cout, dfcl, bits }) => syntheticQuality(seed * 1000 + cout + dfcl, 17 + Math.log2(cout / 8) * 0.4 + (dfcl === 1024 ? 0.3 : 0))(bits);
}

/** The efficiency-vs-rate Pareto front of a set of points (both maximised). */
export function efficiencyFront(points: readonly StoredPoint[]) {
  return paretoFront(points.map((p) => ({ item: p, x: p.sumRate / p.energy_uJ, y: p.sumRate })));
}

/**
 * PSO bit allocation for one architecture against the store: every position PSO asks for is
 * rated (and stored) once; points already in the store cost nothing. Returns the allocation and
 * how many fresh quality evaluations it took.
 */
export async function runPsoSearch(
  exp: Experiment,
  store: ResultsStore,
  quality: QualityFn,
  problem: Problem,
  options: { algorithm: 'ppso' | 'gcpso'; seed: number; maxEvaluations?: number },
) {
  const heads = exp.heads ?? ['direct'];
  if (heads.length !== 1) throw new InputError('heads', heads.join(','), 'allowed: exactly one head for a PSO search');
  const head = heads[0];
  if (exp.archs.length !== 1) throw new InputError('archs', exp.archs.map((a) => `${a.cout}x${a.dfcl}`).join(','), 'allowed: exactly one architecture for a PSO search');
  const [{ cout, dfcl }] = exp.archs;
  const preset = experimentHardware(exp);
  const energy = energyOfBits(cout, dfcl, preset, head, experimentSize(exp));
  // A point is known by its content hash, as the exhaustive search stores it.
  const configOf = (bits: readonly number[]) => pointConfig({ head, cout, dfcl, bits }, exp);
  const stored = new Map((await store.all()).map((p) => [p.hash, p.sumRate]));
  const all = bitAssignments(PRECODER_LAYERS.length, exp.bitChoices);
  let fresh = 0;
  const result = await pso(4, exp.bitChoices.length, {
    cost: (x) => energy(x.map((i) => exp.bitChoices[i])),
    // Rated once per position: from the store when it is there, else evaluated and stored.
    quality: async (x) => {
      const bits = x.map((i) => exp.bitChoices[i]);
      const config = configOf(bits);
      const known = stored.get(pointHash(config));
      if (known !== undefined) return known;
      const sumRate = await quality({ head, cout, dfcl, bits }, pointHash(config));
      await store.put({ hash: pointHash(config), experiment: exp.name, head, cout, dfcl, bits, preset: exp.preset, energy_uJ: energy(bits), sumRate, quality: describeQuality(exp.quality), config });
      fresh++;
      return sumRate;
    },
  }, problem, { ...psoSettings(options.algorithm, problem, all.length, options.seed), ...(options.maxEvaluations !== undefined ? { maxEvaluations: options.maxEvaluations } : {}) });
  return { result, bits: result.best?.map((i) => exp.bitChoices[i]) ?? null, freshEvaluations: fresh, space: all.length };
}
