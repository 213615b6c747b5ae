/** Scenarios as a user meets them: the named list, generating the splits, a description priced on a preset. */
import { SILENT, type Progress } from '../core/progress.ts';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../core/errors.ts';
import { cacheKey, cachePath, GENERATOR_VERSION, loadDataset, SPLITS, type SplitName } from '../scenarios/dataset.ts';
import { mat, npy, type NumericArray } from '../scenarios/array-files.ts';
import { loadScenario, namedScenarios, type Scenario } from '../scenarios/schema.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { describeScenario, type DescribeOptions } from './describe.ts';
import { classicalPoint } from './report-numbers.ts';
import { errnoWords, outputFile, recoverSet, writeSet, writeWhole } from '../core/files.ts';

export function scenarioList(): { readonly name: string; readonly model: string; readonly description: string }[] {
  return namedScenarios().map((name) => {
    const s = loadScenario(name);
    return { name, model: s.model, description: s.description };
  });
}

export function generateScenario(s: Scenario, progress: Progress = SILENT) {
  const task = progress.task(`${s.name} splits`, SPLITS.length);
  const out = SPLITS.map((split) => {
    const t0 = performance.now();
    const ds = loadDataset(s, split, { log: (m) => progress.log(m) });
    task.tick(1, split);
    return { split, samples: ds.count, file: cachePath(s, split), timing: { ms: performance.now() - t0 } };
  });
  task.end();
  return out;
}

/** A scenario's description with its classical results priced under a preset (both counts). */
export function describeWithEnergy(s: Scenario, options: Omit<DescribeOptions, 'log' | 'progress'>, preset: HardwarePreset, progress: Progress = SILENT) {
  const d = describeScenario(s, { ...options, log: (m) => progress.log(m), progress });
  if (!('classical' in d)) return d;
  const { classical, ...rest } = d;
  return { ...rest, classical: classical.map((c) => classicalPoint(c, preset)), preset: preset.name };
}

export const EXPORT_FORMATS = ['npy', 'mat'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Written whole (core/files.ts), so a failed export replaces nothing; a failure names --out. */
function writeExport(file: string, data: Buffer | string): void {
  try {
    writeWhole(file, data);
  } catch (error) {
    throw new InputError('out', file, `allowed: a writable file path (${(error as Error).message.split('\n')[0]})`);
  }
}

/** What the sidecar says wrote it: a set that says so may be replaced as a whole by the next export. */
const WRITTEN_BY = 'codesign scenario export';

/** The files an `.npy` export writes for a scenario: FILE.npy (the main array), FILE.<array>.npy, FILE.json. */
export function npyExportFiles(s: Scenario, out: string): { readonly arrays: readonly string[]; readonly sidecar: string } {
  const stem = out.replace(/\.npy$/, '');
  const names = s.model === 'cost2100' ? ['csi'] : ['H', 'los'];
  return { arrays: names.map((name, i) => (i === 0 ? `${stem}.npy` : `${stem}.${name}.npy`)), sidecar: `${stem}.json` };
}

/**
 * Checked before any work: --out itself may be replaced; the files written beside it only when
 * they are a set an earlier export wrote (its sidecar says so and names them), or with --force —
 * a user's own FILE.json is never overwritten unasked.
 */
export function checkExportTarget(s: Scenario, format: ExportFormat, out: string, force: boolean): void {
  outputFile(out, 'out', 'the export file');
  if (format === 'mat' || force) return;
  const { arrays, sidecar } = npyExportFiles(s, out);
  recoverSet([...arrays, sidecar]);
  const siblings = [...arrays.slice(1), sidecar].filter((f) => existsSync(f));
  if (siblings.length === 0) return;
  let ours = false;
  try {
    const previous = JSON.parse(readFileSync(sidecar, 'utf8')) as { writtenBy?: string; files?: Record<string, string> };
    ours = previous.writtenBy === WRITTEN_BY && siblings.every((f) => f === sidecar || Object.values(previous.files ?? {}).includes(basename(f)));
  } catch {
    ours = false;
  }
  if (!ours) throw new InputError('out', out, `allowed: a name whose companion files are free or from an earlier export (${siblings.join(', ')} ${siblings.length === 1 ? 'exists and was' : 'exist and were'} not written by codesign scenario export); --force replaces them`);
}

/**
 * One split of a scenario as arrays a NumPy or MATLAB user loads: the channels H as complex64
 * [samples, N_U, N_T] (row k of H is h_kᴴ, SINR_k = |h_kᴴ v_k|² / (Σ_{j≠k} |h_kᴴ v_j|² + σ²)),
 * the LOS flags [samples, N_U], power and σ²; or a CSI scenario's maps, float32 [samples, 2,
 * rows, cols]. `.npy` writes the arrays beside a JSON sidecar; `.mat` one level-5 file.
 */
export function exportSplit(s: Scenario, split: SplitName, format: ExportFormat, out: string, progress: Progress = SILENT, force = false): { readonly files: readonly string[]; readonly samples: number } {
  checkExportTarget(s, format, out, force);
  const ds = loadDataset(s, split, { log: (m) => progress.log(m) });
  const meta = { scenario: s.name, model: s.model, seed: s.seed, split, samples: ds.count, generator: GENERATOR_VERSION, cacheKey: cacheKey(s, split) };
  let arrays: Record<string, NumericArray>;
  let describe: Record<string, unknown>;
  if (ds.kind === 'mimo') {
    const { count, nt, nu } = ds;
    const re = new Float32Array(count * nu * nt);
    const im = new Float32Array(count * nu * nt);
    for (let i = 0; i < count; i++) {
      const base = i * 2 * nt * nu;
      for (let k = 0; k < nu; k++) {
        for (let n = 0; n < nt; n++) {
          re[(i * nu + k) * nt + n] = ds.data[base + n * nu + k];
          im[(i * nu + k) * nt + n] = ds.data[base + nt * nu + n * nu + k];
        }
      }
    }
    arrays = { H: { shape: [count, nu, nt], re, im }, los: { shape: [count, nu], re: ds.los }, power: { shape: [1], re: Float64Array.of(ds.power) }, noiseVar: { shape: [1], re: Float64Array.of(ds.noiseVar) } };
    describe = { ...meta, power: ds.power, noiseVar: ds.noiseVar, snrDb: s.model === 'cost2100' ? null : s.snrDb, H: { dtype: 'complex64', shape: [count, nu, nt], convention: 'row k of H is h_k^H; SINR_k = |h_k^H v_k|^2 / (sum_{j!=k} |h_k^H v_j|^2 + noiseVar)' }, los: { dtype: 'uint8', shape: [count, nu] } };
  } else {
    arrays = { csi: { shape: [ds.count, 2, ds.rows, ds.cols], re: ds.data } };
    describe = { ...meta, csi: { dtype: 'float32', shape: [ds.count, 2, ds.rows, ds.cols], convention: 'channel 0 real, 1 imaginary part of the truncated angular-delay CSI, scaled into [0, 1] around 0.5' } };
  }
  if (format === 'mat') {
    writeExport(out, mat({ ...arrays, seed: { shape: [1], re: Float64Array.of(s.seed) } }, `codesign scenario ${s.name}, split ${split}, ${ds.count} samples`));
    return { files: [out], samples: ds.count };
  }
  // The arrays and their sidecar are replaced as one set: a kill leaves the previous set whole.
  const { arrays: files, sidecar } = npyExportFiles(s, out);
  const names = Object.keys(arrays).filter((name) => arrays[name].shape.length > 1);
  const sidecarJson = JSON.stringify({ ...describe, writtenBy: WRITTEN_BY, files: Object.fromEntries(names.map((name, i) => [name, basename(files[i])])) }, null, 2);
  try {
    writeSet([...names.map((name, i) => ({ path: files[i], data: npy(arrays[name]) })), { path: sidecar, data: sidecarJson }]);
  } catch (error) {
    throw new InputError('out', out, `allowed: a writable file path (${errnoWords(error)})`);
  }
  return { files: [...files, sidecar], samples: ds.count };
}
