/**
 * Identity, and a cast to the dtype a tensor already has, on the wasm backend without a copy.
 * tfjs clones every tensor a custom gradient saves (engine.saveTensorsForBackwardMode →
 * Identity) and casts to float32 inside common gradients (Multiply's casts its other operand,
 * Relu's its step), and the wasm backend's Identity and Cast copy the data in JavaScript: a CRNet
 * step at B = 50 made 441 copies, 82 of them whole activations; a (8, 512) precoder step spent
 * 6 ms in same-dtype casts. Tensors are immutable and the wasm backend already shares a buffer
 * between a tensor and its reshapes by reference count, so these share it too — as tfjs's cpu
 * backend does.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: object): void;
}

type Args = { inputs: { x: tf.TensorInfo }; backend: RefCounting; attrs?: { dtype?: tf.DataType } };

function share(name: 'Identity' | 'Cast', applies: (args: Args) => boolean): void {
  const wasm = tf.getKernel(name, 'wasm');
  if (!wasm) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ((args: Args) => {
      if (!applies(args)) return wasm.kernelFunc(args as never);
      const { x } = args.inputs;
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as never,
  });
}

export function shareBuffers(): void {
  share('Identity', ({ inputs }) => inputs.x.dtype !== 'string');
  share('Cast', ({ inputs, attrs }) => inputs.x.dtype !== 'string' && attrs?.dtype === inputs.x.dtype);
}
