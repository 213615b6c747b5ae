/**
 * The shipped feedback-link study (data/link/, written by bench/link-study.sh) as the report reads
 * it: rows grouped into scheme families, Pareto fronts over feedback bits and over the two sides'
 * energies, the learned schemes compared with the DFT codebook at no more bits (paired on the same
 * samples), and the figures. Pure: reading the files is the only effect.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pairedDifference, verdictOf } from '../core/stats.ts';
import { paretoFrontMin } from '../search/pareto.ts';
import type { LinkResult, LinkRow } from './link.ts';

export const LINK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'link');

/** Every study under `dir` (each file one `codesign link --json` result), by file name. */
export function readLinkStudies(dir = LINK_DIR): { readonly name: string; readonly result: LinkResult }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), result: JSON.parse(readFileSync(join(dir, f), 'utf8')) as LinkResult }));
}

/** The shipped studies by kind: the main one (no codeword noise) and seed 003's noise sweep (codec rows at codeword SNRs). */
export function linkStudiesByKind(studies: ReturnType<typeof readLinkStudies>) {
  const noisy = (s: (typeof studies)[number]) => s.result.rows.some((r) => r.scheme.kind === 'codec' && r.scheme.snrDb !== null);
  return { main: studies.find((s) => !noisy(s)), noise: studies.find(noisy) };
}

/** A row's family in words: the legend of every link figure. */
export function family(row: LinkRow): string {
  const s = row.scheme;
  if (s.kind !== 'codec') return { perfect: 'perfect CSI', dft: 'DFT codebook (Type-II-style)', scalar: 'scalar quantization' }[s.kind];
  const net = s.graph.replace(/\(.*$/, '');
  const how = s.quantizer === 'trained' ? 'trained to its bits' : s.quantizer === 'ptq' ? 'quantized after training' : 'analog codeword';
  return `${net} (${how})`;
}

/** Front over (feedback bits per user ↓, sum rate ↑) for one precoder. */
export const bitsFront = (rows: readonly LinkRow[]) => paretoFrontMin(rows.filter((r) => r.bitsPerUser !== null), (r) => [r.bitsPerUser!, -r.sumRate]);

/** Front over (feedback bits ↓, UE energy ↓, BS energy ↓, sum rate ↑), closed form, rows that send bits: what a budget of bits and joules buys. */
export const energyFront = (rows: readonly LinkRow[]) => paretoFrontMin(rows.filter((r) => r.ue !== null && r.bitsPerUser !== null), (r) => [r.bitsPerUser!, r.ue!.closedForm_uJ, r.bs.closedForm_uJ, -r.sumRate]);

/** Each learned codec row against the best DFT-codebook row using no more bits, with the same precoder; paired. */
export function codecsVsCodebook(result: LinkResult) {
  const rows = result.rows;
  return rows
    .filter((r) => r.scheme.kind === 'codec' && r.bitsPerUser !== null && (r.scheme.snrDb ?? null) === null)
    .flatMap((codec) => {
      const dft = rows.filter((r) => r.scheme.kind === 'dft' && r.precoder === codec.precoder && r.bitsPerUser! <= codec.bitsPerUser!);
      if (dft.length === 0) return [];
      const best = dft.reduce((a, b) => (b.sumRate > a.sumRate ? b : a));
      const d = pairedDifference(Float64Array.from(codec.perSample), Float64Array.from(best.perSample));
      return [{ codec: codec.feedback, precoder: codec.precoder, bits: codec.bitsPerUser!, rate: codec.sumRate, dft: best.feedback, dftBits: best.bitsPerUser!, dftRate: best.sumRate, codecMinusDft: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) } }];
    });
}

/**
 * Each trained precoder's row against the best classical precoder on the same feedback (the
 * highest mean rate among RZF-EP, ZF, WMMSE there), paired, with both BS energies: a learned
 * precoder is worth it only where it beats that, not merely RZF-EP.
 */
export function netsVsClassical(result: LinkResult) {
  return result.rows
    .filter((x) => x.precoder.startsWith('net:'))
    .flatMap((net) => {
      const classical = result.rows.filter((x) => x.feedback === net.feedback && !x.precoder.startsWith('net:'));
      if (classical.length === 0) return [];
      const best = classical.reduce((a, b) => (b.sumRate > a.sumRate ? b : a));
      const d = pairedDifference(Float64Array.from(net.perSample), Float64Array.from(best.perSample));
      return [{ precoder: net.precoder, feedback: net.feedback, sumRate: net.sumRate, bs_uJ: net.bs.closedForm_uJ, classical: best.precoder, classicalRate: best.sumRate, classicalBs_uJ: best.bs.closedForm_uJ, vsClassical: { mean: d.mean, ci95: d.halfWidth, verdict: verdictOf(d) } }];
    });
}

/** What the report says of the shipped study (null: none shipped). */
export function linkSummary(studies: ReturnType<typeof readLinkStudies>) {
  const { main } = linkStudiesByKind(studies);
  if (!main) return null;
  const r = main.result;
  const comparisons = codecsVsCodebook(r);
  const nets = netsVsClassical(r);
  const bestNet = nets.length === 0 ? null : nets.reduce((a, b) => (b.vsClassical.mean > a.vsClassical.mean ? b : a));
  return {
    source: `data/link/${main.name}.json (codesign link on ${r.scenario}: ${r.samples} held-out test samples, ${r.users} users; UE on ${r.ueHardware}, BS on ${r.bsHardware}, closed form)`,
    perfectWmmse: r.perfectWmmse,
    rateFront: bitsFront(r.rows.filter((x) => x.precoder === 'rzf-ep')).map((x) => ({ feedback: x.feedback, bits: x.bitsPerUser!, sumRate: x.sumRate })),
    codecBeatsCodebook: comparisons.filter((c) => c.codecMinusDft.verdict === 'higher').map((c) => `${c.codec} + ${c.precoder}`),
    bestCodecVsCodebook: comparisons.length === 0 ? null : comparisons.reduce((a, b) => (b.codecMinusDft.mean > a.codecMinusDft.mean ? b : a)),
    learnedPrecoder: bestNet,
  };
}

const LEGEND = { orient: 'bottom', columns: 3, labelLimit: 320 } as const;

/** Sum rate (± 95% CI) vs feedback bits per user, one panel per precoder; the rule is WMMSE on perfect CSI. */
export function linkRateSpec(r: LinkResult): Record<string, unknown> {
  const values = r.rows.filter((x) => x.bitsPerUser !== null).map((x) => ({ family: family(x), feedback: x.feedback, precoder: x.precoder, bits: x.bitsPerUser, rate: x.sumRate, lo: x.sumRate - x.ci95, hi: x.sumRate + x.ci95, nmse: x.nmseDb, ue: x.ue?.closedForm_uJ ?? null, bs: x.bs.closedForm_uJ }));
  const x = { field: 'bits', type: 'quantitative', title: 'feedback bits per user', scale: { type: 'log', base: 2 } };
  const tooltip = [{ field: 'feedback' }, { field: 'precoder' }, { field: 'bits' }, { field: 'rate', title: 'sum rate', format: '.3f' }, { field: 'nmse', title: 'NMSE dB', format: '.2f' }, { field: 'ue', title: 'UE µJ', format: '.3g' }, { field: 'bs', title: 'BS µJ', format: '.3g' }];
  return {
    data: { values },
    facet: { column: { field: 'precoder', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 280,
      layer: [
        { mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'sum rate on the true channels (bit/s/Hz)', scale: { zero: false } }, y2: { field: 'hi' }, color: { field: 'family', type: 'nominal', scale: { scheme: 'dark2' }, legend: LEGEND } } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y: { field: 'rate', type: 'quantitative' }, color: { field: 'family', type: 'nominal' }, tooltip } },
        { data: { values: [{ wmmse: r.perfectWmmse.sumRate }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#444' }, encoding: { y: { field: 'wmmse', type: 'quantitative' } } },
      ],
    },
  };
}

/** UE energy per report vs BS energy per precoding (closed form), the Pareto front over (bits, UE, BS, rate) drawn larger. */
export function linkEnergySpec(r: LinkResult): Record<string, unknown> {
  const front = new Set(energyFront(r.rows));
  const values = r.rows.filter((x) => x.ue !== null && x.bitsPerUser !== null).map((x) => ({ family: family(x), feedback: x.feedback, precoder: x.precoder, bits: x.bitsPerUser, rate: x.sumRate, ue: x.ue!.closedForm_uJ, bs: x.bs.closedForm_uJ, ueEngine: x.ue!.engine_uJ, bsEngine: x.bs.engine_uJ, front: front.has(x) ? 'on the front' : 'dominated' }));
  return {
    data: { values },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'ue', type: 'quantitative', title: 'UE energy per report (µJ, closed form)', scale: { type: 'log' } },
      y: { field: 'bs', type: 'quantitative', title: 'BS energy per precoding (µJ, closed form)', scale: { type: 'log' } },
      color: { field: 'family', type: 'nominal', scale: { scheme: 'dark2' }, legend: LEGEND },
      shape: { field: 'precoder', type: 'nominal', legend: LEGEND },
      size: { field: 'front', type: 'ordinal', sort: ['on the front', 'dominated'], scale: { domain: ['on the front', 'dominated'], range: [160, 40] }, title: 'Pareto (bits, UE, BS, rate)' },
      tooltip: [{ field: 'feedback' }, { field: 'precoder' }, { field: 'bits' }, { field: 'rate', title: 'sum rate', format: '.3f' }, { field: 'ue', title: 'UE µJ (closed form)', format: '.3g' }, { field: 'ueEngine', title: 'UE µJ (engine)', format: '.3g' }, { field: 'bs', title: 'BS µJ (closed form)', format: '.3g' }, { field: 'bsEngine', title: 'BS µJ (engine)', format: '.3g' }, { field: 'front' }],
    },
  };
}

/** Seed 003's check: NMSE and the sum rate it buys vs codeword SNR, per codec and training. */
export function linkNoiseSpec(r: LinkResult): Record<string, unknown> {
  const values = r.rows
    .filter((x) => x.scheme.kind === 'codec' && x.scheme.snrDb !== null)
    .flatMap((x) => {
      const s = x.scheme as Extract<LinkRow['scheme'], { kind: 'codec' }>;
      const codec = `${s.graph.replace(/\(.*$/, '')} (${s.checkpoint})`;
      return [
        { codec, snr: s.snrDb, measure: 'NMSE (dB)', value: x.nmseDb },
        { codec, snr: s.snrDb, measure: `sum rate, ${x.precoder} (bit/s/Hz)`, value: x.sumRate },
      ];
    });
  return {
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null } },
    spec: {
      width: 320,
      height: 260,
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'snr', type: 'quantitative', title: 'codeword SNR (dB)' }, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } }, color: { field: 'codec', type: 'nominal', scale: { scheme: 'dark2' }, legend: LEGEND }, tooltip: [{ field: 'codec' }, { field: 'snr' }, { field: 'measure' }, { field: 'value', format: '.3f' }] },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
