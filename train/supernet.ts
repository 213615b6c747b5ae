/**
 * After one supernet training, every bit configuration is evaluated without retraining (the
 * per-layer, per-bit-width LSQ steps and BN statistics were learned alongside the shared
 * weights); chosen configurations can be fine-tuned for a few steps.
 */
import { rng } from '../core/rng.ts';
import type { MimoDataset } from '../scenarios/dataset.ts';
import { Adam, ADAM_DEFAULTS } from './adam.ts';
import type { BitAssignment, GraphModel } from './model.ts';
import { tf } from './backend.ts';
import { batchTensor, evaluateRate, precoderTask, sampleRates, trainStep } from './trainer.ts';
import { bitAssignments } from '../nets/bits.ts';

/** A memo entry stays when the layers that changed between two configurations are not in its key. */
function memoStillValid(key: string, model: GraphModel, current: readonly number[], next: readonly number[]): boolean {
  const op = key.split('|')[1];
  const changed = model.quantizedLayers.filter((_, i) => current[i] !== next[i]);
  return !changed.some((layer) => model.dependsOn(op, layer));
}

export function assignment(model: GraphModel, bits: readonly number[]): BitAssignment {
  return new Map(model.quantizedLayers.map((name, i) => [name, bits[i]]));
}

export interface ConfigRate {
  readonly bits: readonly number[];
  readonly sumRate: number;
  /** Each sample's sum rate (the first `limit` samples, in order). */
  readonly perSample: Float64Array;
}

export async function evaluateAllConfigs(
  model: GraphModel,
  ds: MimoDataset,
  choices: readonly number[],
  limit = ds.count,
  onProgress?: (done: number, total: number) => void,
): Promise<ConfigRate[]> {
  const configs = bitAssignments(model.quantizedLayers.length, choices);
  const out: ConfigRate[] = [];
  // Configurations come first layer slowest, so the memo holds the current prefixes only.
  const memo = new Map<string, tf.Tensor>();
  for (const [i, bits] of configs.entries()) {
    const perSample = await sampleRates(model, ds, assignment(model, bits), limit, undefined, undefined, memo);
    out.push({ bits, sumRate: perSample.reduce((a, b) => a + b, 0) / perSample.length, perSample });
    onProgress?.(i + 1, configs.length);
    const next = configs[i + 1];
    // Drop what the next configuration cannot reuse: entries keyed by bits it changes.
    if (next) {
      const stale = [...memo.keys()].filter((k) => !memoStillValid(k, model, bits, next));
      for (const k of stale) {
        memo.get(k)!.dispose();
        memo.delete(k);
      }
    }
  }
  for (const t of memo.values()) t.dispose();
  return out;
}

/** Trains the model at fixed bits for `steps` steps (its own fresh Adam), then returns its rate. */
export async function finetune(
  model: GraphModel,
  bits: readonly number[],
  train: MimoDataset,
  validation: MimoDataset,
  steps: number,
  options: { batchSize: number; learningRate: number; seed: number },
): Promise<number> {
  const a = assignment(model, bits);
  const task = precoderTask({ train, validation });
  const adam = new Adam({ ...ADAM_DEFAULTS, learningRate: options.learningRate });
  const r = rng(options.seed).fork(`finetune-${bits.join('-')}`);
  const indices = Int32Array.from({ length: options.batchSize }, () => 0);
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < indices.length; i++) indices[i] = r.int(train.count);
    const x = batchTensor(train, indices, 0, indices.length);
    await trainStep(model, adam, task, x, a, options.seed * 7 + step);
    x.dispose();
  }
  adam.dispose();
  return evaluateRate(model, validation, a);
}
