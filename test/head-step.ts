/** A model-driven head's first gradient step, shared by the heads' tests: FCL3 leaves zero and the rate moves. */
import { expect } from 'vitest';
import type { MimoDataset } from '../scenarios/dataset.ts';
import { Adam } from '../train/adam.ts';
import type { GraphModel } from '../train/model.ts';
import { evaluateRate, precoderTask, trainStep } from '../train/trainer.ts';

/** One Adam step (lr 10⁻², batch 64) from `before` (the untrained rate on `validation`); disposes the model. */
export async function expectOneStepMoves(model: GraphModel, train: MimoDataset, validation: MimoDataset, before: number): Promise<void> {
  const task = precoderTask({ train, validation });
  const adam = new Adam({ learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  const xb = task.batch(Int32Array.from({ length: train.count }, (_, i) => i), 0, 64);
  await trainStep(model, adam, task, xb, undefined, 1);
  xb.dispose();
  expect(Array.from(model.trainable.get('fc3/kernel')!.dataSync()).some((v) => v !== 0)).toBe(true);
  expect(await evaluateRate(model, validation)).not.toBeCloseTo(before, 6);
  adam.dispose();
  model.dispose();
}
