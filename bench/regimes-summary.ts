/**
 * The regime map as markdown for docs/results.md: per site, one row per cell (SNR, users) with
 * the classical anchors, the cheapest answer reaching 98% of the best classical rate on each side,
 * and the DNN ÷ classical energy.
 *   npx tsx bench/regimes-summary.ts [DIR]   (default data/regimes)
 */
import { readCells, REGIMES_DIR, type CellResult } from '../studies/regimes.ts';

const dir = process.argv[2] ?? REGIMES_DIR;
const cells = readCells(dir);
const fmt = (x: number, d = 2) => x.toFixed(d);
const uj = (x: number) => x.toPrecision(3);
const rate = (c: CellResult, label: string) => c.answers.find((a) => a.label === label);
const best = (c: CellResult, head: string, bits: number) => rate(c, `${head} 8/512 [${[bits, bits, bits, bits].join(',')}]`);
const paired = (a: ReturnType<typeof best>) => (a?.vsRzfEp ? `${a.vsRzfEp.mean >= 0 ? '+' : '−'}${fmt(Math.abs(a.vsRzfEp.mean), 3)} ± ${fmt(a.vsRzfEp.ci95, 3)}` : '—');
for (const site of [...new Set(cells.map((c) => c.site))]) {
  const rows = cells.filter((c) => c.site === site).sort((a, b) => a.snrDb - b.snrDb || a.nu - b.nu);
  console.log(`\n${site}: ${rows.length} cells, ${rows[0].samples} held-out test samples each\n`);
  console.log('| SNR dB | N_U | eq-RZF ÷ WMMSE | cheapest classical at 98% (µJ) | cheapest DNN at 98% (µJ) | DNN ÷ classical | structured 16-bit − eq-RZF | unfolded 16-bit − eq-RZF | unfolded 16-bit − its structure (closed-form μ, 3 it.) |');
  console.log('|---:|---:|---:|---|---|---:|---:|---:|---:|');
  for (const c of rows) {
    const v = c.verdict;
    const eq = rate(c, 'equal-power RZF')!.sumRate;
    const cf = rate(c, 'WMMSE, closed-form μ (from equal-power RZF, 3 iterations)');
    const u16 = best(c, 'unfolded', 16);
    const vsStructure = cf && u16 ? `${u16.sumRate - cf.sumRate >= 0 ? '+' : '−'}${fmt(Math.abs(u16.sumRate - cf.sumRate), 3)}` : '—';
    const dnn = v.cheapestDnn ? `${v.cheapestDnn.label}: ${fmt(v.cheapestDnn.sumRate)} ± ${fmt(v.cheapestDnn.ci95)} (${uj(v.cheapestDnn.closedForm_uJ)})` : 'none';
    console.log(`| ${c.snrDb} | ${c.nu} | ${fmt((100 * eq) / v.bestClassical, 1)}% | ${v.cheapestClassical.label}: ${fmt(v.cheapestClassical.sumRate)} (${uj(v.cheapestClassical.closedForm_uJ)}) | ${dnn} | ${v.energyRatio === null ? '—' : `×${uj(v.energyRatio)}`}${v.winner === 'dnn' ? ' **DNN**' : ''} | ${paired(best(c, 'structured', 16))} | ${paired(u16)} | ${vsStructure} |`);
  }
}
