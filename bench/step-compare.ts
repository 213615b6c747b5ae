/**
 * One precoder training step at B = 1000 on a chosen backend choice (auto: wasm with OpenBLAS
 * products when the addon built; wasm: plain wasm):
 *   npx tsx bench/step-compare.ts auto|wasm COUT DFCL STEPS
 */
import { initBackend, type BackendChoice } from '../train/backend.ts';
import { precoderStepMs } from './training-step.ts';

const [choice, ...rest] = process.argv.slice(2);
const backend = await initBackend(choice as BackendChoice);
const [cout, dfcl, steps] = rest.map(Number);
console.log(JSON.stringify({ backend, cout, dfcl, ms: await precoderStepMs(cout, dfcl, steps) }));
