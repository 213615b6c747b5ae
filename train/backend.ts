/**
 * TensorFlow.js with the fastest backend that loads here: @tensorflow/tfjs-node when it is
 * installed and loads (an optional dependency; its install downloads libtensorflow, which this
 * network does not reach), otherwise the wasm backend, whose .wasm ships in the package — with
 * its matrix products on OpenBLAS (native-kernels.ts) when the native addon built. `auto`
 * returns which, and why not native; `wasm` is the plain wasm backend.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.ts';
import '@tensorflow/tfjs-backend-wasm';
import { installNativeKernels } from './native-kernels.ts';
import { shareBuffers } from './wasm-sharing.ts';

let ready: Promise<string> | undefined;

import { type BackendChoice } from './defaults.ts';
export { BACKENDS, type BackendChoice } from './defaults.ts';

export function initBackend(preferred: BackendChoice = 'auto'): Promise<string> {
  ready ??= (async () => {
    if (preferred === 'auto' || preferred === 'tensorflow') {
      try {
        const name = '@tensorflow/tfjs-node';
        await import(/* @vite-ignore */ name);
        if (await tf.setBackend('tensorflow')) return 'tensorflow';
      } catch {
        if (preferred === 'tensorflow') throw new InputError('backend', preferred, 'allowed: auto, wasm or cpu here (@tensorflow/tfjs-node is not installed or does not load)');
      }
    }
    const name = preferred === 'cpu' ? 'cpu' : 'wasm';
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
    await tf.ready();
    if (preferred !== 'auto') return name;
    shareBuffers();
    const native = installNativeKernels();
    return native.native ? `wasm + native kernels (OpenBLAS, ${native.threads} threads)` : `wasm (native kernels not loaded: ${native.reason})`;
  })();
  return ready;
}

export { tf };

/** tf.customGrad with the loose argument typing its callers need (inputs, then a save function). */
export function customGrad(
  fn: (...args: any[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] },
): (...args: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(fn as never) as never;
}
