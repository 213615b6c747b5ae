/**
 * Self-supervised training of a precoder Graph on a scenario (seed 000 §III-C): loss = −mean
 * sum rate after total-power normalisation, Adam, batch 1000, dropout and BN from the Graph,
 * validation sum rate per epoch with early stopping, a checkpoint every epoch (resumable), and
 * progress as events to a callback (`emit`). With `supernet`, every step samples a bit width per layer from the
 * choices (shared weights; per-layer, per-bit-width LSQ steps and BN statistics).
 */
import { checkModelFits } from './memory.ts';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rng } from '../core/rng.ts';
import { writeWhole } from '../core/files.ts';
import { InputError } from '../core/errors.ts';
import type { MimoDataset } from '../scenarios/dataset.ts';
import type { Graph } from '../nets/graph.ts';
import { Adam, ADAM_DEFAULTS } from './adam.ts';
import { tf } from './backend.ts';
import { CheckpointError, checkpointGraph, latestCheckpoint, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from './checkpoint.ts';
import { openRunDir } from './run-dir.ts';
import { GraphModel, type BitAssignment, type WeightQuantizer } from './model.ts';
import { sumRateTensor } from './sumrate.ts';
import { formatKey, paramKey, parseKey } from './variable-key.ts';

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
  /** The learning rate is multiplied by this once per epoch (seed 002: α = 0.65); 1 = constant. */
  readonly learningRateDecay?: number;
  /** BN ops initialised with γ = 0 (ModelOptions.zeroGamma). */
  readonly zeroGamma?: readonly string[];
  /** Low-bit PReLU ops train as the k-bit activation of seed 002 eq. (22). */
  readonly kbitActivations?: boolean;
  /**
   * A warm start: the weights (not the optimiser state) of another run's checkpoint directory
   * (its `best/` if present) for the same network at the same or other bits (`warmStart`). Used
   * only when `outDir` holds no checkpoint yet; the source checkpoint's identity is part of the
   * config key, so a resume checks it (and needs the source to be there).
   */
  readonly initFrom?: string;
  /** Train from scratch even over an `outDir` checkpoint that cannot be resumed (it is overwritten). */
  readonly restart?: boolean;
  /** Stop once the validation metric has converged by this rule (checked after every epoch). */
  readonly convergence?: ConvergenceRule;
  /** The task draws fresh training data every epoch (recorded in the run's settings). */
  readonly freshChannels?: boolean;
}

export { CONVERGENCE_DEFAULTS, type ConvergenceRule } from './defaults.ts';
import type { ConvergenceRule } from './defaults.ts';

/** Why a training ended: the rule, patience, or the epoch budget. */
export type StopReason = 'converged' | 'patience' | 'budget';

/** Whether the history has converged by the rule (validation is higher-is-better). */
export function hasConverged(history: readonly EpochRecord[], stepsPerEpoch: number, rule: ConvergenceRule): boolean {
  if (history.length === 0) return false;
  const stepsOf = (r: EpochRecord) => r.steps ?? r.epoch * stepsPerEpoch;
  const total = stepsOf(history[history.length - 1]);
  if (total < rule.minSteps) return false;
  const cut = (1 - rule.window) * total;
  const before = history.filter((r) => stepsOf(r) <= cut);
  if (before.length === 0) return false;
  const then = Math.max(...before.map((r) => r.validation));
  const now = Math.max(...history.map((r) => r.validation));
  return now - then < rule.minGain * Math.abs(then);
}

export { TRAIN_DEFAULTS } from './defaults.ts';

/** One epoch: the task's metric on the training batches and on the validation split (higher is better). */
export interface EpochRecord {
  readonly epoch: number;
  /** Optimiser steps run when the epoch ended (absent in older checkpoints: epoch × steps per epoch). */
  readonly steps?: number;
  readonly train: number;
  readonly validation: number;
  readonly ms: number;
}

/**
 * What is trained: batches of the training split, the loss to minimise, and the validation
 * metric (higher is better). The precoder's is the sum rate; a codec's is −NMSE in dB.
 */
export interface TrainTask {
  readonly metric: string;
  readonly trainCount: number;
  batch(order: ArrayLike<number>, from: number, to: number): tf.Tensor;
  loss(model: GraphModel, x: tf.Tensor, options: { bits?: BitAssignment; dropoutSeed: number }): tf.Scalar;
  /** The training metric of a batch, from its loss. */
  metricOfLoss(loss: number): number;
  validate(model: GraphModel, bits?: BitAssignment): Promise<number>;
  /** Runs before each epoch's first step (e.g. re-drawing which rows a stochastic layer quantizes). */
  beforeEpoch?(model: GraphModel, epoch: number): void;
}

export type TrainEvent =
  | { readonly type: 'start'; readonly metric: string; readonly epochs: number; readonly stepsPerEpoch: number; readonly resumedFromEpoch: number | null }
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number; readonly value: number }
  | {
      readonly type: 'epoch';
      readonly record: EpochRecord;
      readonly bestValidation: number;
      readonly bestEpoch: number;
      readonly etaMs: number;
      readonly tensors: number;
      readonly wasmBytes: number;
    }
  | { readonly type: 'done'; readonly result: TrainResult };

export interface TrainResult {
  readonly metric: string;
  readonly bestValidation: number;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  readonly stopReason: StopReason;
  readonly steps: number;
  readonly history: readonly EpochRecord[];
  readonly checkpointDir?: string;
  readonly trainMs: number;
}

/** The hyper-parameters a run was trained with (not part of the resume key beyond what configKey hashes). */
export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly supernetChoices: readonly number[] | null;
  readonly trainSamples: number;
  /** Whether every epoch trained on freshly drawn channels (absent in older checkpoints). */
  readonly freshChannels?: boolean;
}

export interface TrainerState {
  /** Absent in checkpoints written before it was recorded. */
  readonly settings?: TrainSettings;
  readonly epoch: number;
  readonly adamStep: number;
  readonly bestValidation: number;
  readonly bestEpoch: number;
  readonly history: readonly EpochRecord[];
  readonly trainMs: number;
}

/** `init` names the warm-start checkpoint (its config key and epoch), when there is one. */
export function configKey(c: TrainConfig, init?: string): string {
  const ops = c.graph.ops.map((op) => ({ ...op }));
  return createHash('sha256')
    .update(JSON.stringify({ ops, batch: c.batchSize, lr: c.learningRate, seed: c.seed, supernet: c.supernet ?? null, quantizer: c.quantizer ?? 'lsq', data: c.dataKey, ...(c.learningRateDecay !== undefined && c.learningRateDecay !== 1 ? { decay: c.learningRateDecay } : {}), ...(c.zeroGamma?.length ? { zeroGamma: c.zeroGamma } : {}), ...(c.kbitActivations ? { kbit: true } : {}), ...(init ? { init } : {}), ...(c.graph.ops.some((op) => op.precision.weightBits < 32) ? { lsqSteps: 'relative, following their kernels' } : {}) }))
    .digest('hex')
    .slice(0, 24);
}

export function validateTrainConfig(c: TrainConfig): void {
  for (const k of ['epochs', 'batchSize', 'patience'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new InputError(k, c[k], 'allowed: a positive integer');
  }
  if (!(c.learningRate > 0 && Number.isFinite(c.learningRate))) throw new InputError('learningRate', c.learningRate, 'allowed: a finite number > 0');
  checkModelFits(c.graph, 'training', c.batchSize);
  if (c.learningRateDecay !== undefined && !(c.learningRateDecay > 0 && c.learningRateDecay <= 1)) {
    throw new InputError('learningRateDecay', c.learningRateDecay, 'allowed: a factor in (0, 1]');
  }
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

/** LSQ step sizes (weights and activations) train in relative terms (Adam.apply). */
const isQuantizerStep = (name: string) => /\/(lsq|act)_step@\d+$/.test(name);

/** One Adam step on a batch; returns the batch's loss. Disposes all it makes. */
export async function trainStep(model: GraphModel, adam: Adam, task: TrainTask, x: tf.Tensor, bits: BitAssignment | undefined, dropoutSeed: number): Promise<number> {
  model.prepare(bits);
  const vars = [...model.trainable.values()];
  const { value, grads } = tf.variableGrads(() => task.loss(model, x, { bits, dropoutSeed }), vars);
  const named: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) named[model.keyOf(name)] = g;
  adam.apply(model.trainable, named, isQuantizerStep);
  adam.forget(model.followKernels());
  const loss = (await value.data())[0];
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return loss;
}

/** Training batches each epoch's BN re-estimation averages over. */
export const BN_RECALIBRATION_BATCHES = 20;

/**
 * Re-estimates the BN running statistics with the weights as they now are: the mean of the
 * batch moments over the first `batches` training batches of `order`, through the task's own
 * training forward pass (dropout, codeword noise). The running averages drift behind weights
 * that move, and a quantized layer's move in jumps as its LSQ grid shifts: a CRNet q8
 * fine-tuning validated at −2.2 dB with them and −10.1 dB with batch statistics.
 */
export function recalibrateBatchNorm(model: GraphModel, task: TrainTask, order: ArrayLike<number>, batchSize: number, batches: number, dropoutSeed: number, bits?: BitAssignment): void {
  const count = Math.min(batches, Math.ceil(task.trainCount / batchSize));
  for (let i = 0; i < count; i++) {
    model.bnMomentumOverride = i / (i + 1);
    const from = i * batchSize;
    const x = task.batch(order, from, Math.min(task.trainCount, from + batchSize));
    tf.tidy(() => {
      task.loss(model, x, { dropoutSeed: dropoutSeed + i, bits });
    });
    x.dispose();
  }
  model.bnMomentumOverride = undefined;
}

/** Options of GraphModel.forward. */
export type ForwardOptions = Parameters<GraphModel['forward']>[1];

/** How a precoder task reads a precoder [B, 2·N_T·N_U] out of the model for channels x. */
export interface PrecoderReadout {
  precoder(model: GraphModel, x: tf.Tensor4D, options: ForwardOptions): tf.Tensor2D;
  /** σ² of the training loss (a curriculum knob); the training split's by default. */
  readonly trainNoiseVar?: number;
}

/** The paper's network: the model's output is the precoder. */
export const MODEL_OUTPUT: PrecoderReadout = { precoder: (model, x, options) => model.forward(x, options) as tf.Tensor2D };

/**
 * The precoder's task: maximise the mean sum rate after power normalisation. With `freshTrain`,
 * each epoch trains on a freshly drawn training set of the same size (seeded by the epoch). With
 * `seen`, the network reads what the base station knows of each sample (e.g. channels rebuilt from
 * CSI feedback) and its rate is measured on the true channels: batches stack [true, seen] on axis 1.
 */
export function precoderTask(data: TrainData, readout: PrecoderReadout = MODEL_OUTPUT, freshTrain?: (epoch: number) => MimoDataset, seen?: (ds: MimoDataset) => MimoDataset): TrainTask {
  const { validation } = data;
  let train = data.train;
  // With fresh draws the first epoch's beforeEpoch makes the rebuilt set; otherwise it is made once here.
  let trainSeen = seen && !freshTrain ? seen(train) : undefined;
  const validationSeen = seen?.(validation);
  const seenOf = () => {
    if (!trainSeen) throw new InputError('seen', 'none', 'allowed: a rebuilt training set made before the first batch');
    return trainSeen;
  };
  const noiseVar = readout.trainNoiseVar ?? train.noiseVar;
  return {
    metric: 'sum rate (bit/s/Hz)',
    trainCount: train.count,
    ...(freshTrain
      ? {
          beforeEpoch: (_model: GraphModel, epoch: number) => {
            const next = freshTrain(epoch);
            if (next.count !== data.train.count || next.nt !== train.nt || next.nu !== train.nu) throw new InputError('freshTrain', next.count, `allowed: ${data.train.count} samples of ${train.nt}×${train.nu} channels each epoch`);
            train = next;
            trainSeen = seen?.(train);
          },
        }
      : {}),
    batch: (order, from, to) => (seen ? tf.tidy(() => tf.concat([batchTensor(train, order, from, to), batchTensor(seenOf(), order, from, to)], 1)) : batchTensor(train, order, from, to)),
    loss: (model, x, o) => {
      const [truth, input] = seen ? (tf.split(x, 2, 1) as tf.Tensor4D[]) : [x as tf.Tensor4D, x as tf.Tensor4D];
      return tf.neg(tf.mean(sumRateTensor(truth, readout.precoder(model, input, { training: true, ...o }), noiseVar))) as tf.Scalar;
    },
    metricOfLoss: (loss) => -loss,
    validate: async (model, bits) => (validationSeen ? mean(await mismatchedRates(model, validationSeen, validation, 1000, bits, readout)) : evaluateRate(model, validation, bits, undefined, undefined, readout)),
  };
}

const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;

/** Mean sum rate of the model on a dataset (inference mode), in chunks; `memo` keeps shared prefixes across calls. */
export function evaluateRate(model: GraphModel, ds: MimoDataset, bits?: BitAssignment, limit = ds.count, chunk = 1000, readout = MODEL_OUTPUT, memo?: Map<string, tf.Tensor>): Promise<number> {
  return meanSumRate(ds, (x, from) => readout.precoder(model, x, { training: false, bits, ...(memo ? { memo: { store: memo, tag: `${ds.scenario}/${ds.split}/${from}+${x.shape[0]}` } } : {}) }), limit, chunk);
}

/** Mean sum rate of the precoders `precoderOf` gives for a dataset's channels, in chunks (`from`: the chunk's first sample). */
export async function meanSumRate(ds: MimoDataset, precoderOf: (x: tf.Tensor4D, from: number) => tf.Tensor2D, limit = ds.count, chunk = 1000): Promise<number> {
  const n = Math.min(limit, ds.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  let total = 0;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const rate = tf.tidy(() => {
      const x = batchTensor(ds, all, from, to);
      return tf.sum(sumRateTensor(x, precoderOf(x, from), ds.noiseVar));
    });
    total += (await rate.data())[0];
    rate.dispose();
  }
  return total / n;
}

/** Each sample's sum rate under the model (inference mode), in the dataset's order: what confidence intervals and paired differences are computed from. */
export async function sampleRates(model: GraphModel, ds: MimoDataset, bits?: BitAssignment, limit = ds.count, chunk = 1000, readout = MODEL_OUTPUT, memo?: Map<string, tf.Tensor>): Promise<Float64Array> {
  const n = Math.min(limit, ds.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(n);
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const rates = tf.tidy(() => {
      const x = batchTensor(ds, all, from, to);
      return sumRateTensor(x, readout.precoder(model, x, { training: false, bits, ...(memo ? { memo: { store: memo, tag: `${ds.scenario}/${ds.split}/${from}+${x.shape[0]}` } } : {}) }), ds.noiseVar);
    });
    out.set(await rates.data(), from);
    rates.dispose();
  }
  return out;
}

/**
 * The rate on `truth` of the precoder the model computes from `seen`, per sample: the base station
 * sees rebuilt channels (CSI feedback), the users receive through the true ones. Same samples, same order.
 */
export async function mismatchedRates(model: GraphModel, seen: MimoDataset, truth: MimoDataset, chunk = 1000, bits?: BitAssignment, readout = MODEL_OUTPUT): Promise<Float64Array> {
  if (seen.count !== truth.count || seen.nt !== truth.nt || seen.nu !== truth.nu) throw new InputError('seen', `${seen.count}×${seen.nt}×${seen.nu}`, `allowed: the shape of the true channels, ${truth.count}×${truth.nt}×${truth.nu}`);
  const all = Int32Array.from({ length: truth.count }, (_, i) => i);
  const out = new Float64Array(truth.count);
  for (let from = 0; from < truth.count; from += chunk) {
    const to = Math.min(truth.count, from + chunk);
    const rates = tf.tidy(() => sumRateTensor(batchTensor(truth, all, from, to), readout.precoder(model, batchTensor(seen, all, from, to), { training: false, bits }), truth.noiseVar));
    out.set(await rates.data(), from);
    rates.dispose();
  }
  return out;
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
export async function trainModel(config: TrainConfig, data: TrainData | TrainTask, outDir: string | undefined, emit: (e: TrainEvent) => void = () => {}): Promise<TrainRun> {
  validateTrainConfig(config);
  const dir = outDir === undefined ? undefined : openRunDir(outDir, config.restart === true);
  try {
    return await trainIn(config, data, outDir, dir?.latest, emit);
  } finally {
    dir?.release();
  }
}

async function trainIn(config: TrainConfig, data: TrainData | TrainTask, outDir: string | undefined, latest: string | undefined, emit: (e: TrainEvent) => void): Promise<TrainRun> {
  const task = 'loss' in data ? data : precoderTask(data);
  const init = config.initFrom === undefined ? undefined : warmStart(config.initFrom, config.graph);
  const key = configKey(config, init?.identity);
  const model = new GraphModel(config.graph, { seed: config.seed, quantizer: config.quantizer, zeroGamma: config.zeroGamma, kbitActivations: config.kbitActivations });
  const adam = new Adam({ ...ADAM_DEFAULTS, learningRate: config.learningRate });
  let state: TrainerState = { epoch: 0, adamStep: 0, bestValidation: -Infinity, bestEpoch: 0, history: [], trainMs: 0 };
  let resumedFromEpoch: number | null = null;
  if (latest) {
    let ckpt: LoadedCheckpoint<TrainerState>;
    try {
      ckpt = loadCheckpoint<TrainerState>(latest);
    } catch (error) {
      throw error instanceof CheckpointError ? new CheckpointError(error.path, `${error.problem}; to train from scratch over it, add --restart`) : error;
    }
    if (ckpt.configKey !== key) throw new InputError('out', outDir, `a checkpoint there was written for another configuration (${ckpt.configKey} ≠ ${key}); allowed: a new directory, the same options, or --restart to overwrite it`);
    for (const [name, values] of ckpt.tensors) {
      if (parseKey(name).kind !== 'adam') model.restore(name, values, ckpt.shapes.get(name)!);
    }
    for (const [name, values] of ckpt.tensors) {
      const key = parseKey(name);
      if (key.kind !== 'adam') continue;
      const target = key.moment === 'm' ? adam.m : adam.v;
      const initial = tf.tensor(values, [...ckpt.shapes.get(name)!]);
      target.set(key.of, tf.variable(initial, false));
      initial.dispose(); // the variable keeps its own reference to the data
    }
    adam.step = ckpt.state.adamStep;
    state = ckpt.state;
    resumedFromEpoch = state.epoch;
  } else if (init) {
    init.apply(model);
  }
  const count = task.trainCount;
  const stepsPerEpoch = Math.ceil(count / config.batchSize);
  emit({ type: 'start', metric: task.metric, epochs: config.epochs, stepsPerEpoch, resumedFromEpoch });
  const validationBits = config.supernet ? uniformBits(model, Math.max(...config.supernet.choices)) : undefined;
  let sinceBest = state.epoch - state.bestEpoch;
  const converged = () => config.convergence !== undefined && hasConverged(state.history, stepsPerEpoch, config.convergence);
  let stopReason: StopReason = converged() ? 'converged' : sinceBest >= config.patience && state.epoch > 0 ? 'patience' : 'budget';
  let stoppedEarly = stopReason !== 'budget';

  for (let epoch = state.epoch + 1; epoch <= config.epochs && !stoppedEarly; epoch++) {
    const t0 = performance.now();
    const order = permutation(count, config.seed, epoch);
    adam.learningRateScale = (config.learningRateDecay ?? 1) ** (epoch - 1);
    task.beforeEpoch?.(model, epoch);
    let metricSum = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const from = step * config.batchSize;
      const to = Math.min(count, from + config.batchSize);
      const bits = config.supernet ? sampledBits(model, config.supernet.choices, config.seed, epoch, step) : undefined;
      const x = task.batch(order, from, to);
      const value = task.metricOfLoss(await trainStep(model, adam, task, x, bits, config.seed * 100003 + epoch * 1009 + step));
      x.dispose();
      metricSum += value * (to - from);
      emit({ type: 'step', epoch, step: step + 1, stepsPerEpoch, value });
    }
    // A supernet keeps statistics per layer and bit width. Each width's running averages saw only
    // the steps that sampled it (a quarter of them), so each is re-estimated with every layer at
    // that width: with momentum 0.99, 3 epochs of 80 steps left them 45% of the way from (0, 1).
    const recalibrationSeed = config.seed * 100003 + epoch * 1009 + 7919;
    if (!config.supernet) recalibrateBatchNorm(model, task, order, config.batchSize, BN_RECALIBRATION_BATCHES, recalibrationSeed);
    else for (const choice of config.supernet.choices) recalibrateBatchNorm(model, task, order, config.batchSize, BN_RECALIBRATION_BATCHES, recalibrationSeed, uniformBits(model, choice));
    const validation = await task.validate(model, validationBits);
    const ms = performance.now() - t0;
    const record: EpochRecord = { epoch, steps: adam.step, train: metricSum / count, validation, ms };
    const improved = validation > state.bestValidation;
    state = {
      settings: { epochs: config.epochs, batchSize: config.batchSize, learningRate: config.learningRate, seed: config.seed, supernetChoices: config.supernet?.choices ?? null, trainSamples: count, freshChannels: config.freshChannels === true },
      epoch,
      adamStep: adam.step,
      bestValidation: improved ? validation : state.bestValidation,
      bestEpoch: improved ? epoch : state.bestEpoch,
      history: [...state.history, record],
      trainMs: state.trainMs + ms,
    };
    sinceBest = improved ? 0 : sinceBest + 1;
    stopReason = converged() ? 'converged' : sinceBest >= config.patience ? 'patience' : 'budget';
    stoppedEarly = stopReason !== 'budget';
    if (outDir) {
      const tensors = new Map<string, tf.Tensor>(model.allVariables());
      for (const [name, t] of adam.m) tensors.set(formatKey({ kind: 'adam', moment: 'm', of: name }), t);
      for (const [name, t] of adam.v) tensors.set(formatKey({ kind: 'adam', moment: 'v', of: name }), t);
      await saveCheckpoint(outDir, { graph: config.graph, configKey: key, state, tensors });
      if (improved) await saveCheckpoint(join(outDir, 'best'), { graph: config.graph, configKey: key, state, tensors: new Map(model.allVariables()) });
      writeWhole(join(outDir, 'curve.csv'), learningCurveCsv(state.history, stepsPerEpoch, task.metric));
    }
    const meanEpochMs = state.trainMs / state.history.length;
    emit({
      type: 'epoch',
      record,
      bestValidation: state.bestValidation,
      bestEpoch: state.bestEpoch,
      etaMs: (config.epochs - epoch) * meanEpochMs,
      tensors: tf.memory().numTensors,
      wasmBytes: tf.memory().numBytes,
    });
  }
  adam.dispose();
  if (outDir) {
    // The mark of a finished run (a killed one has none): what `codesign rates` rates, and why it stopped.
    writeWhole(join(outDir, STOPPED_FILE), JSON.stringify({ stopReason, steps: state.history.length > 0 ? (state.history[state.history.length - 1].steps ?? state.epoch * stepsPerEpoch) : 0, epochs: state.epoch, trainSeconds: state.trainMs / 1000 }) + '\n');
  }
  const result: TrainResult = {
    metric: task.metric,
    bestValidation: state.bestValidation,
    bestEpoch: state.bestEpoch,
    epochsRun: state.epoch,
    stoppedEarly,
    stopReason,
    steps: state.history.length > 0 ? (state.history[state.history.length - 1].steps ?? state.epoch * stepsPerEpoch) : 0,
    history: state.history,
    checkpointDir: outDir,
    trainMs: state.trainMs,
  };
  emit({ type: 'done', result });
  return { model, result };
}

/** Written into a run's directory when its training ends (not when it is killed). */
export const STOPPED_FILE = 'stopped.json';

/** A run's learning curve: one row per epoch (steps so far, training and validation metric, seconds). */
export function learningCurveCsv(history: readonly EpochRecord[], stepsPerEpoch: number, metric: string): string {
  const rows = history.map((r) => [r.epoch, r.steps ?? r.epoch * stepsPerEpoch, r.train.toFixed(6), r.validation.toFixed(6), (r.ms / 1000).toFixed(3)].join(','));
  return [`# ${metric}; validation on the validation split`, 'epoch,steps,train,validation,seconds', ...rows, ''].join('\n');
}

/** A run directory's trained checkpoint path: its `best/` if present, else its latest. */
function runCheckpointPath(dir: string, field: string): string {
  const path = latestCheckpoint(join(dir, 'best')) ?? latestCheckpoint(dir);
  if (!path) throw new InputError(field, dir, 'allowed: a directory written by codesign train (no model.json found)');
  return path;
}

/** The network a run directory holds (its trained checkpoint's Graph, weights not read). */
export function runGraph(dir: string, field: string): Graph {
  return checkpointGraph(runCheckpointPath(dir, field));
}

/** The trained checkpoint of a run directory (its `best/` if present), without Adam's moments. */
function trainedCheckpoint(dir: string, field: string) {
  const ckpt = loadCheckpoint<TrainerState>(runCheckpointPath(dir, field));
  for (const name of [...ckpt.tensors.keys()]) if (parseKey(name).kind === 'adam') ckpt.tensors.delete(name);
  return ckpt;
}

/**
 * The weights a warm start copies, checked against the Graph being trained: the same ops and
 * shapes, at the same or other bits (quantization-aware fine-tuning of a trained model; at
 * other bits the kernels copied are the ones the source computed with).
 */
export function warmStart(dir: string, graph: Graph) {
  const ckpt = trainedCheckpoint(dir, 'initFrom');
  const structure = (g: Graph) => JSON.stringify(g.ops.map(({ precision: _, ...op }) => op));
  if (structure(ckpt.graph) !== structure(graph)) {
    throw new InputError('initFrom', dir, `its checkpoint holds ${ckpt.graph.name}, not ${graph.name}; allowed: a checkpoint of the same network and CR (bits may differ)`);
  }
  const samePrecision = JSON.stringify(ckpt.graph.ops) === JSON.stringify(graph.ops);
  if (!samePrecision) {
    // The source computes with its fake-quantized kernels, not its latent ones (an LSQ range
    // may clip weights that then stop learning): the new bits start from what it computed with.
    const source = new GraphModel(ckpt.graph, { seed: 0 });
    for (const [name, values] of ckpt.tensors) source.restore(name, values, ckpt.shapes.get(name)!);
    for (const op of ckpt.graph.ops) {
      if (!source.trainable.has(paramKey(op.name, 'kernel'))) continue;
      tf.tidy(() => {
        ckpt.tensors.set(paramKey(op.name, 'kernel'), Float32Array.from(source.kernel(op).dataSync()));
      });
    }
    source.dispose();
  }
  return {
    /** What the resume key records: the source run and its epoch. */
    identity: `${ckpt.configKey}@${ckpt.state.epoch}`,
    apply(model: GraphModel): void {
      for (const [name, values] of ckpt.tensors) {
        const target = samePrecision ? name : model.nameAtOwnBits(name);
        if (target !== undefined) model.restore(target, values, ckpt.shapes.get(name)!);
      }
    },
  };
}

/** Loads a trained model from a checkpoint directory (its `best/` if present). */
export function modelFromCheckpoint(dir: string, seed = 0): { model: GraphModel; graph: Graph; state: TrainerState; configKey: string } {
  const ckpt = trainedCheckpoint(dir, 'checkpoint');
  const model = new GraphModel(ckpt.graph, { seed });
  for (const [name, values] of ckpt.tensors) model.restore(name, values, ckpt.shapes.get(name)!);
  return { model, graph: ckpt.graph, state: ckpt.state, configKey: ckpt.configKey };
}
