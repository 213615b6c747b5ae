import { initBackend, tf } from '/work/main/train/backend.ts';
import { buildPrecoder } from '/work/main/nets/precoder.ts';
import { GraphModel } from '/work/main/train/model.ts';
import { Adam } from '/work/main/train/adam.ts';
import { batchTensor, precoderTask } from '/work/main/train/trainer.ts';
import { asMimo, generateSplit } from '/work/main/scenarios/dataset.ts';
import { validateScenario } from '/work/main/scenarios/schema.ts';
await initBackend('auto');
const scenario = validateScenario({ name: 'bench', model: 'rayleigh', nt: 64, nu: 4, snrDb: 15, seed: 1, split: { train: 1000, validation: 10, test: 10 } }, 'bench');
const train = asMimo(generateSplit(scenario, 'train'));
const order = Int32Array.from({ length: 1000 }, (_, i) => i);
const model = new GraphModel(buildPrecoder({ cout: 8, dfcl: 512, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), { seed: 1 });
const adam = new Adam();
const x = batchTensor(train, order, 0, 1000);
const task = precoderTask({ train, validation: train });
const t = { prep: 0, fwd: 0, grads: 0, adam: 0, read: 0 };
for (let s = 0; s < 8; s++) {
  let t0 = performance.now();
  model.prepare(undefined);
  const vars = [...model.trainable.values()];
  const t1 = performance.now();
  tf.tidy(() => { task.loss(model, x, { dropoutSeed: s }); });
  const t2 = performance.now();
  const { value, grads } = tf.variableGrads(() => task.loss(model, x, { dropoutSeed: s }), vars);
  const t3 = performance.now();
  const named: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) named[model.keyOf(name)] = g;
  adam.apply(model.trainable, named, () => false);
  const t4 = performance.now();
  await value.data(); value.dispose(); for (const g of Object.values(grads)) g.dispose();
  const t5 = performance.now();
  if (s >= 3) { t.prep += t1 - t0; t.fwd += t2 - t1; t.grads += t3 - t2; t.adam += t4 - t3; t.read += t5 - t4; }
}
for (const k of Object.keys(t) as (keyof typeof t)[]) console.log(k, (t[k] / 5).toFixed(1));
const prof = await tf.profile(() => { tf.tidy(() => { task.loss(model, x, { dropoutSeed: 1 }); }); });
const rows = prof.kernels.map((k) => [k.name, JSON.stringify(k.inputShapes), Number(k.kernelTimeMs).toFixed(2)] as const);
console.log('kernels', rows.length, 'sum', prof.kernels.reduce((s, k) => s + Number(k.kernelTimeMs), 0).toFixed(1));
for (const r of rows.filter((r) => Number(r[2]) > 0.5)) console.log(r.join(' '));
const t0 = performance.now(); for (let i = 0; i < 5; i++) tf.tidy(() => { task.loss(model, x, { dropoutSeed: 1 }); }); console.log('fwd ms', (performance.now() - t0) / 5);
