/**
 * Native training kernels for the wasm backend (the `@codesign/blas` addon in native/blas,
 * built by `npm ci` where a compiler and Debian's libopenblas-dev are present): BatchMatMul and
 * Conv2D on OpenBLAS's sgemm (all cores), and one-pass batch normalisation, Adam and LSQ. The
 * addon reads and writes the wasm backend's own heap — the tensors' memory — so no operand is
 * copied; transposed products use BLAS's transpose flags instead of the wasm kernel's slow
 * transposed path. Where the addon is missing the wasm kernels stay, and the run's backend line
 * says so.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

interface NativeBlas {
  conv2dBackInput(buffer: ArrayBufferLike, dy: number, filter: number, dx: number, sizes: readonly number[]): void;
  bnForward(buffer: ArrayBufferLike, x: number, gamma: number, beta: number, y: number, mean: number, variance: number, rows: number, channels: number, epsilon: number): void;
  bnBackward(buffer: ArrayBufferLike, dy: number, x: number, gamma: number, mean: number, variance: number, dx: number, dgamma: number, dbeta: number, rows: number, channels: number, epsilon: number): void;
  conv2d(buffer: ArrayBufferLike, x: number, filter: number, y: number, sizes: readonly number[]): void;
  lsq(buffer: ArrayBufferLike, v: number, q: number, n: number, step: number, qn: number, qp: number): void;
  lsqGrad(buffer: ArrayBufferLike, dy: number, v: number, dv: number, n: number, step: number, qn: number, qp: number): number;
  adam(buffer: ArrayBufferLike, w: number, g: number, m: number, v: number, w2: number, m2: number, v2: number, n: number, beta1: number, beta2: number, c2: number, epsilon: number, rate: number, relative: boolean): void;
  sgemmBatch(buffer: ArrayBufferLike, offsetA: number, offsetB: number, offsetC: number, batchA: number, batchB: number, m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): void;
  threads(): number;
}

/** What the wasm backend keeps per tensor (its heap offset in bytes). */
interface WasmBackendLike {
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

export type NativeStatus = { readonly native: true; readonly threads: number } | { readonly native: false; readonly reason: string };

let status: NativeStatus | undefined;

function load(): NativeBlas | string {
  try {
    return createRequire(import.meta.url)('@codesign/blas') as NativeBlas;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

function batchMatMul({ inputs, backend, attrs }: { inputs: { a: tf.TensorInfo; b: tf.TensorInfo }; backend: unknown; attrs: { transposeA: boolean; transposeB: boolean } }, blas: NativeBlas): tf.TensorInfo {
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
  blas.sgemmBatch(w.wasm.HEAPF32.buffer, w.dataIdMap.get(a.dataId).memoryOffset, w.dataIdMap.get(b.dataId).memoryOffset, w.dataIdMap.get(out.dataId).memoryOffset, batchA, batchB, m, n, k, transposeA, transposeB);
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

function adamKernel({ inputs, backend, attrs }: { inputs: { w: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo }; backend: unknown; attrs: AdamHyper }, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { w, g, m, v } = inputs;
  const shape = [...w.shape];
  const outs = [wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32'), wb.makeOutput(shape, 'float32')];
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
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
  if (!nativeProducts() || w.dtype !== 'float32' || g.dtype !== 'float32') return undefined;
  return tf.engine().runKernel(ADAM_KERNEL, { w, g, m, v }, hyper as never) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** NHWC float32 convolution as im2col + sgemm; anything else goes to the wasm kernel it replaced. */
function conv2dKernel(args: { inputs: { x: tf.TensorInfo; filter: tf.TensorInfo }; backend: unknown; attrs: { strides: [number, number] | number; dilations: [number, number] | number; pad: 'same' | 'valid' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat: 'NHWC' | 'NCHW' } }, blas: NativeBlas, wasm: tf.KernelFunc): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return wasm(args as never) as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const out = wb.makeOutput(info.outShape as number[], 'float32');
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left];
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
  blas.conv2d(wb.wasm.HEAPF32.buffer, at(x), at(filter), at(out), sizes);
  return out;
}

/**
 * The input gradient of a stride-1 NHWC convolution: dy convolved with the kernel turned 180° and
 * its channels swapped, padded by (k − 1 − pad) before; anything else goes to the wasm kernel.
 */
function backInputKernel(args: { inputs: { dy: tf.TensorInfo; filter: tf.TensorInfo }; backend: unknown; attrs: { inputShape: [number, number, number, number]; strides: [number, number] | number; pad: 'same' | 'valid' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil' } }, blas: NativeBlas, wasm: tf.KernelFunc): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (attrs.dataFormat === 'NCHW' || info.strideHeight !== 1 || info.strideWidth !== 1 || dy.dtype !== 'float32') return wasm(args as never) as tf.TensorInfo;
  const wb = backend as WasmBackendLike;
  const dx = wb.makeOutput([...attrs.inputShape], 'float32');
  const sizes = [info.batchSize, info.outHeight, info.outWidth, info.outChannels, info.filterHeight, info.filterWidth, info.inChannels, info.inHeight, info.inWidth, 1, 1, 1, 1, info.filterHeight - 1 - info.padInfo.top, info.filterWidth - 1 - info.padInfo.left];
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
  blas.conv2dBackInput(wb.wasm.HEAPF32.buffer, at(dy), at(filter), at(dx), sizes);
  return dx;
}

const BN_FORWARD = 'CodesignBatchNorm';
const BN_BACKWARD = 'CodesignBatchNormGrad';

const channelsOf = (t: tf.TensorInfo) => t.shape[t.shape.length - 1];
const sizeOf = (t: tf.TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

function bnForwardKernel({ inputs, backend, attrs }: { inputs: { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo }; backend: unknown; attrs: { epsilon: number } }, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { x, gamma, beta } = inputs;
  const c = channelsOf(x);
  const outs = [wb.makeOutput([...x.shape], 'float32'), wb.makeOutput([c], 'float32'), wb.makeOutput([c], 'float32')];
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
  blas.bnForward(wb.wasm.HEAPF32.buffer, at(x), at(gamma), at(beta), at(outs[0]), at(outs[1]), at(outs[2]), sizeOf(x) / c, c, attrs.epsilon);
  return outs;
}

function bnBackwardKernel({ inputs, backend, attrs }: { inputs: { dy: tf.TensorInfo; x: tf.TensorInfo; gamma: tf.TensorInfo; mean: tf.TensorInfo; variance: tf.TensorInfo }; backend: unknown; attrs: { epsilon: number } }, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const { dy, x, gamma, mean, variance } = inputs;
  const c = channelsOf(x);
  const outs = [wb.makeOutput([...x.shape], 'float32'), wb.makeOutput([c], 'float32'), wb.makeOutput([c], 'float32')];
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
  blas.bnBackward(wb.wasm.HEAPF32.buffer, at(dy), at(x), at(gamma), at(mean), at(variance), at(outs[0]), at(outs[1]), at(outs[2]), sizeOf(x) / c, c, attrs.epsilon);
  return outs;
}

/**
 * Batch normalisation with batch statistics (training), forward and backward each one native
 * pass pair over the activations, statistics in double: y, and the batch's mean and variance
 * (for the running statistics). Gradients for x, γ and β. Undefined without the native kernels.
 */
export function nativeBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } | undefined {
  if (!nativeProducts() || x.dtype !== 'float32') return undefined;
  // The statistics are made here, in the caller's scope (the running averages read them); the
  // custom gradient saves them for the backward pass.
  const [y, mean, variance] = tf.engine().runKernel(BN_FORWARD, { x, gamma, beta }, { epsilon } as never) as unknown as tf.Tensor[];
  const f = tf.customGrad(((xx: tf.Tensor, g: tf.Tensor, _b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, g, mean, variance]);
    return {
      value: tf.clone(y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, sv] = saved;
        return tf.engine().runKernel(BN_BACKWARD, { dy, x: sx, gamma: sg, mean: sm, variance: sv }, { epsilon } as never) as unknown as tf.Tensor[];
      },
    };
  }) as never) as unknown as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
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

function lsqKernel({ inputs, backend, attrs }: { inputs: { v: tf.TensorInfo; s: tf.TensorInfo }; backend: unknown; attrs: LsqAttrs }, blas: NativeBlas): tf.TensorInfo {
  const wb = backend as WasmBackendLike;
  const out = wb.makeOutput([...inputs.v.shape], 'float32');
  const n = inputs.v.shape.reduce((p, d) => p * d, 1);
  blas.lsq(wb.wasm.HEAPF32.buffer, wb.dataIdMap.get(inputs.v.dataId).memoryOffset, wb.dataIdMap.get(out.dataId).memoryOffset, n, scalarAt(wb, inputs.s), attrs.qn, attrs.qp);
  return out;
}

function lsqGradKernel({ inputs, backend, attrs }: { inputs: { dy: tf.TensorInfo; v: tf.TensorInfo; s: tf.TensorInfo }; backend: unknown; attrs: LsqAttrs }, blas: NativeBlas): tf.TensorInfo[] {
  const wb = backend as WasmBackendLike;
  const dv = wb.makeOutput([...inputs.v.shape], 'float32');
  const ds = wb.makeOutput([], 'float32');
  const at = (t: tf.TensorInfo) => wb.dataIdMap.get(t.dataId).memoryOffset;
  const n = inputs.v.shape.reduce((p, d) => p * d, 1);
  const sum = blas.lsqGrad(wb.wasm.HEAPF32.buffer, at(inputs.dy), at(inputs.v), at(dv), n, scalarAt(wb, inputs.s), attrs.qn, attrs.qp);
  wb.wasm.HEAPF32[at(ds) / 4] = sum;
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
    nativeProducts()
      ? {
          forward: (v: tf.Tensor, s: tf.Tensor, qn: number, qp: number) => tf.engine().runKernel(LSQ_KERNEL, { v, s }, { qn, qp } as never) as unknown as tf.Tensor,
          backward: (dy: tf.Tensor, v: tf.Tensor, s: tf.Tensor, qn: number, qp: number) => tf.engine().runKernel(LSQ_GRAD_KERNEL, { dy, v, s }, { qn, qp } as never) as unknown as [tf.Tensor, tf.Tensor],
        }
      : undefined;

/** Replaces the wasm backend's BatchMatMul by the native one, once; says why not otherwise. */
export function installNativeKernels(): NativeStatus {
  if (status) return status;
  const blas = load();
  if (typeof blas === 'string') {
    status = { native: false, reason: blas };
    return status;
  }
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: ((args: never) => batchMatMul(args, blas)) as tf.KernelFunc });
  const wasmConv = tf.getKernel('Conv2D', 'wasm');
  if (wasmConv) {
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2D', backendName: 'wasm', kernelFunc: ((args: never) => conv2dKernel(args, blas, wasmConv.kernelFunc)) as tf.KernelFunc });
  }
  const wasmBackInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (wasmBackInput) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: ((args: never) => backInputKernel(args, blas, wasmBackInput.kernelFunc)) as tf.KernelFunc });
  }
  tf.registerKernel({ kernelName: BN_FORWARD, backendName: 'wasm', kernelFunc: ((args: never) => bnForwardKernel(args, blas)) as tf.KernelFunc });
  tf.registerKernel({ kernelName: BN_BACKWARD, backendName: 'wasm', kernelFunc: ((args: never) => bnBackwardKernel(args, blas)) as tf.KernelFunc });
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: ((args: never) => adamKernel(args, blas)) as tf.KernelFunc });
  tf.registerKernel({ kernelName: LSQ_KERNEL, backendName: 'wasm', kernelFunc: ((args: never) => lsqKernel(args, blas)) as tf.KernelFunc });
  tf.registerKernel({ kernelName: LSQ_GRAD_KERNEL, backendName: 'wasm', kernelFunc: ((args: never) => lsqGradKernel(args, blas)) as tf.KernelFunc });
  status = { native: true, threads: blas.threads() };
  return status;
}

/** Whether transposed products are cheap (native) or best done as explicit transposes (wasm). */
export const nativeProducts = (): boolean => status?.native === true;
