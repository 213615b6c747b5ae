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
import { estimate } from '../core/stats.ts';

const scenario = process.argv[2] ?? 'udem-nlos';
const rows = loadRatesTable(process.argv[3] ?? ratesFile(scenario)).filter((r) => r.scenario === scenario);
const classical = loadClassical(scenario, process.argv[4] ?? classicalFile(scenario));
const best = classical.results.reduce((a, b) => (b.meanSumRate > a.meanSumRate ? b : a));

const stats = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), n: xs.length };
};
const uniform = (group: readonly RatesRow[], bits: number) => group.filter((r) => r.bits.every((b) => b === bits));
const at = (group: readonly RatesRow[], bits: number) => stats(uniform(group, bits).map((r) => r.sumRate));
/** One seed: mean ± its 95% CI over test samples; several: mean ± std over seeds. */
const show = (s: { mean: number; std: number; n: number }, group: readonly RatesRow[], bits: number) => {
  const ci = uniform(group, bits)[0]?.ci95;
  return s.n > 1 ? `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)} (seeds)` : `${s.mean.toFixed(3)}${ci === null || ci === undefined ? '' : ` ± ${ci.toFixed(3)}`}`;
};
const paired = (group: readonly RatesRow[], bits: number) => {
  const r = uniform(group, bits)[0]?.vsRzfEp;
  return r ? `${r.mean >= 0 ? '+' : '−'}${Math.abs(r.mean).toFixed(3)} ± ${r.ci95.toFixed(3)}` : '—';
};

const groups = new Map<string, RatesRow[]>();
for (const r of rows) groups.set(`${r.head} ${r.cout}/${r.dfcl}`, [...(groups.get(`${r.head} ${r.cout}/${r.dfcl}`) ?? []), r]);
const lines = [
  `${scenario}: ${rows[0]?.testSamples} test samples; best classical ${best.meanSumRate.toFixed(3)} (${best.label}); ${rows.length} rows`,
  '',
  '| head | arch | seeds | [16,16,16,16] | [8,8,8,8] | [4,4,4,4] | [2,2,2,2] | 16-bit − eq-RZF (paired) | 2-bit − eq-RZF (paired) | 2-bit ÷ 16-bit | 16-bit ÷ classical best | µJ at 16 / 2 bits | training |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
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
    `| ${head} | ${arch} | ${seeds.size} | ${show(r16, group, 16)} | ${show(r8, group, 8)} | ${show(r4, group, 4)} | ${show(r2, group, 2)} | ${paired(group, 16)} | ${paired(group, 2)} | ${(ratio2.mean * 100).toFixed(1)}% | ${((r16.mean / best.meanSumRate) * 100).toFixed(1)}% | ${energy([16, 16, 16, 16]).toFixed(2)} / ${energy([2, 2, 2, 2]).toFixed(3)} | ${perSeed.map((r) => r.training.replace(/^supernet \{2,4,8,16\}, /, '').replace(/, batch.*$/, '')).join('; ')} |`,
  );
}
const ci = (c: (typeof classical.results)[number]) => (c.perSample && c.perSample.length > 1 ? ` ± ${estimate(c.perSample).halfWidth.toFixed(3)}` : '');
lines.push('', '| classical | sum rate ± 95% CI | iterations | hit cap |', '|---|---:|---:|---:|', ...classical.results.map((c) => `| ${c.label} | ${c.meanSumRate.toFixed(3)}${ci(c)} | ${c.iterations.mean.toFixed(1)} | ${c.capped} |`));
process.stdout.write(lines.join('\n') + '\n');
