/**
 * Time of one precoder training step at B = 1000 (16 bits, Rayleigh 64 × 4 channels), after one
 * warm-up step: the figure `npm run bench` reports and `bench/step-time.ts` measures on its own.
 */
import { buildPrecoder } from '../nets/precoder.ts';
import { GraphModel } from '../train/model.ts';
import { Adam } from '../train/adam.ts';
import { batchTensor, precoderTask, trainStep } from '../train/trainer.ts';
import { asMimo, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';

export async function precoderStepMs(cout: number, dfcl: number, steps: number): Promise<number> {
  const scenario = validateScenario({ name: 'bench', model: 'rayleigh', nt: 64, nu: 4, snrDb: 15, seed: 1, split: { train: 1000, validation: 10, test: 10 } }, 'bench');
  const train = asMimo(generateSplit(scenario, 'train'));
  const order = Int32Array.from({ length: 1000 }, (_, i) => i);
  const model = new GraphModel(buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), { seed: 1 });
  const adam = new Adam();
  const x = batchTensor(train, order, 0, 1000);
  const task = precoderTask({ train, validation: train });
  await trainStep(model, adam, task, x, undefined, 1);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await trainStep(model, adam, task, x, undefined, s + 2);
  const ms = (performance.now() - t0) / steps;
  x.dispose();
  adam.dispose();
  model.dispose();
  return ms;
}
