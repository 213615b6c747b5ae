/**
 * Identity on the wasm backend without a copy. tfjs clones every tensor a custom gradient saves
 * (engine.saveTensorsForBackwardMode → Identity), and the wasm backend's Identity copies the
 * data: a CRNet step at B = 50 made 441 copies, 82 of them whole activations (8.8 ms of a 139 ms
 * step). Tensors are immutable and the wasm backend already shares a buffer between a tensor and
 * its reshapes by reference count, so the identity shares it too — as tfjs's cpu backend does.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCounting {
  incRef(dataId: object): void;
}

export function shareIdentity(): void {
  const wasm = tf.getKernel('Identity', 'wasm');
  if (!wasm) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ((args: { inputs: { x: tf.TensorInfo }; backend: RefCounting }) => {
      const { x } = args.inputs;
      if (x.dtype === 'string') return wasm.kernelFunc(args as never);
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as never,
  });
}
