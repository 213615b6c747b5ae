/**
 * The verdict the report leads with: is a trained DNN worth it against the classical answer?
 *
 * - The classical frontier: for each rate, the cheapest classical answer that reaches it, over
 *   MRT, ZF, RZF, equal-power RZF and WMMSE at every start and tolerance, under one count (ours,
 *   measured; or the paper's). A DNN is compared with that frontier, never with one WMMSE run.
 * - Noise: a DNN's rate counts above equal-power RZF's only where their paired difference on the
 *   same test samples says so; within noise it is taken as equal-power RZF's rate.
 * - Per hardware table: the cheapest answer reaching RATE_SHARE of the best classical rate,
 *   priced by the closed form and the engine (with latency) on that table's machine.
 */
import type { BaselineSummary } from '../baselines/run.ts';
import { baselineGraphs } from '../baselines/run.ts';
import type { Graph } from '../nets/graph.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { priceGraph } from '../sim/energy.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import { describeMachine, machineOf } from '../sim/machine.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { microjoules } from '../sim/report.ts';
import { pointKey, type TableRate } from '../search/rates-table.ts';
import { energyOfBits } from '../search/objective.ts';
import type { StoredPoint } from '../search/store.ts';
import type { BaselinePoint } from './report-numbers.ts';

export type Count = 'measured' | 'paper';

/** The share of the best classical rate an answer must reach. */
export const RATE_SHARE = 0.98;

const energyUnder = (c: BaselinePoint, count: Count) => c.energy_uJ[count];

/** The classical frontier under a count: ascending energy, each point reaching a higher rate than every cheaper one. */
export function classicalFrontier(classical: readonly BaselinePoint[], count: Count): BaselinePoint[] {
  const priced = classical.filter((c) => energyUnder(c, count) !== null).sort((a, b) => energyUnder(a, count)! - energyUnder(b, count)! || b.sumRate - a.sumRate);
  const out: BaselinePoint[] = [];
  for (const c of priced) if (out.length === 0 || c.sumRate > out[out.length - 1].sumRate) out.push(c);
  return out;
}

/** The cheapest classical answer whose rate reaches `rate` under a count (undefined: none does). */
export function cheapestClassical(classical: readonly BaselinePoint[], rate: number, count: Count): BaselinePoint | undefined {
  return classicalFrontier(classical, count).find((c) => c.sumRate >= rate);
}

/**
 * The rate a DNN point may claim: its mean, except that a point whose paired difference to
 * equal-power RZF is not above zero beyond its interval claims no more than equal-power RZF.
 */
export function claimedRate(p: Pick<StoredPoint, 'sumRate'>, rate: TableRate | undefined, rzfEp: BaselinePoint): number {
  const d = rate?.vsRzfEp;
  if (d && !(d.mean - d.ci95 > 0)) return Math.min(p.sumRate, rzfEp.sumRate);
  return p.sumRate;
}

export interface FrontierComparison {
  readonly point: StoredPoint;
  readonly claimedRate: number;
  /** The cheapest classical answer reaching the claimed rate (null: none reaches it). */
  readonly classical: BaselinePoint | null;
  /** Classical energy ÷ DNN energy (> 1: the DNN is cheaper at equal or higher rate); null when no classical answer reaches it. */
  readonly gain: number | null;
}

export function againstFrontier(points: readonly StoredPoint[], rates: ReadonlyMap<string, TableRate>, classical: readonly BaselinePoint[], rzfEp: BaselinePoint, count: Count): FrontierComparison[] {
  return points.map((point) => {
    const claimed = claimedRate(point, rates.get(pointKey(point)), rzfEp);
    const c = cheapestClassical(classical, claimed, count);
    return { point, claimedRate: claimed, classical: c ?? null, gain: c ? energyUnder(c, count)! / point.energy_uJ : null };
  });
}

/** The largest gain over the frontier, or null when no DNN point beats it anywhere (gain ≤ 1 everywhere). */
export function bestGain(comparisons: readonly FrontierComparison[]): FrontierComparison | null {
  const beating = comparisons.filter((c) => c.gain !== null && c.gain > 1);
  return beating.length === 0 ? null : beating.reduce((a, b) => (b.gain! > a.gain! ? b : a));
}

/** One answer of the verdict, priced both ways on a hardware table's machine. */
export interface Answer {
  readonly kind: 'dnn' | 'classical';
  readonly label: string;
  readonly sumRate: number;
  readonly ci95: number | null;
  /** A DNN's paired differences to equal-power RZF and to WMMSE (best start, ε = 10⁻⁵) on the same samples, where its table has them. */
  readonly paired?: { readonly vsRzfEp: { readonly mean: number; readonly ci95: number } | null; readonly vsWmmse: { readonly mean: number; readonly ci95: number } | null };
  readonly closedForm_uJ: number;
  readonly engine_uJ: number;
  readonly cycles: number;
  readonly latency_us: number;
}

export interface TableVerdict {
  readonly table: string;
  readonly machine: string;
  readonly target: number;
  /** The cheapest of the two below by closed-form energy (classical under our measured count). */
  readonly answer: Answer;
  readonly cheapestClassical: Answer;
  readonly cheapestDnn: Answer | null;
}

export const dnnLabel = (p: Pick<StoredPoint, 'head' | 'cout' | 'dfcl' | 'bits'>) => `${p.head} head ${p.cout}/${p.dfcl} [${p.bits.join(',')}]`;

/** A graph on a table's machine: closed-form energy, the engine's energy, cycles and latency (µs at its clock). */
export function priced(graph: Graph, preset: HardwarePreset): Pick<Answer, 'closedForm_uJ' | 'engine_uJ' | 'cycles' | 'latency_us'> {
  const machine = machineOf(preset);
  const engine = simulateGraph(graph, machine, preset);
  return { closedForm_uJ: microjoules(priceGraph(graph, preset).energy.total), engine_uJ: microjoules(engine.energy.total), cycles: engine.cycles, latency_us: engine.cycles / machine.clockMHz };
}

export interface VerdictInputs {
  readonly points: readonly StoredPoint[];
  readonly rates: ReadonlyMap<string, TableRate>;
  readonly classical: readonly { readonly summary: BaselineSummary; readonly point: BaselinePoint }[];
  readonly nt: number;
  readonly nu: number;
  readonly noiseVar: number;
}

/** For each table: the cheapest answer reaching RATE_SHARE of the best classical rate. */
export function verdictPerTable(v: VerdictInputs, tables: readonly HardwarePreset[]): TableVerdict[] {
  const best = Math.max(...v.classical.map((c) => c.point.sumRate));
  const target = RATE_SHARE * best;
  const rzfEp = v.classical.find((c) => c.summary.algorithm === 'rzf-ep')!.point;
  const reaching = v.points.filter((p) => claimedRate(p, v.rates.get(pointKey(p)), rzfEp) >= target);
  const graphOf = (p: StoredPoint) => buildPrecoder({ cout: p.cout, dfcl: p.dfcl, nt: v.nt, nu: v.nu, bits: p.bits as [number, number, number, number], head: p.head, noiseVar: v.noiseVar });
  return tables.map((table) => {
    const classical = v.classical
      .filter((c) => c.point.sumRate >= target)
      .map((c) => ({ c, graph: baselineGraphs(c.summary).measured }))
      .map(({ c, graph }) => ({ c, graph, energy: microjoules(priceGraph(graph, table).energy.total) }))
      .reduce((a, b) => (b.energy < a.energy ? b : a));
    const cheapestClassical: Answer = { kind: 'classical', label: `${classical.c.point.label} (measured count)`, sumRate: classical.c.point.sumRate, ci95: classical.c.point.ci95, ...priced(classical.graph, table) };
    // Closed-form energy per bit assignment from each architecture's compiled counts (thousands of points, one build each).
    const energyOf = new Map<string, (bits: readonly number[]) => number>();
    const energy = (p: StoredPoint) => {
      const key = `${p.head}|${p.cout}x${p.dfcl}`;
      if (!energyOf.has(key)) energyOf.set(key, energyOfBits(p.cout, p.dfcl, table, p.head, { nt: v.nt, nu: v.nu }));
      return energyOf.get(key)!(p.bits);
    };
    const dnn = reaching.length === 0 ? undefined : reaching.map((p) => ({ p, energy: energy(p) })).reduce((a, b) => (b.energy < a.energy ? b : a));
    const rate = dnn ? v.rates.get(pointKey(dnn.p)) : undefined;
    const cheapestDnn: Answer | null = dnn ? { kind: 'dnn', label: dnnLabel(dnn.p), sumRate: dnn.p.sumRate, ci95: rate?.ci95 ?? null, paired: { vsRzfEp: rate?.vsRzfEp ?? null, vsWmmse: rate?.vsWmmse ?? null }, ...priced(graphOf(dnn.p), table) } : null;
    const answer = cheapestDnn && cheapestDnn.closedForm_uJ < cheapestClassical.closedForm_uJ ? cheapestDnn : cheapestClassical;
    return { table: table.name, machine: describeMachine(table), target, answer, cheapestClassical, cheapestDnn };
  });
}
