import { buildCsiNet } from '/work/main/nets/csi.ts';
import { Adam } from '/work/main/train/adam.ts';
import { initBackend, tf, type BackendChoice } from '/work/main/train/backend.ts';
import { GraphModel } from '/work/main/train/model.ts';
const backend = await initBackend((process.argv[2] ?? 'auto') as BackendChoice);
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
step(); step();
const prof = await tf.profile(() => { step(); });
const by = new Map<string, { ms: number; n: number }>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? { ms: 0, n: 0 }; e.ms += Number(k.kernelTimeMs); e.n++; by.set(k.name, e); }
const rows = [...by].sort((a, b) => b[1].ms - a[1].ms);
let tot = 0; for (const [, e] of rows) tot += e.ms;
console.log(backend, 'kernels total ms', tot.toFixed(1), 'count', prof.kernels.length);
for (const [n, e] of rows.slice(0, 30)) console.log(n.padEnd(28), e.ms.toFixed(1).padStart(8), String(e.n).padStart(5));
const t0 = performance.now(); for (let i = 0; i < 5; i++) step(); console.log('step ms', (performance.now() - t0) / 5);
for (const k of prof.kernels.filter((k) => ['Conv2D', 'Conv2DBackpropInput', 'LeakyRelu', 'Concat', 'SplitV', 'Transpose'].includes(k.name))) console.log(k.name, JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes), Number(k.kernelTimeMs).toFixed(2));
const ids = new Map<string, number>();
for (const k of prof.kernels.filter((k) => k.name === 'Identity')) { const key = JSON.stringify(k.inputShapes); ids.set(key, (ids.get(key) ?? 0) + 1); }
console.log([...ids].sort((a, b) => b[1] - a[1]).slice(0, 15));
