/**
 * The shipped rates table (`data/rates/<scenario>.csv`): test sum rates of trained precoders,
 * one row per (head, architecture, bit configuration, seed), with the training budget and the
 * command and commit that produced it. `npm start`, `report` and `search --quality table` read
 * it, so a fresh clone reports trained rates in seconds; `codesign rates` writes it from trained
 * supernets. Parsing checks every row and names the line and field of each problem.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileError, type FileIssue } from '../core/errors.ts';
import { PRECODER_HEAD_NAMES, type PrecoderHead } from '../nets/heads.ts';

/** Test samples every rate of a shipped table (and its classical results) is measured on. */
export const TABLE_SAMPLES = 1000;

/**
 * The heads a site's rates table is meant to hold (bench/train-supernets.sh trains both at the
 * eight seed-000 architectures); the unfolded head is mapped by `codesign regimes` instead.
 */
export const TABLE_HEADS: readonly PrecoderHead[] = ['direct', 'structured'];

/** The heads a table's search and report cover: the table heads and any other head it holds rows of. */
export const headsOfTable = (rates: ReadonlyMap<string, unknown>): PrecoderHead[] => PRECODER_HEAD_NAMES.filter((h) => TABLE_HEADS.includes(h) || [...rates.keys()].some((k) => k.startsWith(`${h}|`)));

export interface RatesRow {
  readonly scenario: string;
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  /** Weight bits of [CONV, FCL1, FCL2, FCL3]. */
  readonly bits: readonly number[];
  readonly seed: number;
  /** Mean sum rate (bit/s/Hz) on the first `testSamples` samples of the scenario's test split. */
  readonly sumRate: number;
  readonly testSamples: number;
  /** How the network was trained: e.g. "supernet {2,4,8,16}, 3 epochs × 80 steps, batch 100, lr 0.001". */
  readonly training: string;
  readonly epochs: number;
  readonly trainSeconds: number;
  readonly command: string;
  readonly commit: string;
  /**
   * The uncertainty columns (null in tables written before they were kept): the 95% confidence
   * half-width of `sumRate` over the test samples, and the paired differences DNN − equal-power
   * RZF and DNN − WMMSE (best start, ε = 10⁻⁵) on the same samples, each ± its 95% half-width.
   * Equal-power RZF is also the structured head's structure alone (FCL3's output at zero).
   */
  readonly ci95: number | null;
  readonly vsRzfEp: PairedColumn | null;
  readonly vsWmmse: PairedColumn | null;
}

export interface PairedColumn {
  readonly mean: number;
  readonly ci95: number;
}

export const RATES_COLUMNS = ['scenario', 'head', 'cout', 'dfcl', 'bits', 'seed', 'sum_rate', 'test_samples', 'training', 'epochs', 'train_s', 'command', 'commit', 'ci95', 'vs_rzf_ep', 'vs_rzf_ep_ci95', 'vs_wmmse', 'vs_wmmse_ci95'] as const;
/** The columns of tables written before the uncertainty columns: still read, their uncertainty unknown. */
const LEGACY_COLUMNS = RATES_COLUMNS.slice(0, 13);

/** The repository's data/rates directory (resolved from this file, so any working directory works). */
export const RATES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'rates');

export const ratesFile = (scenario: string) => join(RATES_DIR, `${scenario}.csv`);

export function shippedRateTables(): string[] {
  return existsSync(RATES_DIR) ? readdirSync(RATES_DIR).filter((f) => f.endsWith('.csv')).map((f) => f.slice(0, -4)).sort() : [];
}

export class RatesTableError extends FileError {
  override readonly name = 'RatesTableError';
  constructor(source: string, issues: readonly FileIssue[]) {
    super('rates table', source, issues);
  }
}

/** One CSV field: quoted when it holds a comma, a quote or a newline. */
function field(value: string | number): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function formatRatesTable(rows: readonly RatesRow[]): string {
  const lines = rows.map((r) =>
    [
      ...[r.scenario, r.head, r.cout, r.dfcl, r.bits.join('/'), r.seed, r.sumRate.toFixed(6), r.testSamples, r.training, r.epochs, r.trainSeconds.toFixed(0), r.command, r.commit],
      r.ci95 === null ? '' : r.ci95.toFixed(6),
      ...[r.vsRzfEp, r.vsWmmse].flatMap((p) => (p === null ? ['', ''] : [p.mean.toFixed(6), p.ci95.toFixed(6)])),
    ].map(field).join(','),
  );
  return [RATES_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

export function parseRatesTable(text: string, source: string): RatesRow[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const issues: FileIssue[] = [];
  const header = lines[0] === undefined ? [] : splitLine(lines[0]);
  const legacy = header.join(',') === LEGACY_COLUMNS.join(',');
  if (!legacy && header.join(',') !== RATES_COLUMNS.join(',')) {
    throw new RatesTableError(source, [{ path: 'line 1', value: lines[0] ?? '(empty file)', allowed: `the header ${RATES_COLUMNS.join(',')}` }]);
  }
  const columns = legacy ? LEGACY_COLUMNS.length : RATES_COLUMNS.length;
  const rows: RatesRow[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((line, i) => {
    const at = (name: string) => `line ${i + 2}, ${name}`;
    const f = splitLine(line);
    if (f.length !== columns) {
      issues.push({ path: `line ${i + 2}`, value: line, allowed: `${columns} comma-separated fields` });
      return;
    }
    const [scenario, head, cout, dfcl, bits, seed, sumRate, testSamples, training, epochs, trainSeconds, command, commit, ci, rzfEp, rzfEpCi, wm, wmCi] = f;
    /** An optional finite number (empty: not measured). */
    const optional = (name: string, raw: string | undefined, min = -Infinity) => {
      if (raw === undefined || raw.trim() === '') return null;
      const v = Number(raw);
      if (!Number.isFinite(v) || v < min) issues.push({ path: at(name), value: raw, allowed: `empty or a finite number${min > -Infinity ? ` ≥ ${min}` : ''}` });
      return v;
    };
    const paired = (name: string, meanRaw: string | undefined, ciRaw: string | undefined): PairedColumn | null => {
      const mean = optional(name, meanRaw);
      const half = optional(`${name}_ci95`, ciRaw, 0);
      if ((mean === null) !== (half === null)) issues.push({ path: at(`${name}_ci95`), value: ciRaw, allowed: `a half-width exactly when ${name} is given` });
      return mean === null || half === null ? null : { mean, ci95: half };
    };
    const int = (name: string, raw: string) => {
      const v = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(v) || v < (name === 'seed' ? 0 : 1)) issues.push({ path: at(name), value: raw, allowed: name === 'seed' ? 'an integer ≥ 0' : 'a positive integer' });
      return v;
    };
    if (!(PRECODER_HEAD_NAMES as readonly string[]).includes(head)) issues.push({ path: at('head'), value: head, allowed: PRECODER_HEAD_NAMES.join(', ') });
    const bitList = bits.split('/').map(Number);
    if (bitList.length !== 4 || bitList.some((b) => !Number.isInteger(b) || b < 1 || b > 32)) issues.push({ path: at('bits'), value: bits, allowed: 'four integers from 1 to 32 separated by /, e.g. 16/8/4/2' });
    const rate = Number(sumRate);
    if (sumRate.trim() === '' || !Number.isFinite(rate) || rate < 0) issues.push({ path: at('sum_rate'), value: sumRate, allowed: 'a finite number ≥ 0' });
    const seconds = Number(trainSeconds);
    if (trainSeconds.trim() === '' || !Number.isFinite(seconds) || seconds < 0) issues.push({ path: at('train_s'), value: trainSeconds, allowed: 'a finite number ≥ 0' });
    const row: RatesRow = {
      scenario,
      head: head as PrecoderHead,
      cout: int('cout', cout),
      dfcl: int('dfcl', dfcl),
      bits: bitList,
      seed: int('seed', seed),
      sumRate: rate,
      testSamples: int('test_samples', testSamples),
      training,
      epochs: int('epochs', epochs),
      trainSeconds: seconds,
      command,
      commit,
      ci95: optional('ci95', ci, 0),
      vsRzfEp: paired('vs_rzf_ep', rzfEp, rzfEpCi),
      vsWmmse: paired('vs_wmmse', wm, wmCi),
    };
    const key = `${row.scenario}|${row.head}|${row.cout}x${row.dfcl}|${bits}|${row.seed}`;
    if (seen.has(key)) issues.push({ path: `line ${i + 2}`, value: key, allowed: 'one row per scenario, head, architecture, bits and seed' });
    seen.add(key);
    rows.push(row);
  });
  if (issues.length > 0) throw new RatesTableError(source, issues);
  return rows;
}

export function loadRatesTable(file: string): RatesRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RatesTableError(file, [{ path: '(file)', value: file, allowed: `a readable rates table (${(error as Error).message})` }]);
  }
  return parseRatesTable(text, file);
}

/** A design point of the precoder search. */
export interface PrecoderPoint {
  readonly head: PrecoderHead;
  readonly cout: number;
  readonly dfcl: number;
  readonly bits: readonly number[];
}

export const pointKey = (p: PrecoderPoint) => `${p.head}|${p.cout}x${p.dfcl}|${p.bits.join('/')}`;

/** A table's rate per point: the mean over its seeds, and how many seeds and samples stand behind it. */
export interface TableRate {
  readonly sumRate: number;
  readonly std: number;
  readonly seeds: number;
  readonly testSamples: number;
  /**
   * The 95% half-widths over test samples and the paired differences, as the mean over seeds of
   * each seed's (the seeds run on the same samples; averaging half-widths bounds the mean's from
   * above); null when a seed's row lacks them.
   */
  readonly ci95: number | null;
  readonly vsRzfEp: PairedColumn | null;
  readonly vsWmmse: PairedColumn | null;
}

function meanOver<T>(group: readonly T[], pick: (r: T) => number | null): number | null {
  const values = group.map(pick);
  return values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0) / values.length;
}

function pairedOver(group: readonly RatesRow[], pick: (r: RatesRow) => PairedColumn | null): PairedColumn | null {
  const mean = meanOver(group, (r) => pick(r)?.mean ?? null);
  const ci95 = meanOver(group, (r) => pick(r)?.ci95 ?? null);
  return mean === null || ci95 === null ? null : { mean, ci95 };
}

export function ratesByPoint(rows: readonly RatesRow[], scenario: string): Map<string, TableRate> {
  const groups = new Map<string, RatesRow[]>();
  for (const r of rows) {
    if (r.scenario !== scenario) continue;
    const key = pointKey(r);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out = new Map<string, TableRate>();
  for (const [key, group] of groups) {
    const mean = group.reduce((s, r) => s + r.sumRate, 0) / group.length;
    const std = Math.sqrt(group.reduce((s, r) => s + (r.sumRate - mean) ** 2, 0) / group.length);
    out.set(key, {
      sumRate: mean,
      std,
      seeds: group.length,
      testSamples: Math.min(...group.map((r) => r.testSamples)),
      ci95: meanOver(group, (r) => r.ci95),
      vsRzfEp: pairedOver(group, (r) => r.vsRzfEp),
      vsWmmse: pairedOver(group, (r) => r.vsWmmse),
    });
  }
  return out;
}
