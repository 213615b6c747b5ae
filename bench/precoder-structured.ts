/**
 * Exploration: the seed-000 trunk (conv, FC1, FC2 with BN, ReLU, dropout) with a model-driven
 * head instead of the 2·N_T·N_U-unit FC3. The head outputs 2·N_U numbers — per-user weights
 * λ_k and powers p_k — and the precoder takes the optimal beamforming structure
 * (Björnson, Bengtsson, Ottersten 2014):
 *
 *   w_k = √p_k · u_k / ‖u_k‖,  U = (I + Hᴴ D H)⁻¹ Hᴴ = Hᴴ (I + D H Hᴴ)⁻¹,  D = diag(λ_k / σ²)
 *
 * where row k of H is h_kᴴ. λ_k = P / N_U for all k is RZF; WMMSE's fixed point has this form.
 * Does the paper's trunk learn λ and p (where it stalls learning the 512 precoder entries)?
 *   npx tsx bench/precoder-structured.ts COUT DFCL EPOCHS BATCH OUT [scenario] [bits] [head scale]
 * e.g. `8 512 15 100 out/s udem-nlos 16 0.1`. The head's outputs are multiplied by the head scale
 * (default 1): at 0.1 the untrained network starts close to u = 0, i.e. RZF directions at equal powers.
 */
import { initBackend, tf } from '../nets/tf/backend.ts';
import { graphBuilder } from '../nets/builder.ts';
import type { OpSpec } from '../nets/graph.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { evaluateRate, meanSumRate, precoderTask, trainModel, type PrecoderReadout, type TrainEvent } from '../nets/train.ts';
import { cacheKey, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const [cout, dfcl, epochs, batch] = process.argv.slice(2, 6).map(Number);
const out = process.argv[6];
const name = process.argv[7] ?? 'udem-nlos';
const bits = Number(process.argv[8] ?? 16);
const headScale = Number(process.argv[9] ?? 1);
await initBackend();
const s = loadScenario(name);
const train = loadDataset(s, 'train') as MimoDataset;
const validation = loadDataset(s, 'validation') as MimoDataset;
const test = loadDataset(s, 'test') as MimoDataset;
const { nt, nu, noiseVar, power } = train;

// The paper's graph up to FC2 (the Graph stays the one source of the trunk), then an 8-unit FC3.
const paper = buildPrecoder({ cout, dfcl, nt, nu, bits: [bits, bits, bits, bits] });
const b = graphBuilder(`precoder-structured(cout=${cout},dfcl=${dfcl},bits=${bits})`);
for (const op of paper.ops) {
  if (op.name === 'fc3' || op.name === 'powernorm') continue;
  const { name: opName, inputs, precision, inputShapes: _i, outputShape: _o, ...spec } = op;
  b.add(opName, spec as OpSpec, inputs, precision);
}
const fc3 = paper.ops.find((op) => op.name === 'fc3')!;
b.add('fc3', { kind: 'dense', units: 2 * nu, bias: true }, fc3.inputs, fc3.precision);
const graph = b.build();

/** Inverts a batch of symmetric positive-definite n×n matrices by Gauss–Jordan without pivoting. */
function invertSpd(a: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [bs, n] = a.shape;
    let m = tf.concat([a, tf.tile(tf.eye(n).reshape([1, n, n]), [bs, 1, 1])], 2) as tf.Tensor3D;
    for (let p = 0; p < n; p++) {
      const row = tf.div(tf.slice(m, [0, p, 0], [bs, 1, 2 * n]), tf.slice(m, [0, p, p], [bs, 1, 1]));
      const col = tf.slice(m, [0, 0, p], [bs, n, 1]);
      const unit = tf.oneHot([p], n).reshape([1, n, 1]);
      m = tf.add(tf.sub(m, tf.mul(col, row)), tf.mul(unit, row)) as tf.Tensor3D;
    }
    return tf.slice(m, [0, 0, n], [bs, n, n]);
  });
}

/** The precoder [B, 2·N_T·N_U] (sumRateTensor's layout) for channels x and head outputs u [B, 2·N_U]. */
function structured(x: tf.Tensor4D, u: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const bs = x.shape[0];
    const [xr, xi] = tf.split(x, 2, 1).map((t) => tf.reshape(t, [bs, nt, nu]) as tf.Tensor3D); // x[n,k] = H[k,n]
    const [lu, pu] = tf.split(tf.mul(u, headScale), 2, 1);
    // d_k = λ_k/σ², λ_k = (P/N_U)·exp(lu_k): lu = 0 is RZF. Clipped so the inverse stays conditioned.
    const d = tf.mul(tf.exp(tf.clipByValue(lu, -8, 8)), power / nu / noiseVar);
    const sq = tf.sqrt(d);
    // G = H Hᴴ: G[k,j] = Σ_n H[k,n] conj(H[j,n]).
    const xrT = tf.transpose(xr, [0, 2, 1]);
    const xiT = tf.transpose(xi, [0, 2, 1]);
    const gr = tf.add(tf.matMul(xrT, xr), tf.matMul(xiT, xi));
    const gi = tf.sub(tf.matMul(xiT, xr), tf.matMul(xrT, xi));
    // A = I + D^½ G D^½ (Hermitian PD), in its real 2N_U × 2N_U form [[Ar, −Ai], [Ai, Ar]].
    const outer = tf.mul(sq.reshape([bs, nu, 1]), sq.reshape([bs, 1, nu]));
    const ar = tf.add(tf.mul(gr, outer), tf.eye(nu).reshape([1, nu, nu]));
    const ai = tf.mul(gi, outer);
    const inv = invertSpd(tf.concat([tf.concat([ar, tf.neg(ai)], 2), tf.concat([ai, ar], 2)], 1) as tf.Tensor3D);
    const br = tf.slice(inv, [0, 0, 0], [bs, nu, nu]);
    const bi = tf.slice(inv, [0, nu, 0], [bs, nu, nu]);
    // (I + D G)⁻¹ = D^-½ A⁻¹ D^½; the right factor only scales columns, which normalisation removes.
    const invSq = tf.reciprocal(sq).reshape([bs, 1, nu]);
    const cr = tf.mul(xr, invSq); // Hᴴ[n,k] = conj H[k,n]
    const ci = tf.neg(tf.mul(xi, invSq));
    const wr = tf.sub(tf.matMul(cr, br), tf.matMul(ci, bi));
    const wi = tf.add(tf.matMul(cr, bi), tf.matMul(ci, br));
    const norm = tf.sqrt(tf.add(tf.sum(tf.add(tf.square(wr), tf.square(wi)), 1, true), 1e-12));
    // √p_k from the log-softmax: sqrt(softmax) has an infinite gradient where a power reaches 0.
    const scale = tf.div(tf.mul(tf.exp(tf.mul(tf.logSoftmax(pu), 0.5)), Math.sqrt(power)).reshape([bs, 1, nu]), norm);
    return tf.concat([tf.reshape(tf.mul(wr, scale), [bs, nt * nu]), tf.reshape(tf.mul(wi, scale), [bs, nt * nu])], 1) as tf.Tensor2D;
  });
}

const readout: PrecoderReadout = { precoder: (model, x, o) => structured(x, model.forward(x, o) as tf.Tensor2D) };
const task = precoderTask({ train, validation }, readout);
const log = (e: TrainEvent) => {
  if (e.type === 'epoch') process.stderr.write(`${JSON.stringify({ ...e.record, best: e.bestValidation })}\n`);
};
const t0 = Date.now();
/** The head's rate at u = 0 (RZF directions, equal powers): what the structure gives untrained. */
const structureOnly = (ds: MimoDataset) => meanSumRate(ds, (x) => structured(x, tf.zeros([x.shape[0], 2 * nu])));
const untrained = { validation: await structureOnly(validation), test: await structureOnly(test) };
process.stderr.write(`head at u = 0 (RZF directions, equal powers): ${JSON.stringify(untrained)}\n`);
const { model } = await trainModel(
  { graph, epochs, batchSize: batch, learningRate: 1e-3, seed: 1, patience: epochs, dataKey: cacheKey(s, 'train') },
  task,
  out,
  log,
);
process.stdout.write(JSON.stringify({ cout, dfcl, epochs, batch, bits, headScale, scenario: name, untrained, test: await evaluateRate(model, test, undefined, undefined, undefined, readout), seconds: (Date.now() - t0) / 1000 }) + '\n');
