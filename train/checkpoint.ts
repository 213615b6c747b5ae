/**
 * Checkpoints: a tfjs-style model.json (the Graph, a weights manifest, the trainer's state) and
 * weights.bin (every variable and Adam moment, float32). A checkpoint directory is written
 * under a temporary name and swapped in, so a kill leaves the previous one intact; model.json
 * carries the SHA-256 of weights.bin, and a missing, truncated or altered file is reported and
 * not loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors.ts';
import type { Graph } from '../nets/graph.ts';
import { tf } from './backend.ts';

export const CHECKPOINT_FORMAT = 'codesign-checkpoint-1';

export { CheckpointError };

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

export interface CheckpointContents<State> {
  readonly graph: Graph;
  /** What must match for a resume (scenario, architecture, hyper-parameters). */
  readonly configKey: string;
  readonly state: State;
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
}

export interface LoadedCheckpoint<State> {
  readonly graph: Graph;
  readonly configKey: string;
  readonly state: State;
  readonly tensors: Map<string, Float32Array>;
  readonly shapes: Map<string, readonly number[]>;
}

export async function saveCheckpoint<State>(dir: string, contents: CheckpointContents<State>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const [name, t] of contents.tensors) {
    const data = (await t.data()) as Float32Array;
    manifest.push({ name, shape: t.shape, dtype: 'float32' });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  const weights = Buffer.concat(chunks);
  const modelJson = {
    format: CHECKPOINT_FORMAT,
    modelTopology: contents.graph,
    configKey: contents.configKey,
    trainer: contents.state,
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
    weightsSha256: createHash('sha256').update(weights).digest('hex'),
  };
  const fresh = join(dir, 'latest.tmp');
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'weights.bin'), weights);
  writeFileSync(join(fresh, 'model.json'), JSON.stringify(modelJson));
  const latest = join(dir, 'latest');
  const previous = join(dir, 'previous');
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(latest)) renameSync(latest, previous);
  renameSync(fresh, latest);
  rmSync(previous, { recursive: true, force: true });
}

/** The directory holding the newest complete checkpoint under `dir`, if any. */
export function latestCheckpoint(dir: string): string | undefined {
  for (const name of ['latest', 'previous']) {
    const p = join(dir, name);
    if (existsSync(join(p, 'model.json'))) return p;
  }
  return existsSync(join(dir, 'model.json')) ? dir : undefined;
}

function readModelJson(path: string): Record<string, any> {
  const modelFile = join(path, 'model.json');
  let json: Record<string, any>;
  try {
    json = JSON.parse(readFileSync(modelFile, 'utf8'));
  } catch (error) {
    throw new CheckpointError(modelFile, `unreadable model.json (${(error as Error).message})`);
  }
  if (json.format !== CHECKPOINT_FORMAT) throw new CheckpointError(modelFile, `format ${JSON.stringify(json.format)}; allowed: ${CHECKPOINT_FORMAT}`);
  return json;
}

/** A checkpoint's trainer state alone (its weights are not read). */
export function checkpointState<State>(path: string): State {
  return readModelJson(path).trainer as State;
}

export function loadCheckpoint<State>(path: string): LoadedCheckpoint<State> {
  const json = readModelJson(path);
  let weights: Buffer;
  try {
    weights = readFileSync(join(path, 'weights.bin'));
  } catch (error) {
    throw new CheckpointError(join(path, 'weights.bin'), `missing (${(error as Error).message})`);
  }
  if (createHash('sha256').update(weights).digest('hex') !== json.weightsSha256) {
    throw new CheckpointError(join(path, 'weights.bin'), 'checksum mismatch (truncated or altered)');
  }
  const specs: WeightSpec[] = json.weightsManifest?.[0]?.weights ?? [];
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, readonly number[]>();
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > weights.length) throw new CheckpointError(join(path, 'weights.bin'), `too short for ${spec.name}`);
    tensors.set(spec.name, new Float32Array(weights.buffer.slice(weights.byteOffset + offset, weights.byteOffset + offset + 4 * n)));
    shapes.set(spec.name, spec.shape);
    offset += 4 * n;
  }
  if (offset !== weights.length) throw new CheckpointError(join(path, 'weights.bin'), 'longer than its manifest');
  return { graph: json.modelTopology, configKey: json.configKey, state: json.trainer, tensors, shapes };
}
