/**
 * Quality from trained supernets: a configuration's sum rate is its supernet's on a scenario's
 * test split, with the configuration's bits selected (no retraining): `search --quality DIR`.
 */
import { InputError } from '../core/errors.ts';
import { assignment } from '../train/supernet.ts';
import { initBackend } from '../train/backend.ts';
import { evaluateRate, modelFromCheckpoint } from '../train/trainer.ts';
import { asMimo, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import type { QualityEvaluator, QualityFn } from './run.ts';
import { precoderHeadOf } from '../nets/heads.ts';

export type { QualityEvaluator } from './run.ts';

/** Rates configurations of the checkpoint's architecture (another architecture is an input error). */
export async function checkpointQuality(dir: string, scenario: string, samples: number): Promise<QualityEvaluator> {
  await initBackend();
  const { model, graph } = modelFromCheckpoint(dir);
  const fc1 = graph.ops.find((op) => op.name === 'fc1');
  const conv = graph.ops.find((op) => op.name === 'conv');
  const test = asMimo(loadDataset(loadScenario(scenario), 'test'));
  const head = precoderHeadOf(graph);
  const fn: QualityFn = async ({ head: h, cout, dfcl, bits }) => {
    if (conv?.kind !== 'conv2d' || fc1?.kind !== 'dense' || conv.filters !== cout || fc1.units !== dfcl || h !== head) {
      throw new InputError('archs', `${h} ${cout}x${dfcl}`, `allowed: the checkpoint's head and architecture (${graph.name}) for checkpoint quality`);
    }
    return evaluateRate(model, test, assignment(model, bits), samples);
  };
  return { fn, concurrency: 1, close: async () => model.dispose() };
}
