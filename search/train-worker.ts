/**
 * A piscina worker: one dedicated training of the precoder at fixed bits, rated on the
 * scenario's test split. Runs in its own thread with its own tfjs backend.
 */
import { initBackend } from '../train/backend.ts';
import { precoderGraph } from '../train/precoder-graph.ts';
import { evaluateRate, trainModel } from '../train/trainer.ts';
import { asMimo, cacheKey, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import type { PrecoderHead } from '../nets/heads.ts';

export interface TrainingJob {
  readonly scenario: string;
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly testSamples: number;
}

export interface TrainingJobResult {
  readonly sumRate: number;
  readonly trainMs: number;
}

export default async function trainOne(job: TrainingJob): Promise<TrainingJobResult> {
  await initBackend();
  const s = loadScenario(job.scenario);
  const data = { train: asMimo(loadDataset(s, 'train')), validation: asMimo(loadDataset(s, 'validation')) };
  const test = asMimo(loadDataset(s, 'test'));
  const graph = precoderGraph({ ...job, bits: [...job.bits] as [number, number, number, number] }, data.train);
  const { model, result } = await trainModel(
    { graph, epochs: job.epochs, batchSize: job.batchSize, learningRate: job.learningRate, seed: job.seed, patience: job.epochs, dataKey: cacheKey(s, 'train') },
    data,
    undefined,
  );
  const sumRate = await evaluateRate(model, test, undefined, job.testSamples);
  model.dispose();
  return { sumRate, trainMs: result.trainMs };
}
