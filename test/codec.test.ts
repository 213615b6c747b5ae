import { describe, expect, it } from 'vitest';
import { buildCsiNet } from '../nets/csi.ts';
import { codecBatch, codecTask, codewordOp, codewordPerturb, codewordStepKey, residualBatchNorms, trainedCodewordBits } from '../train/codec.ts';
import { decodeMaps } from '../train/codec-feedback.ts';
import { Adam } from '../train/adam.ts';
import { trainStep } from '../train/trainer.ts';
import type { CsiDataset } from '../scenarios/dataset.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';

describe('codec training', () => {
  it('zero-init of the decoder’s residual paths starts CRNet at the 0 dB decoder (output 0.5)', async () => {
    const graph = buildCsiNet({ net: 'crnet', cr: 4 });
    const zero = residualBatchNorms(graph);
    expect(zero).toEqual(['dec.conv5x5.bn', 'dec.crblock1.conv1x1.bn', 'dec.crblock2.conv1x1.bn']);
    await initBackend('wasm');
    const model = new GraphModel(graph, { seed: 2, zeroGamma: zero });
    const y = tf.tidy(() => model.forward(tf.randomUniform([2, 2, 32, 32], 0, 1, 'float32', 5), { training: true }));
    const values = y.dataSync();
    expect(Math.min(...values)).toBeCloseTo(0.5, 6);
    expect(Math.max(...values)).toBeCloseTo(0.5, 6);
    y.dispose();
    model.dispose();
  });
});

describe('a codeword trained to be sent in B bits', () => {
  it('takes at most 2^B levels, its LSQ step exists before the first step and trains, and decoding uses it', async () => {
    await initBackend('wasm');
    const graph = buildCsiNet({ net: 'csinet', cr: 8, side: 8 });
    const maps = (count: number, seed: number): CsiDataset => ({ kind: 'csi', scenario: 'random', split: 'train', count, rows: 8, cols: 8, data: Float32Array.from(tf.randomUniform([count * 128], 0.3, 0.7, 'float32', seed).dataSync()) }) as CsiDataset;
    const data = { train: maps(64, 1), validation: maps(16, 2) };
    const model = new GraphModel(graph, { seed: 3 });
    const task = codecTask(graph, data, { bits: 3 });
    const key = codewordStepKey(graph, 3);
    expect(key).toBe(`${codewordOp(graph)}/act_step@3`);
    task.beforeEpoch!(model, 1);
    expect(model.trainable.has(key)).toBe(true);
    expect(trainedCodewordBits(model)).toBe(3);
    // What the base station receives: the codeword at ≤ 8 levels, each a multiple of the step.
    let sent: Float32Array | undefined;
    const step = model.trainable.get(key)!.dataSync()[0];
    tf.tidy(() => {
      const p = codewordPerturb(model, { bits: 3 }, 0)!;
      model.forward(codecBatch(data.train, Int32Array.from({ length: 64 }, (_, i) => i), 0, 64), { training: false, perturb: { after: p.after, apply: (t) => { const q = p.apply(t); sent = q.dataSync() as Float32Array; return q; } } });
    });
    const levels = new Set(Array.from(sent!, (v) => Math.round(v / step)));
    expect(levels.size).toBeLessThanOrEqual(8);
    expect(Math.min(...levels)).toBeGreaterThanOrEqual(-4);
    expect(Math.max(...levels)).toBeLessThanOrEqual(3);
    expect(levels.size).toBeGreaterThan(2);
    // One Adam step moves the step (its gradient reaches it through LSQ).
    const adam = new Adam({ learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    const xb = task.batch(Int32Array.from({ length: 64 }, (_, i) => i), 0, 32);
    await trainStep(model, adam, task, xb, undefined, 1);
    xb.dispose();
    expect(model.trainable.get(key)!.dataSync()[0]).not.toBe(step);
    // Decoding through the trained quantizer differs from decoding the clean codeword; noise on top changes it again.
    const clean = await decodeMaps(model, data.validation);
    const quantized = await decodeMaps(model, data.validation, { quantizer: 'trained', bits: 3 });
    const noisy = await decodeMaps(model, data.validation, { quantizer: 'trained', bits: 3, snrDb: 0 });
    const gap = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
    expect(gap(clean, quantized)).toBeGreaterThan(0);
    expect(gap(quantized, noisy)).toBeGreaterThan(0);
    adam.dispose();
    model.dispose();
  });
});
