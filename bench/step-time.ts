/**
 * One architecture's precoder training step at B = 1000, alone in its process (bench/run.ts
 * measures it after its other sections):
 *   npx tsx bench/step-time.ts COUT DFCL STEPS
 */
import { initBackend } from '../train/backend.ts';
import { precoderStepMs } from './training-step.ts';

await initBackend();
const [cout, dfcl, steps] = process.argv.slice(2).map(Number);
console.log(JSON.stringify({ cout, dfcl, ms: await precoderStepMs(cout, dfcl, steps) }));
