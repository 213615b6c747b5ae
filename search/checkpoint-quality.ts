/**
 * Quality from trained supernets: a configuration's sum rate is its supernet's on a scenario's
 * test split, with the configuration's bits selected (no retraining). Shared by `search` (one
 * checkpoint) and `report` (a directory of per-architecture checkpoints).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { assignment } from '../train/supernet.ts';
import { initBackend } from '../train/backend.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import { evaluateRate, modelFromCheckpoint } from '../train/trainer.ts';
import { loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
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
  const test = loadDataset(loadScenario(scenario), 'test') as MimoDataset;
  const head = precoderHeadOf(graph);
  const fn: QualityFn = async ({ head: h, cout, dfcl, bits }) => {
    if (conv?.kind !== 'conv2d' || fc1?.kind !== 'dense' || conv.filters !== cout || fc1.units !== dfcl || h !== head) {
      throw new InputError('--archs', `${h} ${cout}x${dfcl}`, `allowed: the checkpoint's head and architecture (${graph.name}) for checkpoint quality`);
    }
    return evaluateRate(model, test, assignment(model, bits), samples);
  };
  return { fn, concurrency: 1, close: async () => model.dispose() };
}

/**
 * The architectures of a supernet directory: subdirectories named `<C_out>x<D_FCL>` that hold a
 * checkpoint (`codesign train --supernet --cout C --dfcl D --out DIR/CxD`), in C_out, D_FCL order.
 */
export function supernetArchitectures(dir: string): { cout: number; dfcl: number; dir: string }[] {
  const allowed = 'allowed: a directory holding <C_out>x<D_FCL>/ supernet checkpoints, e.g. DIR/8x512 from codesign train --supernet --cout 8 --dfcl 512 --out DIR/8x512';
  if (!existsSync(dir)) throw new InputError('--supernets', dir, `no such directory; ${allowed}`);
  const found = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+x\d+$/.test(e.name))
    .filter((e) => latestCheckpoint(join(dir, e.name, 'best')) ?? latestCheckpoint(join(dir, e.name)))
    .map((e) => {
      const [cout, dfcl] = e.name.split('x').map(Number);
      return { cout, dfcl, dir: join(dir, e.name) };
    })
    .sort((a, b) => a.cout - b.cout || a.dfcl - b.dfcl);
  if (found.length === 0) throw new InputError('--supernets', dir, `no checkpoint found; ${allowed}`);
  return found;
}
