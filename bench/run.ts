/**
 * Benchmarks: prints one JSON document of figures. Speed targets are checked here, never by
 * timed assertions in tests. Run with `npm run bench`.
 */
import { priceSeed000Space } from '../cli/start.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';

function medianMs(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const figures: Record<string, unknown> = {
  node: process.version,
  machine: { cores: (await import('node:os')).cpus().length },
};

// Closed-form energy: all 2048 seed-000 points (graph building + pricing), warm.
priceSeed000Space(DEFAULT_PRESET);
const price2048 = medianMs(15, () => priceSeed000Space(DEFAULT_PRESET));
figures.closedForm = { points: 2048, price_all_ms: price2048, target_ms: 50, meets_target: price2048 < 50 };

process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
