/** `codesign scenario list | describe NAME | generate NAME`. */
import { loadDataset, SPLITS, cachePath } from '../scenarios/dataset.ts';
import { describeScenario } from '../scenarios/describe.ts';
import { loadScenario, namedScenarios } from '../scenarios/schema.ts';
import { table } from './format.ts';

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

export function renderDescription(d: ReturnType<typeof describeScenario>): string {
  const lines: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else lines.push(`${prefix}${k}: ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : Array.isArray(v) ? v.join('×') : String(v)}`);
    }
  };
  walk(d as Record<string, unknown>, '');
  return lines.join('\n');
}
