/**
 * Benchmarks: prints one JSON document of figures. Speed targets are checked here, never by
 * timed assertions in tests. Run with `npm run bench`.
 */
import { priceSeed000Space } from '../cli/start.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';
import { rayleighChannels } from '../baselines/run.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { zf } from '../baselines/precoders.ts';

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

// WMMSE at N_T = 64, N_U = 4, exactly 100 iterations (tol 0), 15 dB.
{
  const [channel] = rayleighChannels({ nt: 64, nu: 4, snrDb: 15, samples: 1, seed: 1 });
  const options = { tol: 0, rule: 'abs' as const, maxIter: 100 };
  wmmse(channel, options);
  const ms = medianMs(31, () => wmmse(channel, options));
  const zfMs = medianMs(101, () => zf(channel));
  figures.wmmse = { nt: 64, nu: 4, iterations: 100, ms_per_solve: ms, target_ms: 20, meets_target: ms < 20 };
  figures.zf = { nt: 64, nu: 4, ms_per_solve: zfMs };
}

process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
