/**
 * One CRNet (CR 4) training step at B = 50 on random 2×32×32 CSI images (MSE, Adam), as
 * `bench/torch/step.py` times it in PyTorch:
 *   npx tsx bench/codec-step.ts auto|wasm STEPS
 */
import { initBackend, type BackendChoice } from '../train/backend.ts';
import { codecStepMs } from './training-step.ts';

const [choice, stepsRaw] = process.argv.slice(2);
const backend = await initBackend(choice as BackendChoice);
console.log(JSON.stringify({ backend, net: 'crnet cr4', batch: 50, ms: await codecStepMs(Number(stepsRaw ?? 5)) }));
