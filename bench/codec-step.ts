/**
 * One CRNet (CR 4) training step at B = 50 on random 2×32×32 CSI images (MSE, Adam), as
 * `bench/torch/step.py crnet` times it in PyTorch:
 *   npx tsx bench/codec-step.ts auto|wasm STEPS
 */
import { buildCsiNet } from '../nets/csi.ts';
import { Adam } from '../train/adam.ts';
import { initBackend, tf, type BackendChoice } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';

const [choice, stepsRaw] = process.argv.slice(2);
const backend = await initBackend(choice as BackendChoice);
const steps = Number(stepsRaw ?? 5);
const graph = buildCsiNet({ net: 'crnet', cr: 4 });
const model = new GraphModel(graph, { seed: 1 });
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
console.log(JSON.stringify({ backend, net: 'crnet cr4', batch: 50, ms: (performance.now() - t0) / steps }));
