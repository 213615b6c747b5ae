/**
 * Time of one training step, after one warm-up step: the precoder at B = 1000 (16 bits, Rayleigh
 * 64 × 4 channels) and CRNet (CR 4) at B = 50 on random 2×32×32 CSI images (MSE, Adam) — the
 * figures `npm run bench` reports, `bench/step-compare.ts` and `bench/codec-step.ts` measure on
 * their own and `bench/torch/step.py` times in PyTorch.
 */
import { buildCsiNet } from '../nets/csi.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { Adam } from '../train/adam.ts';
import { batchTensor, precoderTask, trainStep } from '../train/trainer.ts';
import { asMimo, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';

export async function precoderStepMs(cout: number, dfcl: number, steps: number): Promise<number> {
  const scenario = validateScenario({ name: 'bench', model: 'rayleigh', nt: 64, nu: 4, snrDb: 15, seed: 1, split: { train: 1000, validation: 10, test: 10 } }, 'bench');
  const train = asMimo(generateSplit(scenario, 'train'));
  const order = Int32Array.from({ length: 1000 }, (_, i) => i);
  const model = new GraphModel(buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), { seed: 1 });
  const adam = new Adam();
  const x = batchTensor(train, order, 0, 1000);
  const task = precoderTask({ train, validation: train });
  await trainStep(model, adam, task, x, undefined, 1);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await trainStep(model, adam, task, x, undefined, s + 2);
  const ms = (performance.now() - t0) / steps;
  x.dispose();
  adam.dispose();
  model.dispose();
  return ms;
}

/** CRNet CR 4's training step at B = 50, as `bench/torch/step.py` times it in PyTorch. */
export function codecStepMs(steps: number): number {
  const model = new GraphModel(buildCsiNet({ net: 'crnet', cr: 4 }), { seed: 1 });
  model.prepare();
  const adam = new Adam();
  const x = tf.randomUniform([50, 2, 32, 32], 0, 1, 'float32', 1);
  const step = () => {
    const vars = [...model.trainable.values()];
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(x, model.forward(x, { training: true })) as tf.Scalar, vars);
    const named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [model.keyOf(k), g]));
    adam.apply(new Map([...model.trainable].map(([k, v]) => [k, v])), named);
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step();
  const ms = (performance.now() - t0) / steps;
  x.dispose();
  adam.dispose();
  model.dispose();
  return ms;
}
