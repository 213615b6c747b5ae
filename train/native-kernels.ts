/**
 * Native training kernels for the wasm backend (the `@codesign/blas` addon in native/blas,
 * built by `npm ci` where a compiler and Debian's libopenblas-dev are present): BatchMatMul on
 * OpenBLAS's sgemm (all cores); Conv2D and both its gradients (direct loops for few channels,
 * im2col + sgemm otherwise); batch normalisation, dropout, leaky ReLU, concat/split, Adam and LSQ
 * in native passes. The addon reads and writes the wasm backend's own heap — the tensors' memory
 * — so no operand is copied; transposed products use BLAS's transpose flags instead of the wasm
 * kernel's slow transposed path. Where the addon is missing the wasm kernels stay, and the run's
 * backend line says so. docs/training.md ("Speed") lists each kernel and its measurements.
 */
import type { BatchMatMulAttrs, ConcatAttrs, Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, LeakyReluAttrs, SplitVAttrs, SumAttrs } from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { prepareNativeThreads } from './native-env.ts';

interface NativeBlas {
  conv2dBackInput(buffer: ArrayBufferLike, dy: Float32Array, filter: Float32Array, dx: Float32Array, sizes: readonly number[]): void;
  bnForward(buffer: ArrayBufferLike, x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, rows: number, channels: number, epsilon: number): void;
  bnBackward(buffer: ArrayBufferLike, dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, rows: number, channels: number, epsilon: number): void;
  conv2d(buffer: ArrayBufferLike, x: Float32Array, filter: Float32Array, y: Float32Array, sizes: readonly number[]): void;
  conv2dBackFilter(buffer: ArrayBufferLike, x: Float32Array, dy: Float32Array, df: Float32Array, sizes: readonly number[]): void;
  copyRows(buffer: ArrayBufferLike, src: Float32Array, dst: Float32Array, rows: number, width: number, srcStride: number, dstStride: number): void;
  leakyRelu(buffer: ArrayBufferLike, x: Float32Array, y: Float32Array, n: number, alpha: number): void;
  sum(buffer: ArrayBufferLike, x: Float32Array, y: Float32Array, rows: number, cols: number, leading: boolean): void;
  dropout(buffer: ArrayBufferLike, x: Float32Array, y: Float32Array, mask: Float32Array, n: number, s0: number, s1: number, s2: number, c: number, keep: number): void;
  leakyReluGrad(buffer: ArrayBufferLike, dy: Float32Array, x: Float32Array, dx: Float32Array, n: number, alpha: number): void;
  lsq(buffer: ArrayBufferLike, v: Float32Array, q: Float32Array, n: number, step: number, qn: number, qp: number): void;
  lsqGrad(buffer: ArrayBufferLike, dy: Float32Array, v: Float32Array, dv: Float32Array, n: number, step: number, qn: number, qp: number): number;
  adam(buffer: ArrayBufferLike, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, w2: Float32Array, m2: Float32Array, v2: Float32Array, n: number, beta1: number, beta2: number, c2: number, epsilon: number, rate: number, relative: boolean): void;
  sgemmBatch(buffer: ArrayBufferLike, a: Float32Array, b: Float32Array, c: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void;
  threads(): number;
}

/** What the wasm backend keeps per tensor (its heap offset in bytes). */
interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

/**
 * A tensor's elements in the wasm heap as a view of their own (from element `from` on): the
 * addon takes each tensor as its view and checks every run it reads or writes against that
 * view's length, not merely against the heap (native/blas/blas.c, floats_at).
 */
const viewOf = (wb: WasmBackendLike, t: tf.TensorInfo, from = 0) => new Float32Array(wb.wasm.HEAPF32.buffer, wb.dataIdMap.get(t.dataId).memoryOffset + 4 * from, sizeOf(t) - from);

export type NativeStatus = { readonly native: true; readonly threads: number } | { readonly native: false; readonly reason: string };

let status: NativeStatus | undefined;

function load(): NativeBlas | string {
  prepareNativeThreads();
  try {
    return createRequire(import.meta.url)('@codesign/blas') as NativeBlas;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

function batchMatMul({ inputs, backend, attrs }: Kernel<{ a: tf.TensorInfo; b: tf.TensorInfo }, BatchMatMulAttrs>, blas: NativeBlas): tf.TensorInfo {
  const { a, b } = inputs;
  const w = backend as WasmBackendLike;
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('native BatchMatMul: float32 only');
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) throw new Error(`native BatchMatMul: inner sizes ${k} and ${kb} of [${a.shape}] and [${b.shape}] differ`);
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) throw new Error('native BatchMatMul: batches broadcast only from 1');
  const out = w.makeOutput([...outer, m, n], 'float32');
  // After the output's allocation: growing the heap replaces its buffer.
  blas.sgemmBatch(w.wasm.HEAPF32.buffer, viewOf(w, a), viewOf(w, b), viewOf(w, out), batchA, batchB, m, n, k, transposeA, transposeB);
  return out;
}

const ADAM_KERNEL = 'CodesignAdam';

export interface AdamHyper {
  readonly beta1: number;
  readonly beta2: number;
  /** 1 − β₂ᵗ. */
  readonly c2: number;
  readonly epsilon: number;
  /** learning rate × scale ÷ (1 − β₁ᵗ). */
  readonly rate: number;
  readonly relative: boolean;
}

function adamKernel({ inputs, backend, attrs }: Kernel<{ w: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo }, AdamHyper>, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { w, g, m, v } = inputs;
  const shape = [...w.shape];
  const outs = [wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32')];
  const at = (t: tf.TensorInfo) => viewOf(wb, t);
  const n = shape.reduce((p, d) => p * d, 1);
  blas.adam(wb.wasm.HEAPF32.buffer, at(w), at(g), at(m), at(v), at(outs[0]), at(outs[1]), at(outs[2]), n, attrs.beta1, attrs.beta2, attrs.c2, attrs.epsilon, attrs.rate, attrs.relative);
  return outs;
}

/**
 * One Adam step in one native pass: [w', m', v'], bit for bit what adam.ts's tfjs expression
 * gives (same float32 operations, same order); undefined where the native kernels are not
 * installed (the caller computes it with tfjs).
 */
export function nativeAdam(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hyper: AdamHyper): [tf.Tensor, tf.Tensor, tf.Tensor] | undefined {
  if (!nativeKernelsInstalled() || w.dtype !== 'float32' || g.dtype !== 'float32') return undefined;
  return tf.engine().runKernel(ADAM_KERNEL, { w, g, m, v }, { ...hyper }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** NHWC float32 convolution as im2col + sgemm; anything else goes to the wasm kernel it replaced. */
function conv2dKernel(args: Kernel<{ x: tf.TensorInfo; filter: tf.TensorInfo }, Conv2DAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return wasm() as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const out = wb.makeOutput(info.outShape as number[], 'float32');
  blas.conv2d(wb.wasm.HEAPF32.buffer, viewOf(wb, x), viewOf(wb, filter), viewOf(wb, out), convSizes(info));
  return out;
}

/** The 15 sizes the addon's convolutions read, from tfjs's convolution info. */
const convSizes = (info: tf.backend_util.Conv2DInfo) => [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left];

/**
 * The filter gradient of an NHWC convolution, im2col(x)ᵀ · dy (the wasm backend has no
 * Conv2DBackpropFilter kernel at all; this one serves tf.conv2d's own gradient too).
 */
function backFilterKernel({ inputs, backend, attrs }: Kernel<{ x: tf.TensorInfo; dy: tf.TensorInfo }, Conv2DBackpropFilterAttrs>, blas: NativeBlas): tf.TensorInfo {
  const { x, dy } = inputs;
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('native Conv2DBackpropFilter: NHWC float32 only');
  const wb = backend as WasmBackendLike;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const df = wb.makeOutput([...attrs.filterShape], 'float32');
  blas.conv2dBackFilter(wb.wasm.HEAPF32.buffer, viewOf(wb, x), viewOf(wb, dy), viewOf(wb, df), convSizes(info));
  return df;
}

/** Concatenation of float32 tensors along any axis: per input, its rows copied into the output's. */
function concatKernel(args: Kernel<tf.TensorInfo[], ConcatAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  if (inputs.some((t) => t.dtype !== 'float32')) return wasm() as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const axis = tf.util.parseAxisParam(attrs.axis, inputs[0].shape)[0];
  const out = wb.makeOutput(tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis), 'float32');
  const rows = inputs[0].shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const widths = inputs.map((t) => sizeOf(t) / rows);
  const total = widths.reduce((p, w) => p + w, 0);
  let column = 0;
  inputs.forEach((t, i) => {
    blas.copyRows(wb.wasm.HEAPF32.buffer, viewOf(wb, t), viewOf(wb, out, column), rows, widths[i], widths[i], total);
    column += widths[i];
  });
  return out;
}

/** Split of a float32 tensor along any axis (Concat's gradient): the inverse copies. */
function splitKernel(args: Kernel<{ x: tf.TensorInfo }, SplitVAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (x.dtype !== 'float32') return wasm() as tf.TensorInfo[];
  const wb = backend as WasmBackendLike;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
  const rows = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const total = x.shape[axis] * inner;
  let column = 0;
  return sizes.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    const part = wb.makeOutput(shape, 'float32');
    // After the output's allocation: growing the heap replaces its buffer.
    blas.copyRows(wb.wasm.HEAPF32.buffer, viewOf(wb, x, column), viewOf(wb, part), rows, size * inner, total, size * inner);
    column += size * inner;
    return part;
  });
}

const LEAKY_GRAD = 'CodesignLeakyReluGrad';

function leakyKernel(args: Kernel<{ x: tf.TensorInfo }, LeakyReluAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  if (inputs.x.dtype !== 'float32') return wasm() as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const y = wb.makeOutput([...inputs.x.shape], 'float32');
  blas.leakyRelu(wb.wasm.HEAPF32.buffer, viewOf(wb, inputs.x), viewOf(wb, y), sizeOf(inputs.x), attrs.alpha);
  return y;
}

function leakyGradKernel({ inputs, backend, attrs }: Kernel<{ dy: tf.TensorInfo; x: tf.TensorInfo }, { alpha: number }>, blas: NativeBlas): tf.TensorInfo {
  const wb = backend as WasmBackendLike;
  const dx = wb.makeOutput([...inputs.x.shape], 'float32');
  blas.leakyReluGrad(wb.wasm.HEAPF32.buffer, viewOf(wb, inputs.dy), viewOf(wb, inputs.x), viewOf(wb, dx), sizeOf(inputs.x), attrs.alpha);
  return dx;
}

/**
 * Leaky ReLU whose gradient is one native pass (tfjs's is Greater, Select and Multiply over the
 * activations); undefined without the native kernels.
 */
export function nativeLeakyRelu(x: tf.Tensor, alpha: number): tf.Tensor | undefined {
  if (!nativeKernelsInstalled() || x.dtype !== 'float32') return undefined;
  // tfjs's CustomGradientFunc takes (...inputs, save): its arity is ours to keep right.
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([xx]);
    return {
      value: tf.leakyRelu(xx, alpha),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(LEAKY_GRAD, { dy, x: saved[0] }, { alpha }) as tf.Tensor,
    };
  });
  return f(x);
}

/** Columns up to which a reduction over leading axes runs natively (its lanes take 64 bytes a column). */
const SUM_MAX_COLUMNS = 1 << 16;

/**
 * Sum of a float32 tensor over a run of leading axes (a bias's gradient: [1000, 64, 4, 64] → [64])
 * or of trailing axes (row sums), natively; any other set of axes goes to the wasm kernel, which
 * transposes the reduced axes last before it sums.
 */
function sumKernel(args: Kernel<{ x: tf.TensorInfo }, SumAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const rank = x.shape.length;
  const axes = [...tf.util.parseAxisParam(attrs.axis, x.shape)].sort((a, b) => a - b);
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  const split = leading ? axes.length : rank - axes.length;
  const rows = x.shape.slice(0, split).reduce((p, d) => p * d, 1);
  const cols = x.shape.slice(split).reduce((p, d) => p * d, 1);
  if (x.dtype !== 'float32' || axes.length === 0 || axes.length === rank || !(leading || trailing) || cols === 0 || rows === 0 || (leading && cols > SUM_MAX_COLUMNS)) return wasm() as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const shape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const y = wb.makeOutput(shape, 'float32');
  blas.sum(wb.wasm.HEAPF32.buffer, viewOf(wb, x), viewOf(wb, y), rows, cols, leading);
  return y;
}

const DROPOUT = 'CodesignDropout';

function dropoutKernel({ inputs, backend, attrs }: Kernel<{ x: tf.TensorInfo }, { s0: number; s1: number; s2: number; c: number; keep: number }>, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const outs = [wb.makeOutput([...inputs.x.shape], 'float32'), wb.makeOutput([...inputs.x.shape], 'float32')];
  blas.dropout(wb.wasm.HEAPF32.buffer, viewOf(wb, inputs.x), viewOf(wb, outs[0]), viewOf(wb, outs[1]), sizeOf(inputs.x), attrs.s0, attrs.s1, attrs.s2, attrs.c, attrs.keep);
  return outs;
}

/**
 * Dropout in one native pass: Alea's draws from `state` (dropout.ts's seeding), the mask and
 * x·mask; the gradient is dy·mask. Undefined without the native kernels.
 */
export function nativeDropout(x: tf.Tensor, state: { s0: number; s1: number; s2: number; c: number }, keep: number): tf.Tensor | undefined {
  if (!nativeKernelsInstalled() || x.dtype !== 'float32') return undefined;
  const [y, mask] = tf.engine().runKernel(DROPOUT, { x }, { ...state, keep }) as unknown as tf.Tensor[];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([mask]);
    return { value: tf.clone(y), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  const out = f(x);
  tf.dispose([y, mask]);
  return out;
}

/** The filter gradient of an NHWC convolution on the native kernel; undefined without it. */
export function nativeConvFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], strides: [number, number], pad: 'same' | 'valid'): tf.Tensor4D | undefined {
  if (!nativeKernelsInstalled() || x.dtype !== 'float32') return undefined;
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape }) as tf.Tensor4D;
}

/**
 * The input gradient of a stride-1 NHWC convolution: dy convolved with the kernel turned 180° and
 * its channels swapped, padded by (k − 1 − pad) before; anything else goes to the wasm kernel.
 */
function backInputKernel(args: Kernel<{ dy: tf.TensorInfo; filter: tf.TensorInfo }, Conv2DBackpropInputAttrs>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (attrs.dataFormat === 'NCHW' || info.strideHeight !== 1 || info.strideWidth !== 1 || dy.dtype !== 'float32') return wasm() as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const dx = wb.makeOutput([...attrs.inputShape], 'float32');
  const sizes = [info.batchSize, info.outHeight, info.outWidth, info.outChannels, info.filterHeight, info.filterWidth, info.inChannels, info.inHeight, info.inWidth, 1, 1, 1, 1, info.filterHeight - 1 - info.padInfo.top, info.filterWidth - 1 - info.padInfo.left];
  const at = (t: tf.TensorInfo) => viewOf(wb, t);
  blas.conv2dBackInput(wb.wasm.HEAPF32.buffer, at(dy), at(filter), at(dx), sizes);
  return dx;
}

const BN_FORWARD = 'CodesignBatchNorm';
const BN_BACKWARD = 'CodesignBatchNormGrad';

const channelsOf = (t: tf.TensorInfo) => t.shape[t.shape.length - 1];
const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

function bnForwardKernel({ inputs, backend, attrs }: Kernel<{ x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }, { epsilon: number }>, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { x, gamma, beta } = inputs;
  const c = channelsOf(x);
  const outs = [wb.makeOutput([...x.shape], 'float32'), wb.makeOutput([c], 'float32'), wb.makeOutput([c], 'float32')];
  const at = (t: tf.TensorInfo) => viewOf(wb, t);
  blas.bnForward(wb.wasm.HEAPF32.buffer, at(x), at(gamma), at(beta), at(outs[0]), at(outs[1]), at(outs[2]), sizeOf(x) / c, c, attrs.epsilon);
  return outs;
}

function bnBackwardKernel({ inputs, backend, attrs }: Kernel<{ dy: tf.TensorInfo; x: tf.TensorInfo; gamma: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo }, { epsilon: number }>, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { dy, x, gamma, mean, variance } = inputs;
  const c = channelsOf(x);
  const outs = [wb.makeOutput([...x.shape], 'float32'), wb.makeOutput([c], 'float32'), wb.makeOutput([c], 'float32')];
  const at = (t: tf.TensorInfo) => viewOf(wb, t);
  blas.bnBackward(wb.wasm.HEAPF32.buffer, at(dy), at(x), at(gamma), at(mean), at(variance), at(outs[0]), at(outs[1]), at(outs[2]), sizeOf(x) / c, c, attrs.epsilon);
  return outs;
}

/**
 * Batch normalisation with batch statistics (training), forward and backward each one native
 * pass pair over the activations, statistics in double: y, and the batch's mean and variance
 * (for the running statistics). Gradients for x, γ and β. Undefined without the native kernels.
 */
export function nativeBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } | undefined {
  if (!nativeKernelsInstalled() || x.dtype !== 'float32') return undefined;
  // The statistics are made here, in the caller's scope (the running averages read them); the
  // custom gradient saves them for the backward pass.
  const [y, mean, variance] = tf.engine().runKernel(BN_FORWARD, { x, gamma, beta }, { epsilon }) as unknown as tf.Tensor[];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, g, , save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([xx, g, mean, variance]);
    return {
      value: tf.clone(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, sv] = saved;
        return tf.engine().runKernel(BN_BACKWARD, { dy, x: sx, gamma: sg, mean: sm, variance: sv }, { epsilon }) as unknown as tf.Tensor[];
      },
    };
  });
  const out = f(x, gamma, beta);
  y.dispose();
  return { y: out, mean, variance };
}

const LSQ_KERNEL = 'CodesignLsq';
const LSQ_GRAD_KERNEL = 'CodesignLsqGrad';

interface LsqAttrs {
  readonly qn: number;
  readonly qp: number;
}

/** The step: a scalar on the wasm heap, read there (no sync through tfjs). */
const scalarAt = (wb: WasmBackendLike, t: tf.TensorInfo) => wb.wasm.HEAPF32[wb.dataIdMap.get(t.dataId).memoryOffset / 4];

function lsqKernel({ inputs, backend, attrs }: Kernel<{ v: tf.TensorInfo; s: tf.TensorInfo }, LsqAttrs>, blas: NativeBlas): tf.TensorInfo {
  const wb = backend as WasmBackendLike;
  const out = wb.makeOutput([...inputs.v.shape], 'float32');
  const n = inputs.v.shape.reduce((p, d) => p * d, 1);
  blas.lsq(wb.wasm.HEAPF32.buffer, viewOf(wb, inputs.v), viewOf(wb, out), n, scalarAt(wb, inputs.s), attrs.qn, attrs.qp);
  return out;
}

function lsqGradKernel({ inputs, backend, attrs }: Kernel<{ dy: tf.TensorInfo; v: tf.TensorInfo; s: tf.TensorInfo }, LsqAttrs>, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const dv = wb.makeOutput([...inputs.v.shape], 'float32');
  const ds = wb.makeOutput([], 'float32');
  const at = (t: tf.TensorInfo) => viewOf(wb, t);
  const n = inputs.v.shape.reduce((p, d) => p * d, 1);
  const sum = blas.lsqGrad(wb.wasm.HEAPF32.buffer, at(inputs.dy), at(inputs.v), at(dv), n, scalarAt(wb, inputs.s), attrs.qn, attrs.qp);
  at(ds)[0] = sum;
  return [dv, ds];
}

/**
 * LSQ fake quantization in one native pass each way: round(clip(v/s, −Q_N, Q_P))·s forward (the
 * tfjs expression's numbers, bit for bit), and backward dv (straight through inside the range)
 * with the step's raw gradient Σ dy·(round(v/s) − v/s or the clipped level), summed in double.
 * Undefined where the native kernels are not installed.
 */
export const nativeLsq =
  () =>
    nativeKernelsInstalled()
      ? {
          forward: (v: tf.Tensor, s: tf.Tensor, qn: number, qp: number) => tf.engine().runKernel(LSQ_KERNEL, { v, s }, { qn, qp }) as unknown as tf.Tensor,
          backward: (dy: tf.Tensor, v: tf.Tensor, s: tf.Tensor, qn: number, qp: number) => tf.engine().runKernel(LSQ_GRAD_KERNEL, { dy, v, s }, { qn, qp }) as unknown as [tf.Tensor, tf.Tensor],
        }
      : undefined;

/** Puts a native kernel in place of the wasm backend's, which it falls back to for what it does not take. */
/**
 * Replaces the wasm kernel of this name; `kernel` gets its arguments typed, and the wasm kernel
 * bound to the untouched ones for what it leaves to it. tfjs registers kernels by name with
 * untyped arguments: these two functions are the one place that reads them as the kernel's.
 */
function replaceKernel<I, A>(name: string, kernel: (args: Kernel<I, A>, blas: NativeBlas, wasm: () => tf.TensorInfo | tf.TensorInfo[]) => tf.TensorInfo | tf.TensorInfo[], blas: NativeBlas): void {
  const wasm = tf.getKernel(name, 'wasm');
  if (!wasm) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => kernel(args as unknown as Kernel<I, A>, blas, () => wasm.kernelFunc(args)) });
}

/** Adds a kernel the wasm backend does not have. */
function addKernel<I, A>(name: string, kernel: (args: Kernel<I, A>, blas: NativeBlas) => tf.TensorInfo | tf.TensorInfo[], blas: NativeBlas): void {
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: (args) => kernel(args as unknown as Kernel<I, A>, blas) });
}

/** A kernel's arguments as it reads them: its inputs and attributes (tfjs's declared types for tfjs's kernels). */
interface Kernel<I, A> {
  readonly inputs: I;
  readonly backend: unknown;
  readonly attrs: A;
}

/** Puts the native kernels on the wasm backend, once; says why not where the addon does not load. */
export function installNativeKernels(): NativeStatus {
  if (status) return status;
  const blas = load();
  if (typeof blas === 'string') {
    status = { native: false, reason: blas };
    return status;
  }
  replaceKernel('BatchMatMul', batchMatMul, blas);
  replaceKernel('Conv2D', conv2dKernel, blas);
  replaceKernel('Conv2DBackpropInput', backInputKernel, blas);
  addKernel('Conv2DBackpropFilter', backFilterKernel, blas);
  replaceKernel('Sum', sumKernel, blas);
  replaceKernel('Concat', concatKernel, blas);
  replaceKernel('SplitV', splitKernel, blas);
  replaceKernel('LeakyRelu', leakyKernel, blas);
  addKernel(DROPOUT, dropoutKernel, blas);
  addKernel(LEAKY_GRAD, leakyGradKernel, blas);
  addKernel(BN_FORWARD, bnForwardKernel, blas);
  addKernel(BN_BACKWARD, bnBackwardKernel, blas);
  addKernel(ADAM_KERNEL, adamKernel, blas);
  addKernel(LSQ_KERNEL, lsqKernel, blas);
  addKernel(LSQ_GRAD_KERNEL, lsqGradKernel, blas);
  status = { native: true, threads: blas.threads() };
  return status;
}

/**
 * Whether the native kernels are on the wasm backend — all of them, so every native path asks
 * this (and transposed products are cheap only then: the wasm kernel's transposed path is slow).
 */
export const nativeKernelsInstalled = (): boolean => status?.native === true;
