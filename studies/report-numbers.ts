/**
 * The numbers of the co-design report: DNN Pareto fronts per architecture and overall, the
 * WMMSE curve traced by its stopping tolerance and the ZF point (both accountings), the gain at
 * equal rate, the NAS arrows of seed 000's Fig. 2, per-layer energy splits, energy and cycles vs
 * p from the engine, and the engine next to the closed form per layer. Pure: no files.
 */
import { estimate } from '../core/stats.ts';
import type { BaselineSummary } from '../baselines/run.ts';
import { summaryEnergy } from './classical-energy.ts';
import { buildPrecoder, PRECODER_LAYERS } from '../nets/precoder.ts';
import { layerIndexOf } from '../nets/layers.ts';
import { microjoules } from '../sim/report.ts';
import type { PrecoderHead } from '../nets/heads.ts';
import { priceGraph } from '../sim/energy.ts';
import { ENGINE_DEFAULTS, arrayForP } from '../sim/engine/config.ts';
import { compareResult } from '../sim/engine/compare.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { paretoFront } from '../search/pareto.ts';
import type { StoredPoint } from '../search/store.ts';

export interface BaselinePoint {
  readonly label: string;
  readonly sumRate: number;
  /** 95% confidence half-width of the mean over the test samples (null where the per-sample rates were not kept). */
  readonly ci95: number | null;
  /** Per solve; the paper has no count for MRT (null). */
  readonly energy_uJ: { readonly paper: number | null; readonly measured: number };
  readonly iterations: number;
  /** Solves in which a start hit the iteration cap. */
  readonly capped: number;
  readonly samples: number;
}

/** A classical result priced under a preset (both counts). */
export function classicalPoint(s: BaselineSummary, preset: HardwarePreset): BaselinePoint {
  return { label: s.label, sumRate: s.meanSumRate, ci95: s.perSample ? estimate(s.perSample).halfWidth : null, energy_uJ: summaryEnergy(s, preset), iterations: s.iterations.mean, capped: s.capped, samples: s.samples };
}

const efficiency = (p: StoredPoint) => p.sumRate / p.energy_uJ;

/** A point's architecture as the figures name it: head and C_out/D_FCL. */
export const archLabel = (p: Pick<StoredPoint, 'head' | 'cout' | 'dfcl'>) => `${p.head} ${p.cout}/${p.dfcl}`;

export function frontsByArchitecture(points: readonly StoredPoint[]) {
  const archs = [...new Set(points.map(archLabel))];
  return archs.map((arch) => ({
    arch,
    front: paretoFront(points.filter((p) => archLabel(p) === arch).map((p) => ({ item: p, x: efficiency(p), y: p.sumRate }))).map((f) => f.item),
  }));
}

/** DNN efficiency ÷ WMMSE efficiency at the same rate: the best DNN reaching each WMMSE point's rate. */
export function gainAtEqualRate(front: readonly StoredPoint[], wmmse: readonly BaselinePoint[], accounting: 'paper' | 'measured') {
  return wmmse.map((w) => {
    const reaching = front.filter((p) => p.sumRate >= w.sumRate);
    const best = reaching.length > 0 ? Math.max(...reaching.map(efficiency)) : null;
    const energy = w.energy_uJ[accounting];
    return { label: w.label, sumRate: w.sumRate, gain: best === null || energy === null ? null : best / (w.sumRate / energy) };
  });
}

/**
 * Seed 000 Fig. 2's arrows: at equal efficiency, the rate gain of the best architecture's front
 * over the worst's (horizontal); at equal rate, the efficiency gain (vertical). Each is the
 * largest over the levels where both fronts reach.
 */
export function nasArrows(fronts: readonly { arch: string; front: readonly StoredPoint[] }[]) {
  const rateAt = (front: readonly StoredPoint[], eff: number) => Math.max(-Infinity, ...front.filter((p) => efficiency(p) >= eff).map((p) => p.sumRate));
  const effAt = (front: readonly StoredPoint[], rate: number) => Math.max(-Infinity, ...front.filter((p) => p.sumRate >= rate).map(efficiency));
  let horizontal = { gain: 0, level: 0, best: '', worst: '' };
  let vertical = { gain: 1, level: 0, best: '', worst: '' };
  const all = fronts.flatMap((f) => f.front);
  for (const p of all) {
    const rates = fronts.map((f) => ({ arch: f.arch, v: rateAt(f.front, efficiency(p)) })).filter((r) => Number.isFinite(r.v));
    if (rates.length >= 2) {
      const hi = rates.reduce((a, b) => (b.v > a.v ? b : a));
      const lo = rates.reduce((a, b) => (b.v < a.v ? b : a));
      if (hi.v / lo.v - 1 > horizontal.gain) horizontal = { gain: hi.v / lo.v - 1, level: efficiency(p), best: hi.arch, worst: lo.arch };
    }
    const effs = fronts.map((f) => ({ arch: f.arch, v: effAt(f.front, p.sumRate) })).filter((r) => Number.isFinite(r.v));
    if (effs.length >= 2) {
      const hi = effs.reduce((a, b) => (b.v > a.v ? b : a));
      const lo = effs.reduce((a, b) => (b.v < a.v ? b : a));
      if (hi.v / lo.v > vertical.gain) vertical = { gain: hi.v / lo.v, level: p.sumRate, best: hi.arch, worst: lo.arch };
    }
  }
  return { horizontal, vertical };
}

/** The precoder a report's per-layer, p-sweep and engine-vs-closed figures show: an architecture at a scenario's size. */
export interface PrecoderShape {
  readonly cout: number;
  readonly dfcl: number;
  readonly nt: number;
  readonly nu: number;
}

/** The paper's largest precoder at its size: what the figures show when the table holds it. */
export const PAPER_SHAPE: PrecoderShape = { cout: 64, dfcl: 1024, nt: 64, nu: 4 };

/** Energy per layer of a precoder at bits: CONV, FCL1, FCL2, and FCL3 with the head's ops (and power normalisation). */
export function layerSplit(preset: HardwarePreset, bits: readonly number[], head: PrecoderHead = 'direct', shape: PrecoderShape = PAPER_SHAPE) {
  const graph = buildPrecoder({ ...shape, bits: bits as [number, number, number, number], head });
  const report = priceGraph(graph, preset);
  const layerOf = layerIndexOf(graph);
  return PRECODER_LAYERS.map((layer, i) => {
    // The head's data-precision ops (layer −1) are drawn with FCL3.
    const ops = report.ops.filter((_, j) => layerOf[j] === i || (i === 3 && layerOf[j] < 0));
    const sum = (k: 'compute' | 'weight' | 'activation') => microjoules(ops.reduce((s, op) => s + op.energy[k], 0));
    return { layer: i === 3 ? 'fc3 + head' : layer, config: `${head} [${bits.join(',')}]`, compute: sum('compute'), weight: sum('weight'), activation: sum('activation') };
  });
}

export function pSweep(preset: HardwarePreset, ps: readonly number[], shape: PrecoderShape = PAPER_SHAPE) {
  const graph = buildPrecoder({ ...shape, bits: [16, 16, 16, 16] });
  return ps.map((p) => {
    const r = simulateGraph(graph, { ...ENGINE_DEFAULTS, ...arrayForP(p), dataflow: 'ws' }, preset, { p });
    return { p, cycles: r.cycles, energy_uJ: microjoules(r.energy.total), closedForm_uJ: microjoules(priceGraph(graph, preset, { p }).energy.total) };
  });
}

export function engineVsClosed(preset: HardwarePreset, shape: PrecoderShape = PAPER_SHAPE) {
  const graph = buildPrecoder({ ...shape, bits: [16, 16, 16, 16] });
  const result = simulateGraph(graph, { ...ENGINE_DEFAULTS, rows: 8, cols: 8, dataflow: 'ws' }, preset, { p: 64 });
  const cmp = compareResult(result, preset, 64);
  return result.ops
    .map((op, i) => ({ layer: op.name, engine: microjoules(op.energy.total), closedForm: microjoules(cmp[i].closedForm.total), reasons: cmp[i].reasons }))
    .filter((r) => r.engine > 1e-3 || r.closedForm > 1e-3);
}
