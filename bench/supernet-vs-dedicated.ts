/**
 * Supernet vs dedicated training (docs/training.md): one bit-width supernet of the (8, 512)
 * precoder against four dedicated trainings at fixed bits, same data, epochs, batch and lr;
 * the test sum rate of each configuration and the training time. Prints one JSON document.
 *   npx tsx bench/supernet-vs-dedicated.ts [epochs]
 */
import { initBackend } from '../train/backend.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { assignment } from '../train/supernet.ts';
import { evaluateRate, trainModel } from '../train/trainer.ts';
import { asMimo, cacheKey, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const epochs = Number(process.argv[2] ?? 10);
await initBackend();
const s = loadScenario('udem-nlos');
const data = { train: asMimo(loadDataset(s, 'train')), validation: asMimo(loadDataset(s, 'validation')) };
const test = asMimo(loadDataset(s, 'test'));
const configs = [[16, 16, 16, 16], [8, 8, 8, 8], [4, 4, 4, 4], [2, 2, 2, 2], [16, 2, 2, 2]] as const;
const common = { epochs, batchSize: 100, learningRate: 1e-3, seed: 1, patience: epochs, dataKey: cacheKey(s, 'train') };

const dedicated: { bits: readonly number[]; testRate: number; trainSeconds: number }[] = [];
for (const bits of configs) {
  const graph = buildPrecoder({ cout: 8, dfcl: 512, nt: 64, nu: 4, bits: [...bits] as [number, number, number, number] });
  const t0 = performance.now();
  const { model } = await trainModel({ graph, ...common }, data, undefined);
  const ms = performance.now() - t0;
  dedicated.push({ bits, testRate: await evaluateRate(model, test), trainSeconds: ms / 1000 });
  model.dispose();
  process.stderr.write(`dedicated ${bits.join(',')}: ${dedicated[dedicated.length - 1].testRate.toFixed(3)}\n`);
}

const graph = buildPrecoder({ cout: 8, dfcl: 512, nt: 64, nu: 4, bits: [16, 16, 16, 16] });
const t0 = performance.now();
const { model } = await trainModel({ graph, ...common, supernet: { choices: [2, 4, 8, 16] } }, data, undefined);
const supernetSeconds = (performance.now() - t0) / 1000;
const supernet: { bits: readonly number[]; testRate: number }[] = [];
for (const bits of configs) supernet.push({ bits, testRate: await evaluateRate(model, test, assignment(model, [...bits])) });
model.dispose();

const dedicatedSeconds = dedicated.reduce((a, d) => a + d.trainSeconds, 0);
process.stdout.write(
  JSON.stringify(
    {
      architecture: '8x512',
      scenario: 'udem-nlos',
      epochs,
      configurations: configs.map((bits, i) => ({ bits, dedicated: dedicated[i].testRate, supernet: supernet[i].testRate, gap: supernet[i].testRate - dedicated[i].testRate })),
      time: { dedicatedSeconds, supernetSeconds, dedicatedForAll256Seconds: (dedicatedSeconds / configs.length) * 256, saving: ((dedicatedSeconds / configs.length) * 256) / supernetSeconds },
    },
    null,
    2,
  ) + '\n',
);
