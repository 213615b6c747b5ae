/**
 * docs/link.md's tables from the shipped study (data/link/*.json, bench/link-study.sh): every row
 * with its rate ± 95% CI, paired differences to perfect-CSI WMMSE and to RZF-EP on the same
 * rebuilt channels, NMSE and both sides' energies; then the codecs against the best codebook row at
 * no more bits, and the Pareto fronts; and data/link/<name>.csv beside each study.
 *   npx tsx bench/link-summary.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bitsFront, codecsVsCodebook, energyFront, LINK_DIR, readLinkStudies } from '../studies/link-report.ts';

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
const uj = (x: number) => x.toPrecision(3);

for (const { name, result: r } of readLinkStudies()) {
  console.log(`## ${name}: ${r.scenario}, ${r.samples} held-out samples, ${r.users} users; WMMSE on perfect CSI ${f3(r.perfectWmmse.sumRate)} ± ${f3(r.perfectWmmse.ci95)}; UE ${r.ueHardware}, BS ${r.bsHardware}\n`);
  console.log('| feedback | bits/user | NMSE dB | precoder | sum rate ± CI | − perfect WMMSE (paired) | − RZF-EP same feedback (paired) | UE µJ (CF / engine) | BS µJ (CF / engine) |');
  console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const x of r.rows) {
    const bits = x.bitsPerUser !== null ? String(x.bitsPerUser) : x.analogValues !== null ? `6 + ${x.analogValues} reals` : '∞';
    const vsRzf = x.vsRzfEp ? `${signed(x.vsRzfEp.mean)} ± ${f3(x.vsRzfEp.ci95)} (${x.vsRzfEp.verdict})` : '—';
    console.log(`| ${x.feedback} | ${bits} | ${x.nmseDb === null ? '—' : x.nmseDb.toFixed(2)} | ${x.precoder} | ${f3(x.sumRate)} ± ${f3(x.ci95)} | ${signed(x.vsPerfectWmmse.mean)} ± ${f3(x.vsPerfectWmmse.ci95)} | ${vsRzf} | ${x.ue ? `${uj(x.ue.closedForm_uJ)} / ${uj(x.ue.engine_uJ)}` : '—'} | ${uj(x.bs.closedForm_uJ)} / ${uj(x.bs.engine_uJ)} |`);
  }
  const c = codecsVsCodebook(r);
  if (c.length > 0) {
    console.log('\nCodecs against the best DFT-codebook row with no more bits (same precoder, paired):\n');
    console.log('| codec | precoder | bits | rate | best DFT row | its bits | its rate | codec − DFT |');
    console.log('|---|---|---:|---:|---|---:|---:|---:|');
    for (const x of c) console.log(`| ${x.codec} | ${x.precoder} | ${x.bits} | ${f3(x.rate)} | ${x.dft} | ${x.dftBits} | ${f3(x.dftRate)} | ${signed(x.codecMinusDft.mean)} ± ${f3(x.codecMinusDft.ci95)} (${x.codecMinusDft.verdict}) |`);
  }
  for (const p of [...new Set(r.rows.map((x) => x.precoder))]) {
    const front = bitsFront(r.rows.filter((x) => x.precoder === p));
    if (front.length > 0) console.log(`\nFront over (bits ↓, rate ↑), ${p}: ${front.map((x) => `${x.feedback} (${x.bitsPerUser} bits, ${f3(x.sumRate)})`).join(' → ')}`);
  }
  const ef = energyFront(r.rows);
  if (ef.length > 0) console.log(`\nFront over (bits ↓, UE µJ ↓, BS µJ ↓, rate ↑): ${ef.map((x) => `${x.feedback} + ${x.precoder} (${uj(x.ue!.closedForm_uJ)} / ${uj(x.bs.closedForm_uJ)} µJ, ${f3(x.sumRate)})`).join('; ')}`);
  console.log('');
  const header = ['feedback', 'scheme', 'bits_per_user', 'analog_values', 'nmse_db', 'precoder', 'sum_rate', 'ci95', 'vs_perfect_wmmse', 'vs_perfect_wmmse_ci95', 'vs_rzf_ep', 'vs_rzf_ep_ci95', 'ue_closed_form_uJ', 'ue_engine_uJ', 'ue_latency_us', 'bs_closed_form_uJ', 'bs_engine_uJ', 'bs_latency_us'];
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' && /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  const lines = r.rows.map((x) => [x.feedback, x.scheme.kind, x.bitsPerUser, x.analogValues, x.nmseDb, x.precoder, x.sumRate, x.ci95, x.vsPerfectWmmse.mean, x.vsPerfectWmmse.ci95, x.vsRzfEp?.mean, x.vsRzfEp?.ci95, x.ue?.closedForm_uJ, x.ue?.engine_uJ, x.ue?.latency_us, x.bs.closedForm_uJ, x.bs.engine_uJ, x.bs.latency_us].map(cell).join(','));
  writeFileSync(join(LINK_DIR, `${name}.csv`), [header.join(','), ...lines].join('\n') + '\n');
}
