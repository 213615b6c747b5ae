/**
 * The training steps of docs/training.md's table, each after two warm-up steps: the precoder at
 * B = 1000 (16 bits, Rayleigh 64 × 4 channels; the trainer's own step) and CRNet (CR 4) at B = 50
 * on random 2×32×32 CSI images (MSE, Adam) — the figures `npm run bench` reports,
 * `bench/step-compare.ts`, `bench/codec-step.ts` and `bench/step-profile.ts` measure on their own
 * and `bench/torch/step.py` times in PyTorch.
 */
import { buildCsiNet } from '../nets/csi.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { Adam } from '../train/adam.ts';
import { batchTensor, precoderTask, trainStep } from '../train/trainer.ts';
import { asMimo, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';

export interface BenchStep {
  /** One step: forward, backward, Adam. */
  run(): Promise<void>;
  dispose(): void;
}

export function precoderStep(cout: number, dfcl: number): BenchStep {
  const scenario = validateScenario({ name: 'bench', model: 'rayleigh', nt: 64, nu: 4, snrDb: 15, seed: 1, split: { train: 1000, validation: 10, test: 10 } }, 'bench');
  const train = asMimo(generateSplit(scenario, 'train'));
  const order = Int32Array.from({ length: 1000 }, (_, i) => i);
  const model = new GraphModel(buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), { seed: 1 });
  const adam = new Adam();
  const x = batchTensor(train, order, 0, 1000);
  const task = precoderTask({ train, validation: train });
  let step = 0;
  return {
    run: async () => {
      await trainStep(model, adam, task, x, undefined, ++step);
    },
    dispose: () => {
      x.dispose();
      adam.dispose();
      model.dispose();
    },
  };
}

/** CRNet CR 4's training step at B = 50, as `bench/torch/step.py` times it in PyTorch. */
export function codecStep(): BenchStep {
  const model = new GraphModel(buildCsiNet({ net: 'crnet', cr: 4 }), { seed: 1 });
  model.prepare();
  const adam = new Adam();
  const x = tf.randomUniform([50, 2, 32, 32], 0, 1, 'float32', 1);
  return {
    run: async () => {
      const vars = [...model.trainable.values()];
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(x, model.forward(x, { training: true })) as tf.Scalar, vars);
      const named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [model.keyOf(k), g]));
      adam.apply(new Map([...model.trainable].map(([k, v]) => [k, v])), named);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => {
      x.dispose();
      adam.dispose();
      model.dispose();
    },
  };
}

/**
 * Mean wall time of `steps` steps after two warm-up steps (the first ones still grow the wasm
 * heap and compile the kernels' JavaScript glue: a CRNet step averaged 128 ms over 5 steps after
 * one warm-up, 104 ms over 20); disposes the step.
 */
export async function stepMs(step: BenchStep, steps: number): Promise<number> {
  await step.run();
  await step.run();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await step.run();
  const ms = (performance.now() - t0) / steps;
  step.dispose();
  return ms;
}

export const precoderStepMs = (cout: number, dfcl: number, steps: number) => stepMs(precoderStep(cout, dfcl), steps);
export const codecStepMs = (steps: number) => stepMs(codecStep(), steps);
