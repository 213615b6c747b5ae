import { initBackend, tf } from '/work/main/train/backend.ts';
import { buildCsiNet } from '/work/main/nets/csi.ts';
import { GraphModel } from '/work/main/train/model.ts';
import { Adam } from '/work/main/train/adam.ts';
await initBackend('auto');
const model = new GraphModel(buildCsiNet({ net: 'crnet', cr: 4 }), { seed: 1 });
model.prepare();
const adam = new Adam();
const x = tf.randomUniform([50, 2, 32, 32], 0, 1, 'float32', 1);
const t = { fwd: 0, grads: 0, adam: 0 };
for (let s = 0; s < 25; s++) {
  const t1 = performance.now();
  tf.tidy(() => { tf.losses.meanSquaredError(x, model.forward(x, { training: true })); });
  const t2 = performance.now();
  const vars = [...model.trainable.values()];
  const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(x, model.forward(x, { training: true })) as tf.Scalar, vars);
  const t3 = performance.now();
  const named = Object.fromEntries(Object.entries(grads).map(([k, g]) => [model.keyOf(k), g]));
  adam.apply(new Map([...model.trainable].map(([k, v]) => [k, v])), named);
  const t4 = performance.now();
  tf.dispose([value, ...Object.values(grads)]);
  if (s >= 5) { t.fwd += t2 - t1; t.grads += t3 - t2; t.adam += t4 - t3; }
}
for (const k of Object.keys(t) as (keyof typeof t)[]) console.log(k, (t[k] / 20).toFixed(1));
