/**
 * The docs' tables from a rates table and the classical results beside it: per head and
 * architecture, the test sum rate at uniform bits (mean ± std over the seeds), the 2-bit share
 * of the 16-bit rate, and the share of the best classical rate; closed-form energies at
 * kasalaee2025.
 *   npx tsx bench/rates-summary.ts udem-nlos [rates.csv] [classical.json]
 */
import { loadRatesTable, ratesFile, type RatesRow } from '../search/rates-table.ts';
import { classicalFile, loadClassical } from '../studies/rates.ts';
import { energyOfBits } from '../search/objective.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';

const scenario = process.argv[2] ?? 'udem-nlos';
const rows = loadRatesTable(process.argv[3] ?? ratesFile(scenario)).filter((r) => r.scenario === scenario);
const classical = loadClassical(scenario, process.argv[4] ?? classicalFile(scenario));
const best = classical.results.reduce((a, b) => (b.meanSumRate > a.meanSumRate ? b : a));

const stats = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), n: xs.length };
};
const at = (group: readonly RatesRow[], bits: number) => stats(group.filter((r) => r.bits.every((b) => b === bits)).map((r) => r.sumRate));
const show = (s: { mean: number; std: number; n: number }) => (s.n > 1 ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}` : s.mean.toFixed(3));

const groups = new Map<string, RatesRow[]>();
for (const r of rows) groups.set(`${r.head} ${r.cout}/${r.dfcl}`, [...(groups.get(`${r.head} ${r.cout}/${r.dfcl}`) ?? []), r]);
const lines = [
  `${scenario}: ${rows[0]?.testSamples} test samples; best classical ${best.meanSumRate.toFixed(3)} (${best.label}); ${rows.length} rows`,
  '',
  '| head | arch | seeds | [16,16,16,16] | [8,8,8,8] | [4,4,4,4] | [2,2,2,2] | 2-bit ÷ 16-bit | 16-bit ÷ classical best | µJ at 16 / 2 bits | epochs, train time |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
  const [head, arch] = key.split(' ');
  const [cout, dfcl] = arch.split('/').map(Number);
  const energy = energyOfBits(cout, dfcl, DEFAULT_PRESET, head as RatesRow['head']);
  const [r16, r8, r4, r2] = [16, 8, 4, 2].map((b) => at(group, b));
  const seeds = new Set(group.map((r) => r.seed));
  const perSeed = [...seeds].map((seed) => group.find((r) => r.seed === seed && r.bits.every((b) => b === 16))!);
  const ratio2 = stats([...seeds].map((seed) => group.find((r) => r.seed === seed && r.bits.every((b) => b === 2))!.sumRate / group.find((r) => r.seed === seed && r.bits.every((b) => b === 16))!.sumRate));
  lines.push(
    `| ${head} | ${arch} | ${seeds.size} | ${show(r16)} | ${show(r8)} | ${show(r4)} | ${show(r2)} | ${(ratio2.mean * 100).toFixed(1)}% | ${((r16.mean / best.meanSumRate) * 100).toFixed(1)}% | ${energy([16, 16, 16, 16]).toFixed(2)} / ${energy([2, 2, 2, 2]).toFixed(3)} | ${perSeed.map((r) => `${r.epochs} ep, ${Math.round(r.trainSeconds)} s`).join('; ')} |`,
  );
}
lines.push('', '| classical | sum rate | iterations | hit cap |', '|---|---:|---:|---:|', ...classical.results.map((c) => `| ${c.label} | ${c.meanSumRate.toFixed(3)} | ${c.iterations.mean.toFixed(1)} | ${c.capped} |`));
process.stdout.write(lines.join('\n') + '\n');
