/**
 * Seed 002 Fig. 5 at small scale (docs/slp.md): trains the learned SLP precoder in its five
 * variants at M = K = 4 and compares transmit power vs SINR target with the SLP optimiser,
 * block-level precoding and ZF to the apex on the same 2000 test channels. Writes the JSON to
 * out/slp/power-vs-sinr.json and the figure to docs/figures/slp/. Prints the JSON.
 *   npx tsx bench/slp-train.ts [epochs] [samples]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderFigure } from '../cli/charts.ts';
import { runTrainSlp, type SlpTrainSummary } from '../cli/train.ts';
import { SLP_VARIANTS } from '../nets/slp.ts';

const epochs = process.argv[2] ?? '20';
const samples = process.argv[3] ?? '20000';
const runs: SlpTrainSummary[] = [];
for (const variant of SLP_VARIANTS) {
  process.stderr.write(`--- ${variant}\n`);
  runs.push(
    await runTrainSlp({ net: 'slpdnet', variant, epochs, samples, batch: '200', lr: '1e-3', patience: '1000', seed: '1', seeds: '1', backend: 'wasm', scenario: '', cout: '', dfcl: '', bits: '' }),
  );
}
// Every run tests on the same seeded channels, so the classical columns agree; take them from the first.
const methods = ['SLP optimiser', 'block-level (optimal linear)', 'ZF to the apex'];
const rows = runs[0].curve.flatMap((row, i) => [
  ...methods.map((method) => ({ sinr_dB: row.sinr_dB, method, power_dB: row.power_dB[method] })),
  ...runs.map((r) => ({ sinr_dB: row.sinr_dB, method: `learned ${r.variant}`, power_dB: r.curve[i].power_dB[`learned ${r.variant}`] })),
]);
const summary = {
  epochs: Number(epochs),
  samples: Number(samples),
  runs: runs.map((r) => ({
    variant: r.variant,
    graph: r.graph,
    trainSeconds: r.result.trainMs / 1000,
    testMean_dB: r.test.meanPower_dB,
    testMedian_dB: r.unitMedian_dB[`learned ${r.variant}`],
    infeasible: r.test.infeasible,
    energy_uJ: r.energy_uJ.total,
    inferenceMemory_MB: r.inferenceMemory_MB,
  })),
  unitMedian_dB: Object.fromEntries(methods.filter((m) => m !== 'block-level (optimal linear)').map((m) => [m, runs[0].unitMedian_dB[m]])),
  rows,
};
mkdirSync('out/slp', { recursive: true });
writeFileSync('out/slp/power-vs-sinr.json', JSON.stringify(summary, null, 2));
mkdirSync('docs/figures/slp', { recursive: true });
await renderFigure('docs/figures/slp', 'power-vs-sinr', `Transmit power vs SINR target, M = K = 4, QPSK, ${runs[0].curve.length} targets, 2000 test channels`, {
  data: { values: rows },
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'sinr_dB', type: 'quantitative', title: 'SINR target (dB)' },
    y: { field: 'power_dB', type: 'quantitative', title: 'mean transmit power (dB, σ² = 1)' },
    color: { field: 'method', type: 'nominal' },
  },
});
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
