/**
 * Seed 002 Fig. 5 at small scale (docs/slp.md): trains the learned SLP precoder in its five
 * variants at M = K = 4 and compares transmit power vs SINR target with the SLP optimiser,
 * block-level precoding and ZF to the apex on the same 2000 test channels. Writes the JSON to
 * out/slp/power-vs-sinr.json and the figure to docs/figures/slp/. Prints the JSON.
 *   npx tsx bench/slp-train.ts [epochs] [samples]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { powerCurve } from '../baselines/slp-curve.ts';
import { positiveInt } from '../core/validate.ts';
import { renderFigure } from '../studies/charts.ts';
import { trainSlp, slpTestSamples, SLP_SINR_DB, type SlpTrainSummary } from '../studies/train.ts';
import { SLP_DEFAULTS, SLP_VARIANTS } from '../nets/slp.ts';

const epochs = positiveInt('epochs (first argument)', process.argv[2] ?? '20');
const samples = positiveInt('samples (second argument)', process.argv[3] ?? '20000');
const runs: SlpTrainSummary[] = [];
const log = { task: () => ({ tick() {}, end() {} }), log: (m: string) => void process.stderr.write(`${m}\n`) };
for (const variant of SLP_VARIANTS) {
  process.stderr.write(`--- ${variant}\n`);
  runs.push(
    await trainSlp(
      {
        m: 4,
        k: 4,
        variant,
        qr: SLP_DEFAULTS.qr,
        formulation: 'constructive',
        features: 'gram',
        samples,
        testSamples: 2000,
        kbitActivations: false,
        hyperparameters: { epochs, batchSize: 200, learningRate: 1e-3, patience: 1000, seed: 1 },
        backend: 'wasm',
        curve: false,
      },
      log,
    ),
  );
}
const t0 = performance.now();
const curve = powerCurve(slpTestSamples(4, 4, 2000), SLP_SINR_DB, Object.fromEntries(runs.map((r) => [`learned ${r.variant}`, r.test.perSample])));
const curveSeconds = (performance.now() - t0) / 1000;
const rows = curve.rows.flatMap((row) => Object.keys(row.power_dB).map((method) => ({ sinr_dB: row.sinr_dB, method, mean_dB: row.power_dB[method], median_dB: row.median_dB[method] })));
const summary = {
  epochs,
  samples,
  testSamples: curve.samples,
  curveSeconds,
  runs: runs.map((r) => ({
    variant: r.variant,
    graph: r.graph,
    trainSeconds: r.result.trainMs / 1000,
    unitMean_dB: r.test.meanPower_dB,
    unitMeanOfDb: r.test.meanLogPower_dB,
    infeasible: r.test.infeasible,
    energy_uJ: r.energy_uJ.total,
    inferenceMemory_MB: r.inferenceMemory_MB,
  })),
  unitMedian_dB: curve.unitMedian_dB,
  rows,
};
mkdirSync('out/slp', { recursive: true });
writeFileSync('out/slp/power-vs-sinr.json', JSON.stringify(summary, null, 2));
mkdirSync('docs/figures/slp', { recursive: true });
for (const [stat, title] of [
  ['mean_dB', 'mean'],
  ['median_dB', 'median'],
] as const) {
  await renderFigure('docs/figures/slp', `power-vs-sinr-${title}`, `Transmit power (${title} over ${curve.samples} channels) vs SINR target, M = K = 4, QPSK`, {
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'sinr_dB', type: 'quantitative', title: 'SINR target (dB)' },
      y: { field: stat, type: 'quantitative', title: `${title} transmit power (dB, σ² = 1)`, scale: { zero: false } },
      color: { field: 'method', type: 'nominal' },
    },
  });
}
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
