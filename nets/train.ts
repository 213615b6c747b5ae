/**
 * Self-supervised training of a precoder Graph on a scenario (seed 000 §III-C): loss = −mean
 * sum rate after total-power normalisation, Adam, batch 1000, dropout and BN from the Graph,
 * validation sum rate per epoch with early stopping, a checkpoint every epoch (resumable), and
 * metrics as an rxjs stream. With `supernet`, every step samples a bit width per layer from the
 * choices (shared weights; per-layer, per-bit-width LSQ steps and BN statistics).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { rng } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import type { MimoDataset } from '../scenarios/dataset.ts';
import type { Graph } from './graph.ts';
import { Adam, ADAM_DEFAULTS } from './tf/adam.ts';
import { tf } from './tf/backend.ts';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from './tf/checkpoint.ts';
import { GraphModel, type BitAssignment, type WeightQuantizer } from './tf/model.ts';
import { sumRateTensor } from './tf/sumrate.ts';

export interface TrainConfig {
  readonly graph: Graph;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Stop after this many epochs without a better validation sum rate. */
  readonly patience: number;
  readonly supernet?: { readonly choices: readonly number[] };
  readonly quantizer?: WeightQuantizer;
  /** Identifies the data (scenario content key) for resume checks. */
  readonly dataKey: string;
}

export const TRAIN_DEFAULTS = { epochs: 60, batchSize: 1000, learningRate: 1e-3, patience: 10 } as const;

export interface EpochRecord {
  readonly epoch: number;
  readonly trainRate: number;
  readonly validationRate: number;
  readonly ms: number;
}

export type TrainEvent =
  | { readonly type: 'start'; readonly epochs: number; readonly stepsPerEpoch: number; readonly resumedFromEpoch: number | null }
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number; readonly rate: number }
  | {
      readonly type: 'epoch';
      readonly record: EpochRecord;
      readonly bestValidationRate: number;
      readonly bestEpoch: number;
      readonly etaMs: number;
      readonly tensors: number;
      readonly wasmBytes: number;
    }
  | { readonly type: 'done'; readonly result: TrainResult };

export interface TrainResult {
  readonly bestValidationRate: number;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  readonly history: readonly EpochRecord[];
  readonly checkpointDir?: string;
  readonly trainMs: number;
}

interface TrainerState {
  readonly epoch: number;
  readonly adamStep: number;
  readonly bestValidationRate: number;
  readonly bestEpoch: number;
  readonly history: readonly EpochRecord[];
  readonly trainMs: number;
}

export function configKey(c: TrainConfig): string {
  const ops = c.graph.ops.map((op) => ({ ...op }));
  return createHash('sha256')
    .update(JSON.stringify({ ops, batch: c.batchSize, lr: c.learningRate, seed: c.seed, supernet: c.supernet ?? null, quantizer: c.quantizer ?? 'lsq', data: c.dataKey }))
    .digest('hex')
    .slice(0, 24);
}

export function validateTrainConfig(c: TrainConfig): void {
  for (const k of ['epochs', 'batchSize', 'patience'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new InputError(k, c[k], 'allowed: a positive integer');
  }
  if (!(c.learningRate > 0 && Number.isFinite(c.learningRate))) throw new InputError('learningRate', c.learningRate, 'allowed: a finite number > 0');
  if (c.supernet && (c.supernet.choices.length === 0 || c.supernet.choices.some((b) => !Number.isInteger(b) || b < 2 || b > 32))) {
    throw new InputError('supernet.choices', c.supernet.choices, 'allowed: integers from 2 to 32');
  }
}

/** A batch of samples (by index) in the dataset layout. */
export function batchTensor(ds: MimoDataset, indices: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const size = 2 * ds.nt * ds.nu;
  const out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) out.set(ds.data.subarray(indices[i] * size, (indices[i] + 1) * size), (i - from) * size);
  return tf.tensor4d(out, [to - from, 2, ds.nt, ds.nu]);
}

/** One Adam step on a batch; returns the batch's mean sum rate. Disposes all it makes. */
export async function trainStep(model: GraphModel, adam: Adam, x: tf.Tensor4D, noiseVar: number, bits: BitAssignment | undefined, dropoutSeed: number): Promise<number> {
  model.prepare(bits);
  const vars = [...model.trainable.values()];
  const { value, grads } = tf.variableGrads(
    () => tf.neg(tf.mean(sumRateTensor(x, model.forward(x, { training: true, bits, dropoutSeed }) as tf.Tensor2D, noiseVar))) as tf.Scalar,
    vars,
  );
  const named: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) named[model.keyOf(name)] = g;
  adam.apply(model.trainable, named);
  const rate = -(await value.data())[0];
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return rate;
}

/** Mean sum rate of the model on a dataset (inference mode), in chunks. */
export async function evaluateRate(model: GraphModel, ds: MimoDataset, bits?: BitAssignment, limit = ds.count, chunk = 1000): Promise<number> {
  const n = Math.min(limit, ds.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  let total = 0;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const rate = tf.tidy(() => {
      const x = batchTensor(ds, all, from, to);
      return tf.sum(sumRateTensor(x, model.forward(x, { training: false, bits }) as tf.Tensor2D, ds.noiseVar));
    });
    total += (await rate.data())[0];
    rate.dispose();
  }
  return total / n;
}

function permutation(n: number, seed: number, epoch: number): Int32Array {
  const r = rng(seed).fork(`shuffle-${epoch}`);
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** The bits a supernet step trains: one choice per quantized layer, seeded by epoch and step. */
export function sampledBits(model: GraphModel, choices: readonly number[], seed: number, epoch: number, step: number): BitAssignment {
  const r = rng(seed).fork(`bits-${epoch}-${step}`);
  return new Map(model.quantizedLayers.map((name) => [name, choices[r.int(choices.length)]]));
}

/** The highest-precision assignment (validation of a supernet during training). */
export function uniformBits(model: GraphModel, bits: number): BitAssignment {
  return new Map(model.quantizedLayers.map((name) => [name, bits]));
}

export interface TrainData {
  readonly train: MimoDataset;
  readonly validation: MimoDataset;
}

export interface TrainRun {
  readonly model: GraphModel;
  readonly result: TrainResult;
}

/**
 * Trains (or resumes from `outDir`'s last checkpoint) and reports progress through `emit`.
 * Each epoch writes a checkpoint, so a kill loses at most the epoch in flight.
 */
export async function trainModel(config: TrainConfig, data: TrainData, outDir: string | undefined, emit: (e: TrainEvent) => void = () => {}): Promise<TrainRun> {
  validateTrainConfig(config);
  const key = configKey(config);
  const model = new GraphModel(config.graph, { seed: config.seed, quantizer: config.quantizer });
  const adam = new Adam({ ...ADAM_DEFAULTS, learningRate: config.learningRate });
  let state: TrainerState = { epoch: 0, adamStep: 0, bestValidationRate: -Infinity, bestEpoch: 0, history: [], trainMs: 0 };
  let resumedFromEpoch: number | null = null;
  const latest = outDir ? latestCheckpoint(outDir) : undefined;
  if (latest) {
    const ckpt = loadCheckpoint<TrainerState>(latest);
    if (ckpt.configKey !== key) throw new InputError('--out', outDir, `a checkpoint there was written for another configuration (${ckpt.configKey} ≠ ${key}); allowed: a new directory, or the same options`);
    for (const [name, values] of ckpt.tensors) {
      if (name.endsWith('#adam_m') || name.endsWith('#adam_v')) continue;
      model.restore(name, values, ckpt.shapes.get(name)!);
    }
    for (const [name, values] of ckpt.tensors) {
      const m = /^(.*)#adam_(m|v)$/.exec(name);
      if (!m) continue;
      const target = m[2] === 'm' ? adam.m : adam.v;
      target.set(m[1], tf.variable(tf.tensor(values, [...ckpt.shapes.get(name)!]), false));
    }
    adam.step = ckpt.state.adamStep;
    state = ckpt.state;
    resumedFromEpoch = state.epoch;
  }
  const { train, validation } = data;
  const stepsPerEpoch = Math.ceil(train.count / config.batchSize);
  emit({ type: 'start', epochs: config.epochs, stepsPerEpoch, resumedFromEpoch });
  const validationBits = config.supernet ? uniformBits(model, Math.max(...config.supernet.choices)) : undefined;
  let sinceBest = state.epoch - state.bestEpoch;
  let stoppedEarly = sinceBest >= config.patience && state.epoch > 0;

  for (let epoch = state.epoch + 1; epoch <= config.epochs && !stoppedEarly; epoch++) {
    const t0 = performance.now();
    const order = permutation(train.count, config.seed, epoch);
    let rateSum = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const from = step * config.batchSize;
      const to = Math.min(train.count, from + config.batchSize);
      const bits = config.supernet ? sampledBits(model, config.supernet.choices, config.seed, epoch, step) : undefined;
      const x = batchTensor(train, order, from, to);
      const rate = await trainStep(model, adam, x, train.noiseVar, bits, config.seed * 100003 + epoch * 1009 + step);
      x.dispose();
      rateSum += rate * (to - from);
      emit({ type: 'step', epoch, step: step + 1, stepsPerEpoch, rate });
    }
    const validationRate = await evaluateRate(model, validation, validationBits);
    const ms = performance.now() - t0;
    const record: EpochRecord = { epoch, trainRate: rateSum / train.count, validationRate, ms };
    const improved = validationRate > state.bestValidationRate;
    state = {
      epoch,
      adamStep: adam.step,
      bestValidationRate: improved ? validationRate : state.bestValidationRate,
      bestEpoch: improved ? epoch : state.bestEpoch,
      history: [...state.history, record],
      trainMs: state.trainMs + ms,
    };
    sinceBest = improved ? 0 : sinceBest + 1;
    stoppedEarly = sinceBest >= config.patience;
    if (outDir) {
      const tensors = new Map<string, tf.Tensor>(model.allVariables());
      for (const [name, t] of adam.m) tensors.set(`${name}#adam_m`, t);
      for (const [name, t] of adam.v) tensors.set(`${name}#adam_v`, t);
      await saveCheckpoint(outDir, { graph: config.graph, configKey: key, state, tensors });
      if (improved) await saveCheckpoint(join(outDir, 'best'), { graph: config.graph, configKey: key, state, tensors: new Map(model.allVariables()) });
    }
    const meanEpochMs = state.trainMs / state.history.length;
    emit({
      type: 'epoch',
      record,
      bestValidationRate: state.bestValidationRate,
      bestEpoch: state.bestEpoch,
      etaMs: (config.epochs - epoch) * meanEpochMs,
      tensors: tf.memory().numTensors,
      wasmBytes: tf.memory().numBytes,
    });
  }
  adam.dispose();
  const result: TrainResult = {
    bestValidationRate: state.bestValidationRate,
    bestEpoch: state.bestEpoch,
    epochsRun: state.epoch,
    stoppedEarly,
    history: state.history,
    checkpointDir: outDir,
    trainMs: state.trainMs,
  };
  emit({ type: 'done', result });
  return { model, result };
}

/** The training run as an Observable of events; nothing runs until it is subscribed. */
export function train$(config: TrainConfig, data: TrainData, outDir?: string): Observable<TrainEvent> {
  return new Observable((subscriber) => {
    trainModel(config, data, outDir, (e) => subscriber.next(e))
      .then(({ model }) => {
        model.dispose();
        subscriber.complete();
      })
      .catch((error) => subscriber.error(error));
  });
}

/** Loads a trained model from a checkpoint directory (its `best/` if present). */
export function modelFromCheckpoint(dir: string, seed = 0): { model: GraphModel; graph: Graph } {
  const path = latestCheckpoint(join(dir, 'best')) ?? latestCheckpoint(dir);
  if (!path) throw new InputError('--checkpoint', dir, 'allowed: a directory written by codesign train (no model.json found)');
  const ckpt = loadCheckpoint<TrainerState>(path);
  const model = new GraphModel(ckpt.graph, { seed });
  for (const [name, values] of ckpt.tensors) {
    if (name.includes('#adam_')) continue;
    model.restore(name, values, ckpt.shapes.get(name)!);
  }
  return { model, graph: ckpt.graph };
}
