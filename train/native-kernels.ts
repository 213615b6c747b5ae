/**
 * Native matrix products for the wasm backend: tfjs's BatchMatMul kernel replaced by OpenBLAS's
 * cblas_sgemm on all cores (the `@codesign/blas` addon in native/blas, built by `npm ci` where a
 * compiler and Debian's libopenblas-dev are present). The addon reads and writes the wasm
 * backend's own heap — the tensors' memory — so no operand is copied; transposed products use
 * BLAS's transpose flags instead of the wasm kernel's slow transposed path. Where the addon is
 * missing the wasm kernel stays, and the trainer says so once.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';

interface NativeBlas {
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
  status = { native: true, threads: blas.threads() };
  return status;
}

/** Whether transposed products are cheap (native) or best done as explicit transposes (wasm). */
export const nativeProducts = (): boolean => status?.native === true;
