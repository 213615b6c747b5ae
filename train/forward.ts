/**
 * The tfjs forward pass of each op kind, one entry per kind (or the reason a kind is priced but
 * never run): a new op kind is a compile error here until it has one. Tensors are NHWC inside;
 * flatten, reshape and transpose go through the Graph's channel-first order (`toNchw`), so a
 * weight means here what it means in the Graph. The model (train/model.ts) supplies its
 * parameters through the context; nothing here holds state.
 */
import { InputError } from '../core/errors.ts';
import type { Op, OpKind } from '../nets/graph.ts';
import { lsqRange, lsqStepOfScale, meanAbs } from '../nets/quant.ts';
import { tf } from './backend.ts';
import { dropout } from './dropout.ts';
import { beamform, channelGains, gramOf, regularizedInverse, userPower, wmmseUpdate } from './heads.ts';
import { nativeBatchNorm, nativeLeakyRelu } from './native-kernels.ts';
import { batchNormBroadcast, conv2dFast, matMul } from './ops.ts';
import { kbitActivation, lsqQuantize } from './quant.ts';
import { formatKey } from './variable-key.ts';

/** What one op's forward reads: its inputs, the pass's mode and the model's parameters for it. */
export interface ForwardContext {
  /** The op's inputs, NHWC (or [N, C]). */
  readonly x: readonly tf.Tensor[];
  /** The batch as given, channel-first. */
  readonly input: tf.Tensor;
  /** The op's place in the graph (seeds its dropout mask). */
  readonly index: number;
  readonly training: boolean;
  readonly dropoutSeed: number;
  toNhwc(t: tf.Tensor): tf.Tensor;
  toNchw(t: tf.Tensor): tf.Tensor;
  /** The op's parameter by suffix (bias, gamma, beta, alpha). */
  param(suffix: string): tf.Variable;
  /** The op's kernel, fake-quantized at the pass's bits. */
  kernel(): tf.Tensor2D;
  /** The op's BN running statistics at the pass's bits. */
  bnStats(): { mean: tf.Variable; variance: tf.Variable };
  readonly bnMomentum: number;
  readonly quantizeActivations: boolean;
  readonly kbitActivations: boolean;
  /** A trainable activation step by key, made with `initial()` on first use. */
  activationStep(key: string, initial: () => number): tf.Variable;
}

type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;
export type Forward<K extends OpKind> = (op: OpOf<K>, c: ForwardContext) => tf.Tensor;

function conv2d(op: OpOf<'conv2d'>, c: ForwardContext): tf.Tensor {
  if (op.dilation && (op.dilation[0] > 1 || op.dilation[1] > 1)) throw new InputError('graph', op.name, 'allowed: undilated convolutions in training and inference (a dilated one is priced, not run)');
  const kernel = c.kernel();
  const padding = op.padding === 'same' || op.padding === 'valid' ? op.padding : 'valid';
  let xin = c.x[0] as tf.Tensor4D;
  if (typeof op.padding !== 'string') {
    const [ph, pw] = op.padding;
    xin = tf.pad(xin, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
  }
  const groups = op.groups;
  const cinG = op.inputShapes[0][0] / groups;
  const coutG = op.filters / groups;
  const [kh, kw] = op.kernel;
  const conv = (xg: tf.Tensor4D, k: tf.Tensor2D) => conv2dFast(xg, tf.reshape(k, [kh, kw, cinG, k.shape[1]]) as tf.Tensor4D, padding);
  let y: tf.Tensor4D;
  if (groups === 1) y = conv(xin, kernel);
  else {
    const parts = tf.split(xin, groups, 3).map((xg, g) => conv(xg as tf.Tensor4D, tf.slice(kernel, [0, g * coutG], [kh * kw * cinG, coutG])));
    y = tf.concat(parts, 3);
  }
  if (op.stride[0] > 1 || op.stride[1] > 1) {
    const [, h, w] = y.shape;
    y = tf.stridedSlice(y, [0, 0, 0, 0], [y.shape[0], h, w, y.shape[3]], [1, op.stride[0], op.stride[1], 1]) as tf.Tensor4D;
  }
  return op.bias ? tf.add(y, c.param('bias')) : y;
}

function batchnorm(_: OpOf<'batchnorm'>, c: ForwardContext): tf.Tensor {
  const t = c.x[0];
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i);
  const stats = c.bnStats();
  if (c.training) {
    // One native pass pair over the activations when the native kernels are in (same statistics, in double).
    const native = nativeBatchNorm(t, c.param('gamma'), c.param('beta'), 1e-3);
    const { mean, variance } = native ?? tf.moments(t, axes);
    const m = c.bnMomentum;
    stats.mean.assign(tf.add(tf.mul(stats.mean, m), tf.mul(mean, 1 - m)));
    stats.variance.assign(tf.add(tf.mul(stats.variance, m), tf.mul(variance, 1 - m)));
    return native ? native.y : batchNormBroadcast(t, mean, variance, c.param('beta'), c.param('gamma'), 1e-3);
  }
  return tf.batchNorm(t, stats.mean, stats.variance, c.param('beta'), c.param('gamma'), 1e-3);
}

function relu(op: OpOf<'relu'>, c: ForwardContext): tf.Tensor {
  const y = tf.relu(c.x[0]);
  if (!c.quantizeActivations || op.precision.activationBits >= 16) return y;
  const range = lsqRange(op.precision.activationBits, false);
  const step = c.activationStep(formatKey({ kind: 'activationStep', op: op.name, bits: op.precision.activationBits }), () => lsqStepOfScale(meanAbs(y.dataSync() as Float32Array), range));
  return lsqQuantize(y, step, range);
}

function pool(op: OpOf<'avgpool'> | OpOf<'maxpool'>, c: ForwardContext): tf.Tensor {
  // Zero padding for an average (ONNX counts the pads, count_include_pad = 1), −∞ for a maximum.
  const [ph, pw] = op.padding ?? [0, 0];
  if (op.ceilMode && op.kind === 'avgpool') throw new InputError('graph', op.name, 'allowed: average pooling without ceil_mode in training and inference (it is priced, not run)');
  // ceil_mode: the last, partial window reads −∞ beyond the input (never the maximum).
  const [, h, w] = op.inputShapes[0];
  const [oh, ow] = [op.outputShape[1], op.outputShape[2]];
  const extraH = Math.max(0, (oh - 1) * op.stride[0] + op.pool[0] - (h + 2 * ph));
  const extraW = Math.max(0, (ow - 1) * op.stride[1] + op.pool[1] - (w + 2 * pw));
  const x = c.x[0];
  const xin = ph === 0 && pw === 0 && extraH === 0 && extraW === 0 ? x : tf.pad(x, [[0, 0], [ph, ph + extraH], [pw, pw + extraW], [0, 0]], op.kind === 'maxpool' ? -3.4e38 : 0);
  return (op.kind === 'avgpool' ? tf.avgPool : tf.maxPool)(xin as tf.Tensor4D, op.pool as [number, number], op.stride as [number, number], 'valid');
}

function powernorm(op: OpOf<'powernorm'>, c: ForwardContext): tf.Tensor {
  const t = c.x[0];
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(t), axes, true), 1e-12));
  return tf.mul(tf.div(t, norm), Math.sqrt(op.power));
}

/** One forward per op kind, or why the kind is never run (priced only). */
export const FORWARD: { readonly [K in OpKind]: Forward<K> | { readonly notRun: string } } = {
  input: (_, c) => c.toNhwc(c.input),
  conv2d,
  dense: (op, c) => {
    const y = matMul(c.x[0] as tf.Tensor2D, c.kernel());
    return op.bias ? tf.add(y, c.param('bias')) : y;
  },
  batchnorm,
  relu,
  leakyrelu: (op, c) => nativeLeakyRelu(c.x[0], op.alpha) ?? tf.leakyRelu(c.x[0], op.alpha),
  // Seed 002's low-bit nets replace PReLU by the k-bit function of eq. (22).
  prelu: (op, c) => (c.kbitActivations && op.precision.activationBits < 16 ? kbitActivation(c.x[0], op.precision.activationBits) : tf.prelu(c.x[0], c.param('alpha'))),
  sigmoid: (_, c) => tf.sigmoid(c.x[0]),
  softplus: (_, c) => tf.softplus(c.x[0]),
  tanh: (_, c) => tf.tanh(c.x[0]),
  // Seeded by the step and the op, so a resumed run draws the same masks.
  dropout: (op, c) => (!c.training || op.rate === 0 ? c.x[0] : dropout(c.x[0], op.rate, c.dropoutSeed * 7919 + c.index)),
  add: (_, c) => (c.x.length === 2 ? tf.add(c.x[0], c.x[1]) : tf.addN([...c.x])),
  concat: (_, c) => tf.concat([...c.x], c.x[0].rank - 1),
  flatten: (_, c) => tf.reshape(c.toNchw(c.x[0]), [c.x[0].shape[0], -1]),
  reshape: (op, c) => c.toNhwc(tf.reshape(c.toNchw(c.x[0]), [c.x[0].shape[0], ...op.shape])),
  avgpool: pool,
  maxpool: pool,
  clip: (op, c) => tf.clipByValue(c.x[0], op.min, op.max),
  // Channels are last inside (NHWC, or [N, C]); a rank-3 tensor [N, C, L] keeps them second.
  softmax: (_, c) => (c.x[0].rank === 3 ? tf.transpose(tf.softmax(tf.transpose(c.x[0], [0, 2, 1]), -1), [0, 2, 1]) : tf.softmax(c.x[0], -1)),
  scale: (op, c) => tf.mul(c.x[0], op.factor),
  transpose: (op, c) => c.toNhwc(tf.transpose(c.toNchw(c.x[0]), [0, ...op.perm.map((d) => d + 1)])),
  powernorm,
  // The precoder head's steps work on channel-first complex tensors [B, 2, rows, cols].
  gram: (_, c) => c.toNhwc(gramOf(c.toNchw(c.x[0]) as tf.Tensor4D)),
  reginverse: (op, c) => c.toNhwc(regularizedInverse(c.toNchw(c.x[0]) as tf.Tensor4D, c.x[1] as tf.Tensor2D, op.loading, op.scale)),
  beamform: (_, c) => c.toNhwc(beamform(c.toNchw(c.x[0]) as tf.Tensor4D, c.toNchw(c.x[1]) as tf.Tensor4D)),
  userpower: (op, c) => c.toNhwc(userPower(c.toNchw(c.x[0]) as tf.Tensor4D, c.x[1] as tf.Tensor2D, op.scale)),
  channelgains: (op, c) => c.toNhwc(channelGains(c.toNchw(c.x[0]) as tf.Tensor4D, c.toNchw(c.x[1]) as tf.Tensor4D, op.power)),
  wmmseupdate: (op, c) => c.toNhwc(wmmseUpdate(c.toNchw(c.x[0]) as tf.Tensor4D, c.toNchw(c.x[1]) as tf.Tensor4D, c.x[2] as tf.Tensor2D, op)),
  trace: { notRun: 'trace ops have no trainable form' },
  matmul: { notRun: 'trace ops have no trainable form' },
};
