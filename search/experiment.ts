/**
 * Experiment files for `codesign search --experiment-file FILE`: the design space and the
 * quality source, validated like scenario files — every problem listed at once, each naming
 * its field.
 */
import { INPUT_LIMITS, parseDataFile, readInput } from '../core/files.ts';
import { PRESETS, type HardwarePreset } from '../sim/presets.ts';
import { createHash } from 'node:crypto';
import { FileError, InputError, type FileIssue } from '../core/errors.ts';
import type { Experiment } from './run.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';

export type ExperimentIssue = FileIssue;

/** An experiment file's problems, all of them. */
export class ExperimentError extends FileError {
  override readonly name = 'ExperimentError';
  constructor(source: string, issues: readonly ExperimentIssue[]) {
    super('experiment', source, issues);
  }
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

export function validateExperiment(raw: unknown, source: string): Experiment {
  const issues: ExperimentIssue[] = [];
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (o !== raw) issues.push({ path: '(root)', value: raw, allowed: 'a JSON object' });
  if (typeof o.name !== 'string' || o.name.length === 0) issues.push({ path: 'name', value: o.name, allowed: 'a non-empty string' });
  const archs = Array.isArray(o.archs) ? o.archs : [];
  if (!Array.isArray(o.archs) || archs.length === 0) issues.push({ path: 'archs', value: o.archs, allowed: 'a non-empty list of {"cout": n, "dfcl": n}' });
  archs.forEach((a, i) => {
    const arch = (a ?? {}) as Record<string, unknown>;
    if (!isPositiveInt(arch.cout)) issues.push({ path: `archs[${i}].cout`, value: arch.cout, allowed: 'a positive integer' });
    if (!isPositiveInt(arch.dfcl)) issues.push({ path: `archs[${i}].dfcl`, value: arch.dfcl, allowed: 'a positive integer' });
  });
  const choices = Array.isArray(o.bitChoices) ? o.bitChoices : [];
  if (!Array.isArray(o.bitChoices) || choices.length === 0 || choices.some((b) => !isPositiveInt(b) || b > 32 || b < 2)) {
    issues.push({ path: 'bitChoices', value: o.bitChoices, allowed: 'a non-empty list of integers from 2 to 32' });
  }
  if (typeof o.preset !== 'string' || !PRESETS.some((p) => p.name === o.preset)) issues.push({ path: 'preset', value: o.preset, allowed: PRESETS.map((p) => p.name).join(', ') });
  if (o.heads !== undefined && (!Array.isArray(o.heads) || o.heads.length === 0 || o.heads.some((h) => !(PRECODER_HEAD_NAMES as readonly unknown[]).includes(h)))) {
    issues.push({ path: 'heads', value: o.heads, allowed: `a non-empty list of ${PRECODER_HEAD_NAMES.join(', ')}` });
  }
  const q = (o.quality ?? {}) as Record<string, unknown>;
  if (q.source === 'table') {
    if (typeof q.scenario !== 'string') issues.push({ path: 'quality.scenario', value: q.scenario, allowed: 'a scenario name' });
    if (typeof q.file !== 'string') issues.push({ path: 'quality.file', value: q.file, allowed: 'a rates table file (e.g. data/rates/udem-nlos.csv)' });
  } else if (q.source === 'synthetic') {
    if (!(typeof q.seed === 'number' && Number.isInteger(q.seed) && q.seed >= 0)) issues.push({ path: 'quality.seed', value: q.seed, allowed: 'an integer ≥ 0' });
  } else if (q.source === 'checkpoint' || q.source === 'train' || q.source === 'supernet') {
    if (typeof q.scenario !== 'string') issues.push({ path: 'quality.scenario', value: q.scenario, allowed: 'a scenario name or file' });
    if (!isPositiveInt(q.samples)) issues.push({ path: 'quality.samples', value: q.samples, allowed: 'a positive integer' });
    if ((q.source === 'checkpoint' || q.source === 'supernet') && typeof q.dir !== 'string') issues.push({ path: 'quality.dir', value: q.dir, allowed: 'a checkpoint directory' });
    if (q.source === 'train' || q.source === 'supernet') {
      for (const k of ['epochs', 'batchSize', 'seed'] as const) if (!isPositiveInt(q[k])) issues.push({ path: `quality.${k}`, value: q[k], allowed: 'a positive integer' });
      if (!(typeof q.learningRate === 'number' && q.learningRate > 0)) issues.push({ path: 'quality.learningRate', value: q.learningRate, allowed: 'a number > 0' });
    }
  } else {
    issues.push({ path: 'quality.source', value: q.source, allowed: 'table, checkpoint, train, supernet, synthetic' });
  }
  if (issues.length > 0) throw new ExperimentError(source, issues);
  return o as unknown as Experiment;
}

export function loadExperiment(file: string): Experiment {
  let raw: unknown;
  try {
    raw = parseDataFile(readInput(file, 'experiment', INPUT_LIMITS.scenario, 'a readable JSON file').toString('utf8'), file, 'experiment', 'a readable JSON file', JSON.parse);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new ExperimentError(file, [{ path: '(file)', value: file, allowed: error.allowed.replace(/^allowed: /, '') }]);
  }
  return validateExperiment(raw, file);
}

/**
 * An experiment's energy table, the other way: a shipped table is stored by its name; a table
 * from a file under its name and the hash of its contents (so two files that share a name never
 * share stored points), with the table itself.
 */
export function experimentTable(hardware: HardwarePreset): Pick<Experiment, 'preset' | 'hardware'> {
  if (PRESETS.includes(hardware)) return { preset: hardware.name };
  const digest = createHash('sha256').update(JSON.stringify(hardware)).digest('hex').slice(0, 12);
  return { preset: `${hardware.name}#${digest}`, hardware };
}
