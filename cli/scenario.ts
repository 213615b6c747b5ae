/** `codesign scenario list | describe NAME | generate NAME`. */
import { loadDataset, SPLITS, cachePath } from '../scenarios/dataset.ts';
import { describeScenario } from '../studies/describe.ts';
import { loadScenario, namedScenarios } from '../scenarios/schema.ts';
import { table } from './format.ts';
import { classicalPoint, type BaselinePoint } from '../studies/report-numbers.ts';
import type { HardwarePreset } from '../sim/presets.ts';

export function listScenarios(): string {
  return table(
    ['scenario', 'model', 'description'],
    namedScenarios().map((name) => {
      const s = loadScenario(name);
      return [name, s.model, s.description];
    }),
  );
}

export function generateScenario(name: string, log: (m: string) => void) {
  const s = loadScenario(name);
  return SPLITS.map((split) => {
    const t0 = performance.now();
    const ds = loadDataset(s, split, { log });
    return { split, samples: ds.count, file: cachePath(s, split), ms: performance.now() - t0 };
  });
}

/** A scenario's description with its classical results priced under a preset (both counts). */
export function describeWithEnergy(d: ReturnType<typeof describeScenario>, preset: HardwarePreset) {
  if (!('classical' in d)) return d;
  const { classical, ...rest } = d;
  return { ...rest, classical: classical.map((c) => classicalPoint(c, preset)), preset: preset.name };
}

/** Classical results as a table: rate, iterations, cap hits and energy per solve under both counts. */
export function classicalTable(points: readonly BaselinePoint[]): string {
  return table(
    ['classical', 'sum rate', 'iterations', 'hit cap', 'µJ (paper count)', 'µJ (measured)'],
    points.map((c) => [c.label, c.sumRate.toFixed(3), c.iterations.toFixed(1), c.capped, c.energy_uJ.paper === null ? '—' : c.energy_uJ.paper.toPrecision(4), c.energy_uJ.measured.toPrecision(4)]),
  );
}

export function renderDescription(priced: ReturnType<typeof describeWithEnergy>): string {
  const { classical, ...d } = priced as typeof priced & { classical?: BaselinePoint[] };
  const lines: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else lines.push(`${prefix}${k}: ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : Array.isArray(v) ? v.join('×') : String(v)}`);
    }
  };
  walk(d as Record<string, unknown>, '');
  if (classical) lines.push('', `classical precoders on the first ${classical[0].samples} test samples:`, classicalTable(classical));
  return lines.join('\n');
}
