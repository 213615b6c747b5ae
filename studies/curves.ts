/**
 * Learning curves of the runs behind a rates table, kept beside it: `codesign rates` copies each
 * run's curve.csv (written by the trainer every epoch) to <table dir>/curves/<scenario>/
 * <head>-<C_out>x<D_FCL>-seed-<s>.csv, and the report draws them (validation rate vs steps).
 */
import { makeFolders } from '../core/files.ts';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LearningCurve {
  readonly run: string;
  readonly head: string;
  readonly arch: string;
  readonly seed: number;
  readonly points: readonly { readonly steps: number; readonly train: number; readonly validation: number }[];
}

export const curvesDir = (table: string, scenario: string) => join(dirname(table), 'curves', scenario);

const NAME = /^([a-z]+)-(\d+x\d+)-seed-(\d+)\.csv$/;

/** Copies a run's curve beside the table (nothing when the run has none). */
export function keepCurve(runDir: string, table: string, scenario: string, run: { head: string; cout: number; dfcl: number; seed: number }): void {
  const from = join(runDir, 'curve.csv');
  if (!existsSync(from)) return;
  const dir = curvesDir(table, scenario);
  makeFolders(dir);
  copyFileSync(from, join(dir, `${run.head}-${run.cout}x${run.dfcl}-seed-${run.seed}.csv`));
}

export function learningCurves(table: string, scenario: string): LearningCurve[] {
  const dir = curvesDir(table, scenario);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort()
    .map((f) => {
      const [, head, arch, seed] = NAME.exec(f)!;
      const points = readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',').map(Number))
        .filter((r) => r.length >= 4 && r.every(Number.isFinite))
        .map(([, steps, train, validation]) => ({ steps, train, validation }));
      return { run: `${head} ${arch.replace('x', '/')} seed ${seed}`, head, arch, seed: Number(seed), points };
    });
}
