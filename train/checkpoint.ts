/**
 * Checkpoints: a tfjs-style model.json (the Graph, a weights manifest, the trainer's state) and
 * weights.bin (every variable and Adam moment, float32). A checkpoint directory is written
 * under a temporary name and swapped in, so a kill leaves the previous one intact. model.json
 * carries the SHA-256 of weights.bin and a SHA-256 of its own content (which includes the
 * first), so every byte of a checkpoint is checked: a missing, truncated or altered file is
 * reported, naming it, and not loaded.
 */
import { makeFolders } from '../core/files.ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../core/errors.ts';
import type { Graph } from '../nets/graph.ts';
import { tf } from './backend.ts';

export const CHECKPOINT_FORMAT = 'codesign-checkpoint-2';
/** Format 1 checked weights.bin only; its metadata cannot be trusted, so it is refused by name. */
const UNCHECKED_FORMATS = ['codesign-checkpoint-1'];

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

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
  makeFolders(dir);
  const manifest: WeightSpec[] = [];
  const chunks: Buffer[] = [];
  for (const [name, t] of contents.tensors) {
    const data = (await t.data()) as Float32Array;
    manifest.push({ name, shape: t.shape, dtype: 'float32' });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  const weights = Buffer.concat(chunks);
  const body = JSON.stringify({
    format: CHECKPOINT_FORMAT,
    modelTopology: contents.graph,
    configKey: contents.configKey,
    trainer: contents.state,
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest }],
    weightsSha256: sha256(weights),
  });
  // The content checksum is the hash of the text before it, so it is appended as the last key.
  const modelJson = `${body.slice(0, -1)},"contentSha256":"${sha256(body)}"}`;
  const fresh = join(dir, 'latest.tmp');
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'weights.bin'), weights);
  writeFileSync(join(fresh, 'model.json'), modelJson);
  const latest = join(dir, 'latest');
  const previous = join(dir, 'previous');
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(latest)) renameSync(latest, previous);
  renameSync(fresh, latest);
  rmSync(previous, { recursive: true, force: true });
}

/**
 * The directory holding the newest checkpoint under `dir`, if any. A checkpoint directory that
 * lost one of its two files is an error naming the missing file, never skipped for an older one.
 */
export function latestCheckpoint(dir: string): string | undefined {
  for (const p of [join(dir, 'latest'), join(dir, 'previous'), dir]) {
    const hasModel = existsSync(join(p, 'model.json'));
    const hasWeights = existsSync(join(p, 'weights.bin'));
    if (hasModel !== hasWeights) throw new CheckpointError(join(p, hasModel ? 'weights.bin' : 'model.json'), `missing (${hasModel ? 'model.json' : 'weights.bin'} is there); allowed: a complete checkpoint directory`);
    if (hasModel) return p;
  }
  return undefined;
}

/** Whether `dir` holds anything a training run wrote (a checkpoint, complete or not, or a best/). */
export function holdsCheckpointFiles(dir: string): boolean {
  return ['latest', 'previous', 'best', 'model.json', 'weights.bin', 'latest.tmp'].some((name) => existsSync(join(dir, name)));
}

function readModelJson(path: string): Record<string, any> {
  const modelFile = join(path, 'model.json');
  let text: string;
  let json: Record<string, any>;
  try {
    text = readFileSync(modelFile, 'utf8');
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(modelFile, `unreadable (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckpointError(modelFile, 'not a JSON object; allowed: a model.json written by codesign train');
  if (UNCHECKED_FORMATS.includes(json.format)) throw new CheckpointError(modelFile, `format ${json.format} was written by an older codesign whose model.json carries no checksum; allowed: ${CHECKPOINT_FORMAT} (train it again)`);
  if (json.format !== CHECKPOINT_FORMAT) throw new CheckpointError(modelFile, `format ${json.format === undefined ? '(none)' : JSON.stringify(json.format)}; allowed: a model.json written by codesign train (${CHECKPOINT_FORMAT})`);
  const tail = `,"contentSha256":"${json.contentSha256}"}`;
  if (typeof json.contentSha256 !== 'string' || !text.endsWith(tail) || sha256(`${text.slice(0, -tail.length)}}`) !== json.contentSha256) {
    throw new CheckpointError(modelFile, 'checksum mismatch (altered or truncated)');
  }
  return json;
}

/** A checkpoint's trainer state alone (its weights are not read). */
export function checkpointState<State>(path: string): State {
  return readModelJson(path).trainer as State;
}

/** A checkpoint's Graph alone (its weights are not read): what network a directory holds. */
export function checkpointGraph(path: string): Graph {
  return readModelJson(path).modelTopology as Graph;
}

export function loadCheckpoint<State>(path: string): LoadedCheckpoint<State> {
  const json = readModelJson(path);
  let weights: Buffer;
  try {
    weights = readFileSync(join(path, 'weights.bin'));
  } catch (error) {
    throw new CheckpointError(join(path, 'weights.bin'), `missing (${(error as Error).message})`);
  }
  if (sha256(weights) !== json.weightsSha256) {
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
