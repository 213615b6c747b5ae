/**
 * A piscina worker: one dedicated training of the precoder at fixed bits, rated on the
 * scenario's test split. Runs in its own thread with its own tfjs backend.
 */
import { FileError, InputError, ShapeError } from '../core/errors.ts';
import { initBackend } from '../train/backend.ts';
import { precoderGraph } from '../train/precoder-graph.ts';
import { evaluateRate, trainModel } from '../train/trainer.ts';
import { asMimo, cacheKey, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { INPUT_ERROR_MARK, type TrainingJob, type TrainingJobResult } from './training-job.ts';

export type { TrainingJob, TrainingJobResult } from './training-job.ts';

export default async function trainOne(job: TrainingJob): Promise<TrainingJobResult> {
  try {
    return await train(job);
  } catch (error) {
    // A wrong option, file or shape fails the same way on every attempt.
    if (error instanceof InputError || error instanceof FileError || error instanceof ShapeError) throw new Error(INPUT_ERROR_MARK + error.message);
    throw error;
  }
}

async function train(job: TrainingJob): Promise<TrainingJobResult> {
  await initBackend();
  const s = loadScenario(job.scenario);
  const data = { train: asMimo(loadDataset(s, 'train')), validation: asMimo(loadDataset(s, 'validation')) };
  const test = asMimo(loadDataset(s, 'test'));
  let resumedFromEpoch: number | null = null;
  const graph = precoderGraph({ ...job, bits: [...job.bits] as [number, number, number, number] }, data.train);
  const { model, result } = await trainModel(
    { graph, epochs: job.epochs, batchSize: job.batchSize, learningRate: job.learningRate, seed: job.seed, patience: job.epochs, dataKey: cacheKey(s, 'train') },
    data,
    job.outDir,
    (e) => {
      if (e.type === 'start') resumedFromEpoch = e.resumedFromEpoch;
    },
  );
  const sumRate = await evaluateRate(model, test, undefined, job.testSamples);
  model.dispose();
  return { sumRate, trainMs: result.trainMs, resumedFromEpoch };
}
