/**
 * onnxruntime, loaded on the paths that run a user's model (search --data, the export tests).
 * onnxruntime-web's WebAssembly build runs in Node without native binaries or an install script
 * (onnxruntime-node's would download CUDA libraries at `npm ci`). One thread: a run's scores do
 * not depend on the machine's core count. Warnings (e.g. "Unknown CPU vendor") stay quiet.
 */
export type Ort = typeof import('onnxruntime-web');

let loaded: Promise<Ort> | undefined;

export function loadOrt(): Promise<Ort> {
  loaded ??= import('onnxruntime-web').then((ort) => {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    return ort;
  });
  return loaded;
}

/** Session options that keep the runtime's own log quiet below errors. */
export const QUIET = { logSeverityLevel: 3 } as const;
