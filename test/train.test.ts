import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mrt, sumRate } from '../baselines/precoders.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { evaluateAllConfigs, finetune } from '../train/supernet.ts';
import { bitAssignments } from '../nets/bits.ts';
import { initBackend, tf } from '../train/backend.ts';
import { CheckpointError } from '../train/checkpoint.ts';
import { GraphModel } from '../train/model.ts';
import { Adam, ADAM_DEFAULTS } from '../train/adam.ts';
import { batchNormBroadcast, conv2dFast, conv2dIm2col, matMul } from '../train/ops.ts';
import { sumRateTensor } from '../train/sumrate.ts';
import { evaluateRate, modelFromCheckpoint, precoderTask, recalibrateBatchNorm, trainModel, warmStart, type TrainConfig, type TrainEvent } from '../train/trainer.ts';
import { lsqInitialStep, lsqRange } from '../nets/quant.ts';
import { asMimo, channelOf, generateSplit, type MimoDataset } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const scenario = validateScenario({ name: 'tiny', model: 'rayleigh', nt: 8, nu: 2, snrDb: 10, seed: 5, split: { train: 200, validation: 60, test: 60 } }, 'tiny');
const data = () => ({ train: asMimo(generateSplit(scenario, 'train')), validation: asMimo(generateSplit(scenario, 'validation')) });
const graph = buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8] });
const config = (over: Partial<TrainConfig> = {}): TrainConfig => ({ graph, epochs: 3, batchSize: 50, learningRate: 3e-3, seed: 7, patience: 50, dataKey: 'tiny', ...over });

describe('tfjs building blocks', () => {
  it('Adam moves a relative variable (an LSQ step) by its own magnitude times the learning rate', () => {
    const adam = new Adam({ ...ADAM_DEFAULTS, learningRate: 1e-2 });
    const vars = new Map([
      ['fc1/lsq_step@8', tf.variable(tf.scalar(2e-3))],
      ['fc1/kernel', tf.variable(tf.scalar(2e-3))],
    ]);
    const grads = { 'fc1/lsq_step@8': tf.scalar(5), 'fc1/kernel': tf.scalar(5) };
    adam.apply(vars, grads, (name) => name.includes('lsq_step'));
    // First Adam step: the update is lr·sign(g); relative: lr·|w|·sign(g).
    expect(vars.get('fc1/kernel')!.dataSync()[0]).toBeCloseTo(2e-3 - 1e-2, 7);
    expect(vars.get('fc1/lsq_step@8')!.dataSync()[0]).toBeCloseTo(2e-3 * (1 - 1e-2), 9);
    adam.dispose();
    for (const t of [...vars.values(), ...Object.values(grads)]) t.dispose();
  });

  it('im2col convolution equals tf.conv2d (same and valid)', () => {
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    for (const padding of ['same', 'valid'] as const) {
      const ours = conv2dIm2col(x, tf.reshape(k, [27, 4]) as tf.Tensor2D, 3, 3, padding).dataSync();
      const ref = tf.conv2d(x, k, 1, padding).dataSync();
      expect(ours.length).toBe(ref.length);
      ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 4));
    }
  });

  it('the Conv2D-kernel convolution and its gradients equal the im2col formulation', () => {
    const x = tf.randomNormal([3, 7, 6, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    for (const [kh, kw, padding] of [[3, 3, 'same'], [1, 9, 'same'], [5, 1, 'same'], [3, 2, 'valid']] as const) {
      const k = tf.randomNormal([kh * kw * 2, 3], 0, 1, 'float32', kh * 10 + kw) as tf.Tensor2D;
      const loss = (f: (a: tf.Tensor4D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sin(f(a as tf.Tensor4D, b as tf.Tensor2D)));
      const fast = (a: tf.Tensor4D, b: tf.Tensor2D) => conv2dFast(a, tf.reshape(b, [kh, kw, 2, 3]) as tf.Tensor4D, padding);
      const ref = (a: tf.Tensor4D, b: tf.Tensor2D) => conv2dIm2col(a, b, kh, kw, padding);
      fast(x, k).dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref(x, k).dataSync()[i], 4));
      const g1 = tf.grads(loss(fast))([x, k]);
      const g2 = tf.grads(loss(ref))([x, k]);
      g1.forEach((g, i) => g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(g2[i].dataSync()[j], 3)));
    }
  });

  it('training-mode batch normalisation from broadcasting ops equals tf.batchNorm, values and gradients', () => {
    const x = tf.randomNormal([4, 3, 5, 6], 0, 2, 'float32', 11);
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 12);
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 13);
    type Norm = (t: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor, epsilon: number) => tf.Tensor;
    const norm = (f: Norm) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.sin(f(a, mean, variance, b, g, 1e-3)));
    };
    const ours = tf.grads(norm(batchNormBroadcast))([x, gamma, beta]);
    const ref = tf.grads(norm((t, m, v, b, g, e) => tf.batchNorm(t, m, v, b, g, e)))([x, gamma, beta]);
    expect(norm(batchNormBroadcast)(x, gamma, beta).dataSync()[0]).toBeCloseTo(norm((t, m, v, b, g, e) => tf.batchNorm(t, m, v, b, g, e))(x, gamma, beta).dataSync()[0], 3);
    ours.forEach((g, i) => g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(ref[i].dataSync()[j], 3)));
  });

  it('the custom matMul gradient equals tfjs’s own', () => {
    const a = tf.randomNormal([5, 7], 0, 1, 'float32', 3) as tf.Tensor2D;
    const b = tf.randomNormal([7, 3], 0, 1, 'float32', 4) as tf.Tensor2D;
    const ours = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(matMul(p as tf.Tensor2D, q as tf.Tensor2D))))([a, b]);
    const ref = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D))))([a, b]);
    ours.forEach((g, i) => g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(ref[i].dataSync()[j], 3)));
  });

  it('the tfjs sum rate equals the baselines’ on the same channels and precoder', () => {
    const ds = asMimo(generateSplit(scenario, 'test'));
    for (let i = 0; i < 4; i++) {
      const ch = channelOf(ds, i);
      const V = mrt(ch);
      const v = new Float32Array(2 * 16);
      for (let n = 0; n < 8; n++) for (let k = 0; k < 2; k++) {
        v[n * 2 + k] = V.re[n * 2 + k];
        v[16 + n * 2 + k] = V.im[n * 2 + k];
      }
      const x = tf.tensor4d(ds.data.subarray(i * 32, (i + 1) * 32), [1, 2, 8, 2]);
      expect(sumRateTensor(x, tf.tensor2d(v, [1, 32]), ds.noiseVar).dataSync()[0]).toBeCloseTo(sumRate(ch, V).sumRate, 4);
    }
  });

  it('a precoder task reads its precoder through its readout, in the loss (at its σ²) and in validation', async () => {
    const { train, validation } = data();
    // MRT from the channels alone: V = Hᴴ at full power (x[n,k] = H[k,n], so Hᴴ[n,k] = x̄[n,k]).
    const readout = {
      precoder: (_model: GraphModel, x: tf.Tensor4D) =>
        tf.tidy(() => {
          const b = x.shape[0];
          const [re, im] = tf.split(x, 2, 1).map((t) => tf.reshape(t, [b, 8 * 2]));
          const v = tf.concat([re, tf.neg(im)], 1);
          return tf.mul(v, tf.rsqrt(tf.sum(tf.square(v), 1, true))) as tf.Tensor2D;
        }),
      trainNoiseVar: 0.5,
    };
    const task = precoderTask({ train, validation }, readout);
    const model = new GraphModel(graph, { seed: 1 });
    const mean = (ds: MimoDataset, count: number, noiseVar: number) => {
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ch = { ...channelOf(ds, i), noiseVar };
        total += sumRate(ch, mrt(ch)).sumRate;
      }
      return total / count;
    };
    expect(await task.validate(model)).toBeCloseTo(mean(validation, validation.count, validation.noiseVar), 3);
    const x = task.batch(Int32Array.from({ length: 10 }, (_, i) => i), 0, 10);
    expect(-task.loss(model, x, { dropoutSeed: 1 }).dataSync()[0]).toBeCloseTo(mean(train, 10, 0.5), 3);
    x.dispose();
    model.dispose();
  });

  it('the model built from the Graph meets the power constraint and has the Graph’s parameter count', () => {
    const model = new GraphModel(graph, { seed: 1 });
    const x = tf.randomNormal([3, 2, 8, 2]);
    const out = model.forward(x, { training: false });
    expect(out.shape).toEqual([3, 32]);
    tf.sum(tf.square(out), 1).dataSync().forEach((p) => expect(p).toBeCloseTo(1, 4));
    const params = [...model.trainable.entries()].filter(([k]) => !k.includes('lsq_step')).reduce((s, [, v]) => s + v.size, 0);
    const graphWeights = graph.ops.reduce((s, op) => s + (op.kind === 'conv2d' ? op.filters * (op.inputShapes[0][0] * 9 + 1) : op.kind === 'dense' ? op.inputShapes[0][0] * op.units + op.units : op.kind === 'batchnorm' ? 2 * op.outputShape[0] : 0), 0);
    expect(params).toBe(graphWeights);
    model.dispose();
  });
});

describe('training', () => {
  it('improves the sum rate and keeps memory flat across epochs', async () => {
    const events: TrainEvent[] = [];
    const { model, result } = await trainModel(config({ epochs: 4 }), data(), undefined, (e) => events.push(e));
    const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch');
    expect(epochs).toHaveLength(4);
    expect(new Set(epochs.map((e) => e.tensors)).size).toBe(1);
    expect(new Set(epochs.map((e) => e.wasmBytes)).size).toBe(1);
    expect(result.history[3].train).toBeGreaterThan(result.history[0].train);
    model.dispose();
  });

  it('resumes after a kill from the last checkpoint and ends exactly where an uninterrupted run ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    const straightEvents: TrainEvent[] = [];
    const straight = await trainModel(config({ epochs: 3 }), data(), undefined, (e) => straightEvents.push(e));
    const a = Array.from(straight.model.trainable.get('fc1/kernel')!.dataSync());
    straight.model.dispose();
    // "Killed" after epoch 2: a run with 2 epochs leaves its checkpoint; a rerun with 3 resumes.
    (await trainModel(config({ epochs: 2 }), data(), dir)).model.dispose();
    const events: TrainEvent[] = [];
    const resumed = await trainModel(config({ epochs: 3 }), data(), dir, (e) => events.push(e));
    expect(events[0]).toMatchObject({ type: 'start', resumedFromEpoch: 2 });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(1);
    expect(resumed.result.history.map((h) => h.validation)).toEqual(straight.result.history.map((h) => h.validation));
    expect(Array.from(resumed.model.trainable.get('fc1/kernel')!.dataSync())).toEqual(a);
    // The restored Adam moments hold no extra tensors: the same count as the uninterrupted run.
    expect(epochs[0].tensors).toBe(straightEvents.filter((e) => e.type === 'epoch').at(-1)!.tensors);
    resumed.model.dispose();
  });

  it('reports a corrupted or foreign checkpoint and does not load it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    (await trainModel(config({ epochs: 1 }), data(), dir)).model.dispose();
    await expect(trainModel(config({ epochs: 2, learningRate: 1e-2 }), data(), dir)).rejects.toThrow(/written for another configuration/);
    const weights = join(dir, 'latest', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] ^= 0xff;
    writeFileSync(weights, bytes);
    await expect(trainModel(config({ epochs: 2 }), data(), dir)).rejects.toThrow(CheckpointError);
    await expect(trainModel(config({ epochs: 2 }), data(), dir)).rejects.toThrow(/checksum mismatch .*not loaded/);
    writeFileSync(join(dir, 'latest', 'model.json'), '{"format":');
    await expect(trainModel(config({ epochs: 2 }), data(), dir)).rejects.toThrow(/model\.json: unreadable/);
  });

  it('a warm start copies another run’s best weights, checks the Graph, and is part of the resume key', async () => {
    const source = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    (await trainModel(config({ epochs: 2 }), data(), source)).model.dispose();
    // With a vanishing learning rate, the weights after one epoch are the copied ones; a cold start's are not.
    const still = config({ epochs: 1, learningRate: 1e-9 });
    const warm = await trainModel({ ...still, initFrom: source }, data(), undefined);
    const cold = await trainModel(still, data(), undefined);
    const { model: copied } = modelFromCheckpoint(source);
    const kernel = (m: GraphModel) => Array.from(m.trainable.get('fc1/kernel')!.dataSync());
    const gap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(gap(kernel(warm.model), kernel(copied))).toBeLessThan(1e-6);
    expect(gap(kernel(cold.model), kernel(copied))).toBeGreaterThan(1e-2);
    copied.dispose();
    warm.model.dispose();
    cold.model.dispose();

    const wider = buildPrecoder({ cout: 8, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8] });
    await expect(trainModel({ ...config(), graph: wider, initFrom: source }, data(), undefined)).rejects.toThrow(/^initFrom: .*allowed: a checkpoint of the same network and CR/);
    await expect(trainModel({ ...config(), initFrom: join(source, 'nothing') }, data(), undefined)).rejects.toThrow(/^initFrom: .*no model\.json/);

    // A run directory started from one checkpoint does not resume from another.
    const dir = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    (await trainModel(config({ epochs: 1, initFrom: source }), data(), dir)).model.dispose();
    await expect(trainModel(config({ epochs: 2 }), data(), dir)).rejects.toThrow(/written for another configuration/);
    const resumed = await trainModel(config({ epochs: 2, initFrom: source }), data(), dir);
    expect(resumed.result.epochsRun).toBe(2);
    resumed.model.dispose();
  });

  it('a warm start at other bits keeps the weights and BN statistics and re-initialises the LSQ steps', async () => {
    const source = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    (await trainModel(config({ epochs: 2 }), data(), source)).model.dispose();
    const { model: copied } = modelFromCheckpoint(source);
    const fourBits = buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [4, 4, 4, 4] });
    const model = new GraphModel(fourBits, { seed: 7 });
    warmStart(source, fourBits).apply(model);
    const names = [...model.trainable.keys(), ...model.statistics.keys()];
    expect(names.filter((n) => /@8(\/|$)/.test(n))).toEqual([]);
    const values = (m: GraphModel, name: string) => Array.from((m.trainable.get(name) ?? m.statistics.get(name))!.dataSync());
    // The kernels copied are the ones the 8-bit source computed with (its LSQ grid), not its latent ones.
    const fc1 = graph.ops.find((op) => op.name === 'fc1')!;
    const effective = Array.from(tf.tidy(() => copied.kernel(fc1)).dataSync());
    expect(values(model, 'fc1/kernel')).toEqual(effective);
    expect(effective).not.toEqual(values(copied, 'fc1/kernel'));
    expect(values(model, 'fc1.bn/stats@4/mean')).toEqual(values(copied, 'fc1.bn/stats@8/mean'));
    expect(values(model, 'conv.bn/stats@4/variance')).toEqual(values(copied, 'conv.bn/stats@8/variance'));
    // LSQ steps start from LSQ's own initialisation on the copied weights at 4 bits.
    model.prepare();
    expect(values(model, 'fc1/lsq_step@4')[0]).toBeCloseTo(lsqInitialStep(Float32Array.from(effective), lsqRange(4, true)), 6);
    model.dispose();
    copied.dispose();
  });

  it('BN re-estimation replaces the running statistics with the mean of batch moments under the current weights', async () => {
    const { model } = await trainModel(config({ epochs: 1 }), data(), undefined);
    const validation = asMimo(generateSplit(scenario, 'validation'));
    const task = precoderTask(data());
    const order = Int32Array.from({ length: 200 }, (_, i) => i);
    const stats = () => [...model.statistics.entries()].filter(([n]) => n.includes('/stats@')).map(([n, v]) => [n, Array.from(v.dataSync())] as const);
    recalibrateBatchNorm(model, task, order, 50, 4, 1);
    const clean = stats();
    const rate = await evaluateRate(model, validation);
    // Corrupt every running statistic: re-estimation does not depend on what was there.
    for (const [name, v] of model.statistics) if (name.includes('/stats@')) v.assign(tf.fill(v.shape, name.endsWith('/mean') ? 5 : 40));
    expect(Math.abs((await evaluateRate(model, validation)) - rate)).toBeGreaterThan(1e-3);
    recalibrateBatchNorm(model, task, order, 50, 4, 1);
    const again = stats();
    for (const [i, [name, values]] of clean.entries()) {
      expect(again[i][0]).toBe(name);
      for (const [j, x] of values.entries()) expect(again[i][1][j]).toBeCloseTo(x, 4);
    }
    expect(await evaluateRate(model, validation)).toBeCloseTo(rate, 6);
    expect(model.bnMomentumOverride).toBeUndefined();
    model.dispose();
  });

  it('a checkpoint reloads into the same function (best weights)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-train-'));
    const { model } = await trainModel(config({ epochs: 2 }), data(), dir);
    const { model: loaded } = modelFromCheckpoint(dir);
    const ds = asMimo(generateSplit(scenario, 'validation'));
    const best = JSON.parse(readFileSync(join(dir, 'best', 'latest', 'model.json'), 'utf8')).trainer.bestValidation;
    expect(await evaluateRate(loaded, ds)).toBeCloseTo(best, 4);
    model.dispose();
    loaded.dispose();
  });
});

describe('bit-width supernet', () => {
  it('fresh training channels each epoch: seeded by the epoch, never the fixed split, and trained on', async () => {
    const a = asMimo(generateSplit(scenario, 'train', { epoch: 1 }));
    expect(Buffer.from(asMimo(generateSplit(scenario, 'train', { epoch: 1 })).data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
    expect(Buffer.from(asMimo(generateSplit(scenario, 'train', { epoch: 2 })).data.buffer).equals(Buffer.from(a.data.buffer))).toBe(false);
    expect(Buffer.from(data().train.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(false);
    const drawn: number[] = [];
    const task = precoderTask(data(), undefined, (epoch) => {
      drawn.push(epoch);
      return asMimo(generateSplit(scenario, 'train', { epoch }));
    });
    const { model, result } = await trainModel(config({ epochs: 2 }), task, undefined);
    expect(drawn).toEqual([1, 2]);
    expect(result.history).toHaveLength(2);
    model.dispose();
  });

  it('trains one model for all configurations, evaluates every one, and fine-tunes a chosen one', async () => {
    const d = data();
    const { model } = await trainModel(config({ epochs: 2, supernet: { choices: [2, 4, 8, 16] } }), d, undefined);
    const configs = bitAssignments(model.quantizedLayers.length, [2, 4, 8, 16]);
    expect(configs).toHaveLength(256);
    const tensors = tf.memory().numTensors;
    const rates = await evaluateAllConfigs(model, d.validation, [2, 4], 30);
    expect(tf.memory().numTensors).toBe(tensors); // the prefix memo is released
    expect(rates).toHaveLength(16);
    // Rating with shared prefixes gives each configuration exactly its own forward pass's rate.
    // The same rates as one evaluation at a time (the memo changes nothing; sums in another order, so to float32's last bits).
    for (const r of rates) expect(r.sumRate).toBeCloseTo(await evaluateRate(model, d.validation, new Map(model.quantizedLayers.map((n, i) => [n, r.bits[i]])), 30), 5);
    expect(new Set(rates.map((r) => r.sumRate)).size).toBeGreaterThan(8);
    // Per-layer, per-bit-width LSQ steps and BN statistics exist.
    const steps = [...model.trainable.keys()].filter((k) => k.startsWith('fc1/lsq_step@'));
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect([...model.statistics.keys()].filter((k) => k.startsWith('fc1.bn/stats@')).length).toBeGreaterThanOrEqual(4);
    const before = await evaluateRate(model, d.validation, new Map(model.quantizedLayers.map((n) => [n, 2])));
    const after = await finetune(model, [2, 2, 2, 2], d.train, d.validation, 20, { batchSize: 50, learningRate: 3e-3, seed: 1 });
    expect(after).toBeGreaterThan(before - 0.5);
    model.dispose();
  });
});
