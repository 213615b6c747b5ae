/**
 * Benchmarks: prints one JSON document of figures. Speed targets are checked here, never by
 * timed assertions in tests. Run with `npm run bench`.
 */
import { priceSeed000Space } from '../studies/start.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';
import { rayleighChannels } from '../baselines/run.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { zf } from '../baselines/precoders.ts';
import { optimalSolutions, powerCurve } from '../baselines/slp-curve.ts';
import { readFileSync } from 'node:fs';
import { SPLITS, generateSplit } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';
import { initBackend, tf } from '../train/backend.ts';
import { graphCounts } from '../nets/counts.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { codecStepMs, precoderStepMs } from './training-step.ts';
import { buildCsiNet } from '../nets/csi.ts';
import { ENGINE_DEFAULTS } from '../sim/engine/config.ts';
import { simulateOps } from '../sim/engine/engine.ts';
import { lowerGraph } from '../sim/engine/lower.ts';
import { parseTopology, topologyOps } from '../sim/engine/topology.ts';
import { slpSamples } from '../baselines/slp-samples.ts';
import { coldPasses, memorySystemFigures, resnetColdRuns } from './memory-system.ts';

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

const os = await import('node:os');
const figures: Record<string, unknown> = {
  node: process.version,
  machine: { cores: os.cpus().length, loadAverage_1_5_15min: os.loadavg() },
};

// The executable's start: `codesign energy --json` as a user runs it (tsx loader, no build step),
// end to end in a fresh process. The CLI imports tfjs, DuckDB and vega only for the commands
// that use them, so this is the floor every command starts from.
{
  const { execFileSync } = await import('node:child_process');
  const bin = new URL('../bin/codesign.js', import.meta.url).pathname;
  const wall = (args: string[]) =>
    medianMs(7, () => {
      execFileSync(process.execPath, [bin, ...args], { stdio: 'ignore' });
    });
  const energyMs = wall(['energy', '--json']);
  figures.cliStart = { energy_json_ms: energyMs, presets_ms: wall(['presets']), simulate_json_ms: wall(['simulate', '--json']), target_ms: 1000, meets_target: energyMs < 1000 };
}

// `codesign laws --engine` with its defaults: every law, 100 cases each, on random presets and graphs.
{
  const { checkLaws } = await import('../studies/laws.ts');
  const t0 = performance.now();
  const outcomes = checkLaws({ engine: true, runs: 100, seed: 1 });
  const ms = performance.now() - t0;
  figures.laws = { laws: outcomes.length, runs_each: 100, all_pass: outcomes.every((l) => l.status === 'passed'), ms, target_ms: 30_000, meets_target: ms < 30_000 };
}

// Closed-form energy: all 2048 seed-000 points (graph building + pricing), warm.
priceSeed000Space(DEFAULT_PRESET);
const price2048 = medianMs(15, () => priceSeed000Space(DEFAULT_PRESET));
figures.closedForm = { points: 2048, price_all_ms: price2048, target_ms: 50, meets_target: price2048 < 50 };

// WMMSE at N_T = 64, N_U = 4, exactly 100 iterations (tol 0) from one start (MRT), 15 dB.
{
  const [channel] = rayleighChannels({ nt: 64, nu: 4, snrDb: 15, samples: 1, seed: 1 });
  const options = { tol: 0, rule: 'abs' as const, maxIter: 100, init: 'mrt' as const };
  wmmse(channel, options);
  const ms = medianMs(31, () => wmmse(channel, options));
  const zfMs = medianMs(101, () => zf(channel));
  figures.wmmse = { nt: 64, nu: 4, iterations: 100, ms_per_solve: ms, target_ms: 20, meets_target: ms < 20 };
  figures.zf = { nt: 64, nu: 4, ms_per_solve: zfMs };
}

// Engine: SCALE-Sim's ResNet-18 topology on a 32×32 weight-stationary array, and the default
// precoder (C_out = 64, D_FCL = 1024, batch 1, 8×8) in each dataflow.
{
  const topology = topologyOps(parseTopology(readFileSync(new URL('../reference/scalesim/resnet18-topology.csv', import.meta.url), 'utf8')), 1);
  const ws32 = { ...ENGINE_DEFAULTS, rows: 32, cols: 32, dataflow: 'ws' as const };
  simulateOps(topology, ws32, DEFAULT_PRESET);
  let cycles = 0;
  const resnetMs = medianMs(9, () => {
    cycles = simulateOps(topology, ws32, DEFAULT_PRESET).cycles;
  });
  const precoder = lowerGraph(buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 16, 16, 16] }), 1);
  const perDataflow: Record<string, { ms: number; cycles: number; folds: number }> = {};
  let precoderCycles = 0;
  for (const dataflow of ['os', 'ws', 'is'] as const) {
    const config = { ...ENGINE_DEFAULTS, rows: 8, cols: 8, dataflow };
    let r = simulateOps(precoder, config, DEFAULT_PRESET);
    const ms = medianMs(5, () => {
      r = simulateOps(precoder, config, DEFAULT_PRESET);
    });
    perDataflow[dataflow] = { ms, cycles: r.cycles, folds: r.ops.reduce((s, o) => s + o.folds, 0) };
    precoderCycles += r.cycles;
  }
  const allThree = Object.values(perDataflow).reduce((s, d) => s + d.ms, 0);
  figures.engine = {
    resnet18_ws_32x32: { ms: resnetMs, simulated_cycles: cycles, target_ms: 1000, meets_target: resnetMs < 1000, scalesim_v2_quoted_in_issue_s: 300 },
    precoder_batch1_8x8: { ...perDataflow, all_three_ms: allThree, target_ms: 500, meets_target: allThree < 500 },
    simulated_cycles_per_second: (precoderCycles / allThree) * 1000,
  };
}

// Scenarios: 10,000 udem-nlos samples (its train + validation + test splits), from scratch
// (site ray tracing included, no cache).
{
  const s = loadScenario('udem-nlos');
  const t0 = performance.now();
  let samples = 0;
  for (const split of SPLITS) samples += generateSplit(s, split).count;
  const ms = performance.now() - t0;
  figures.scenarios = { udem_nlos: { samples, ms, target_ms: 30000, meets_target: ms < 30000 } };
}

// Training: the three steps of docs/training.md's table — the precoder at B = 1000 for the
// smallest and largest architectures, CRNet CR 4 at B = 50 — and the achieved GFLOP/s (6 FLOP per
// MAC: 2 forward, 4 backward) against a plain matMul's on the same backend. PyTorch's times for
// the same steps: `/usr/bin/python3 bench/torch/step.py` (a measuring stick, not run here).
{
  const backend = await initBackend();
  const a = tf.randomNormal([1000, 2048]) as tf.Tensor2D;
  const b = tf.randomNormal([2048, 512]) as tf.Tensor2D;
  const mm = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await mm();
  const t = performance.now();
  for (let i = 0; i < 5; i++) await mm();
  const matMulMs = (performance.now() - t) / 5;
  const matMulGflops = (2 * 1000 * 2048 * 512) / matMulMs / 1e6;
  a.dispose();
  b.dispose();
  const training: Record<string, unknown> = { backend, plainMatMul: { ms: matMulMs, gflops: matMulGflops } };
  for (const [cout, dfcl, steps] of [[8, 512, 5], [64, 1024, 2]] as const) {
    const ms = await precoderStepMs(cout, dfcl, steps);
    const macs = graphCounts(buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] })).macs;
    const gflops = (6 * macs * 1000) / ms / 1e6; // forward 2 FLOP per MAC, backward 4
    training[`${cout}x${dfcl}`] = { step_ms_B1000: ms, samples_per_s: 1000 / (ms / 1000), gflops, fraction_of_matmul: gflops / matMulGflops, epoch_10000_s: (10 * ms) / 1000 };
  }
  const codecMs = await codecStepMs(10);
  const codecMacs = graphCounts(buildCsiNet({ net: 'crnet', cr: 4 })).macs;
  training.crnet_cr4 = { step_ms_B50: codecMs, samples_per_s: 50 / (codecMs / 1000), gflops: (6 * codecMacs * 50) / codecMs / 1e6 };
  figures.training = training;
}

// SLP (seed 002 eq. 2) vs least-power block-level precoding at M = K = 4: mean transmit power
// over 200 Rayleigh channels with random QPSK symbols (σ² = 1), and the SLP solver's accuracy —
// the same computation as `codesign baseline --algo slp` (solved once, scaled to each target).
{
  const d = slpSamples(4, 4, 200, 5);
  const t0 = performance.now();
  const solutions = optimalSolutions(d);
  const ms = performance.now() - t0;
  const curve = powerCurve(d, [0, 10, 20, 30], {}, Float64Array.from(solutions, (s) => s.power));
  figures.slp = {
    rows: curve.rows.map((row) => ({ sinr_dB: row.sinr_dB, slp_power_dB: row.power_dB['SLP optimiser'], blp_power_dB: row.power_dB['block-level (optimal linear)'] })),
    worst_violation: Math.max(...solutions.map((s) => s.maxViolation)),
    worst_slackness: Math.max(...solutions.map((s) => s.slackness)),
    slp_ms_per_solve: ms / d.count,
  };
}

// The memory system against SCALE-Sim v2's USER-bandwidth runs, and ResNet-18 on finite buffers
// (this process's engine code is warm by now: the cold pass comes from fresh processes).
figures.memorySystem = { ...memorySystemFigures(), coldPass: await coldPasses(), resnet18Cold: await resnetColdRuns() };

process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
