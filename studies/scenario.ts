/** Scenarios as a user meets them: the named list, generating the splits, a description priced on a preset. */
import { SILENT, type Progress } from '../core/progress.ts';
import { cachePath, loadDataset, SPLITS } from '../scenarios/dataset.ts';
import { loadScenario, namedScenarios, type Scenario } from '../scenarios/schema.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { describeScenario, type DescribeOptions } from './describe.ts';
import { classicalPoint } from './report-numbers.ts';

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
