/**
 * Per-kernel times of one training step (tf.profile, after a warm-up step): where a step's time
 * goes, kernel by kernel, on the backend chosen —
 *   npx tsx bench/step-profile.ts auto|wasm crnet
 *   npx tsx bench/step-profile.ts auto|wasm precoder COUT DFCL
 * Custom-gradient wrappers appear as `forward`; their time includes the kernels inside them.
 */
import { initBackend, tf, type BackendChoice } from '../train/backend.ts';
import { codecStep, precoderStep } from './training-step.ts';

const [choice, net, cout, dfcl] = process.argv.slice(2);
const backend = await initBackend(choice as BackendChoice);
const step = net === 'crnet' ? codecStep() : precoderStep(Number(cout ?? 8), Number(dfcl ?? 512));
await step.run();
await step.run(); // two warm-up steps: the first ones still settle (allocation, first-call dispatch)
const t0 = performance.now();
const profile = await tf.profile(() => step.run() as never);
const wall = performance.now() - t0;
step.dispose();
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs);
  e.calls++;
  byKernel.set(k.name, e);
}
const kernels = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => `${name}: ${e.ms.toFixed(2)} ms, ${e.calls} calls`);
// Kernels outside custom-gradient wrappers, so none is counted twice.
const kernel_ms = [...byKernel].filter(([name]) => name !== 'forward').reduce((sum, [, e]) => sum + e.ms, 0);
console.log(JSON.stringify({ backend, step: net === 'crnet' ? 'crnet cr4, B = 50' : `precoder (${cout ?? 8}, ${dfcl ?? 512}), B = 1000`, profiled_wall_ms: Math.round(wall), kernel_ms: Math.round(kernel_ms), kernels }, null, 1));
