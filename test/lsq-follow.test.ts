import { beforeAll, describe, expect, it } from 'vitest';
import { buildPrecoder } from '../nets/precoder.ts';
import { LSQ_STEP_DRIFT, lsqRange, lsqStepIsStale, lsqStepOfScale } from '../nets/quant.ts';
import { asMimo, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';
import { Adam } from '../train/adam.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { precoderTask, sampledBits, trainStep } from '../train/trainer.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const meanAbs = (t: tf.Tensor) => Array.from(t.dataSync()).reduce((s, v) => s + Math.abs(v), 0) / t.size;
const value = (model: GraphModel, name: string) => (model.trainable.get(name) ?? model.statistics.get(name))!.dataSync()[0];

describe('LSQ steps follow their kernels', () => {
  it('the staleness rule: past the drift factor either way, or a kernel leaving zero', () => {
    expect(lsqStepIsStale(1, 1.9)).toBe(false);
    expect(lsqStepIsStale(1, LSQ_STEP_DRIFT * 1.01)).toBe(true);
    expect(lsqStepIsStale(1, 0.49)).toBe(true);
    expect(lsqStepIsStale(0, 1e-6)).toBe(true);
    expect(lsqStepIsStale(1, 0)).toBe(false);
  });

  it('a kernel scaled 14× gets its low-bit steps set afresh, and 1.5× leaves them alone', () => {
    const model = new GraphModel(buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [2, 2, 2, 2] }), { seed: 1 });
    model.prepare();
    const kernel = model.trainable.get('fc2/kernel')!;
    const learned = value(model, 'fc2/lsq_step@2') * 0.8; // as if training had moved it
    model.restore('fc2/lsq_step@2', Float32Array.of(learned), []);
    kernel.assign(tf.mul(kernel, 1.5));
    expect(model.followKernels()).toEqual([]);
    expect(value(model, 'fc2/lsq_step@2')).toBe(Math.fround(learned));
    kernel.assign(tf.mul(kernel, 14 / 1.5));
    expect(model.followKernels()).toEqual(['fc2/lsq_step@2']);
    expect(value(model, 'fc2/lsq_step@2')).toBeCloseTo(lsqStepOfScale(meanAbs(kernel), lsqRange(2, true)), 6);
    expect(value(model, 'fc2/lsq_scale@2')).toBeCloseTo(meanAbs(kernel), 6);
    model.dispose();
  });

  it('training a zero-initialised layer that grows keeps its 2-bit step within the drift of LSQ’s value for the kernel as it is', async () => {
    const scenario = validateScenario({ name: 'tiny-grow', model: 'rayleigh', nt: 8, nu: 2, snrDb: 0, seed: 9, split: { train: 200, validation: 20, test: 4 } }, 'tiny');
    const train = asMimo(generateSplit(scenario, 'train'));
    const validation = asMimo(generateSplit(scenario, 'validation'));
    // The structured head's FCL3 starts at zero: its step is set for a zero kernel.
    const model = new GraphModel(buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [16, 16, 16, 2], head: 'structured', noiseVar: train.noiseVar }), { seed: 2 });
    const task = precoderTask({ train, validation });
    const adam = new Adam({ learningRate: 3e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    const order = Int32Array.from({ length: train.count }, (_, i) => i);
    const scales: number[] = [];
    for (let step = 0; step < 30; step++) {
      const x = task.batch(order, (step % 4) * 50, (step % 4) * 50 + 50);
      await trainStep(model, adam, task, x, undefined, step);
      x.dispose();
      const kernel = model.trainable.get('fc3/kernel')!;
      scales.push(meanAbs(kernel));
      const lsq = lsqStepOfScale(meanAbs(kernel), lsqRange(2, true));
      const ratio = value(model, 'fc3/lsq_step@2') / lsq;
      // Within the drift factor (and the few relative updates since the last reset).
      expect(ratio, `step ${step}`).toBeGreaterThan(1 / (LSQ_STEP_DRIFT * 1.2));
      expect(ratio, `step ${step}`).toBeLessThan(LSQ_STEP_DRIFT * 1.2);
    }
    // The kernel did grow from zero by far more than the drift factor.
    expect(scales[scales.length - 1] / scales[0]).toBeGreaterThan(4);
    adam.dispose();
    model.dispose();
  });

  it('a supernet’s steps at every width follow the shared kernel', async () => {
    const model = new GraphModel(buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [16, 16, 16, 16] }), { seed: 3 });
    for (const b of [2, 4, 8]) model.prepare(sampledBits(model, [b], 0, 0, 0));
    const kernel = model.trainable.get('conv/kernel')!;
    kernel.assign(tf.mul(kernel, 3));
    expect(model.followKernels().filter((n) => n.startsWith('conv/')).sort()).toEqual(['conv/lsq_step@2', 'conv/lsq_step@4', 'conv/lsq_step@8']);
    model.dispose();
  });
});
