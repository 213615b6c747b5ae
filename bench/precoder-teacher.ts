/**
 * Exploration: does a teacher phase (regression onto the RZF precoder) get the seed-000 precoder
 * past the MRT-like plateau that self-supervised training stalls on (docs/training.md)?
 *   npx tsx bench/precoder-teacher.ts COUT DFCL TEACHER_EPOCHS RATE_EPOCHS BATCH OUT \\
 *     [scenario] [dropout] [norm|raw] [training-loss SNR dB] [training samples]
 * e.g. the docs' 1,000-sample row: `8 512 0 300 100 out/x udem-nlos 0 norm 15 1000`.
 */
import { initBackend, tf } from '../train/backend.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { batchTensor, evaluateRate, precoderTask, trainModel, type PrecoderReadout, type TrainEvent, type TrainTask } from '../train/trainer.ts';
import { asMimo, cacheKey, channelOf, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { rzf } from '../baselines/precoders.ts';

const [cout, dfcl, teacherEpochs, rateEpochs, batch] = process.argv.slice(2, 7).map(Number);
const out = process.argv[7];
const name = process.argv[8] ?? 'udem-nlos';
const dropout = Number(process.argv[9] ?? 0.05);
const normalise = process.argv[10] === 'norm';
/** The noise variance of the training loss (a curriculum knob; validation keeps the scenario's). */
const trainNoiseVar = process.argv[11] === undefined ? undefined : 10 ** (-Number(process.argv[11]) / 10);
/** Each user's row scaled to mean per-antenna gain 1 (what the network sees; the loss keeps H). */
const inputOf = (x: tf.Tensor): tf.Tensor =>
  normalise ? tf.tidy(() => tf.div(x, tf.sqrt(tf.mul(tf.mean(tf.square(x), [1, 2], true), 2)))) : x;
await initBackend();
const s = loadScenario(name);
const full = asMimo(loadDataset(s, 'train'));
/** Optionally only the first N training samples (can the net fit a few channels at all?). */
const train: MimoDataset = process.argv[12] === undefined ? full : { ...full, count: Math.min(full.count, Number(process.argv[12])) };
const validation = asMimo(loadDataset(s, 'validation'));
const test = asMimo(loadDataset(s, 'test'));
const size = 2 * train.nt * train.nu;
const targets = new Float32Array(train.count * size);
for (let i = 0; i < train.count; i++) {
  const v = rzf(channelOf(train, i));
  const half = train.nt * train.nu;
  for (let j = 0; j < half; j++) {
    targets[i * size + j] = v.re[j];
    targets[i * size + half + j] = v.im[j];
  }
}
const graph = buildPrecoder({ cout, dfcl, nt: train.nt, nu: train.nu, bits: [16, 16, 16, 16], dropout });
const readout: PrecoderReadout = { precoder: (model, x, o) => model.forward(inputOf(x), o) as tf.Tensor2D, trainNoiseVar };
const base = precoderTask({ train, validation }, readout);
const teacher: TrainTask = {
  ...base,
  batch: (order, from, to) => {
    const x = batchTensor(train, order, from, to);
    const t = new Float32Array((to - from) * size);
    for (let i = from; i < to; i++) t.set(targets.subarray(order[i] * size, (order[i] + 1) * size), (i - from) * size);
    return tf.concat([tf.reshape(x, [to - from, size]), tf.tensor2d(t, [to - from, size])], 1);
  },
  loss: (model, xt, o) =>
    tf.tidy(() => {
      const b = xt.shape[0];
      const [xf, t] = tf.split(xt, 2, 1);
      const v = readout.precoder(model, tf.reshape(xf, [b, 2, train.nt, train.nu]), { training: true, ...o });
      return tf.mean(tf.sum(tf.square(tf.sub(v, t)), 1)) as tf.Scalar;
    }),
  metricOfLoss: (l) => -l,
};
const common = { graph, batchSize: batch, learningRate: 1e-3, seed: 1, dataKey: cacheKey(s, 'train') };
const log = (e: TrainEvent) => {
  if (e.type === 'epoch') process.stderr.write(`${JSON.stringify({ ...e.record, best: e.bestValidation })}\n`);
};
if (teacherEpochs > 0) await trainModel({ ...common, epochs: teacherEpochs, patience: teacherEpochs }, teacher, `${out}/teacher`, log);
const { model } = await trainModel(
  { ...common, epochs: rateEpochs, patience: rateEpochs, ...(teacherEpochs > 0 ? { initFrom: `${out}/teacher` } : {}) },
  base,
  `${out}/rate`,
  log,
);
process.stdout.write(JSON.stringify({ cout, dfcl, teacherEpochs, rateEpochs, batch, test: await evaluateRate(model, test, undefined, undefined, undefined, readout) }) + '\n');
