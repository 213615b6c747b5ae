/**
 * Time of one precoder training step at B = 1000 (after one warm-up step), as bench/run.ts's
 * training section measures it, for one architecture:
 *   npx tsx bench/step-time.ts COUT DFCL STEPS
 */
import { initBackend } from '../nets/tf/backend.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { GraphModel } from '../nets/tf/model.ts';
import { Adam } from '../nets/tf/adam.ts';
import { batchTensor, precoderTask, trainStep } from '../nets/train.ts';
import { generateSplit, type MimoDataset } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';
await initBackend();
const scenario = validateScenario({ name: 'bench', model: 'rayleigh', nt: 64, nu: 4, snrDb: 15, seed: 1, split: { train: 1000, validation: 10, test: 10 } }, 'bench');
const train = generateSplit(scenario, 'train') as MimoDataset;
const order = Int32Array.from({ length: 1000 }, (_, i) => i);
const [cout, dfcl, steps] = process.argv.slice(2).map(Number);
const model = new GraphModel(buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), { seed: 1 });
const adam = new Adam();
const x = batchTensor(train, order, 0, 1000);
const task = precoderTask({ train, validation: train });
let loss = await trainStep(model, adam, task, x, undefined, 1);
const t0 = performance.now();
for (let s = 0; s < steps; s++) loss = await trainStep(model, adam, task, x, undefined, s + 2);
console.log(JSON.stringify({ cout, dfcl, ms: (performance.now() - t0) / steps, loss }));
