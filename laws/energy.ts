/**
 * The invariants every energy model of this project must satisfy — the closed form, the engine's
 * ideal mode, and a user's own hardware file.
 */
import fc from 'fast-check';
import type { Graph } from '../nets/graph.ts';
import { opCounts } from '../nets/counts.ts';
import type { EnergyTerms } from '../sim/energy.ts';
import { accessEnergies, type HardwarePreset } from '../sim/presets.ts';
import { precisionArb } from './arbitraries.ts';
import { duplicateOp, isShapePreserving, withOpPrecision } from './graph-edits.ts';
import { describeGraph, describePreset, type Law, type PricedGraph } from './law.ts';

const REL = 1e-9;

export function closeTo(actual: number, expected: number, rel = REL): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(1, Math.abs(expected), Math.abs(actual));
}

function termsAreSound(e: EnergyTerms): boolean {
  const parts = [e.compute, e.weight, e.activation, e.total];
  return parts.every((v) => Number.isFinite(v) && v >= 0) && closeTo(e.total, e.compute + e.weight + e.activation);
}

function sumOfOps(priced: PricedGraph): EnergyTerms {
  const s = { compute: 0, weight: 0, activation: 0 };
  for (const op of priced.ops) {
    s.compute += op.energy.compute;
    s.weight += op.energy.weight;
    s.activation += op.energy.activation;
  }
  return { ...s, total: s.compute + s.weight + s.activation };
}

const pJ = (e: EnergyTerms) => `E_C ${e.compute.toPrecision(4)}, E_W ${e.weight.toPrecision(4)}, E_A ${e.activation.toPrecision(4)}, total ${e.total.toPrecision(4)} pJ`;
const at = (graph: Graph, preset: HardwarePreset, p: number | undefined) => `graph ${describeGraph(graph)}; preset ${describePreset(preset)}; p ${p ?? 'by the preset’s rule'}`;

/** The promise a preset makes for the monotonicity law: built-in presets say it; a file may. */
export const RISES_WITH_BITS = 'energy-rises-with-bits';

export const ENERGY_LAWS: readonly Law[] = [
  {
    name: 'terms-sound',
    group: 'energy',
    statement: 'every term is finite and ≥ 0, and total = E_C + E_W + E_A, per op and per graph',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, ctx.ps, (graph, preset, p) => {
      const priced = ctx.price(graph, preset, { p });
      return termsAreSound(priced.energy) && priced.ops.every((op) => termsAreSound(op.energy));
    }),
    explain: ([graph, preset, p], ctx) => {
      const priced = ctx.price(graph as Graph, preset as HardwarePreset, { p: p as number | undefined });
      const bad = priced.ops.find((op) => !termsAreSound(op.energy));
      return `${at(graph as Graph, preset as HardwarePreset, p as number | undefined)}: ${bad ? `op ${bad.name} has ${pJ(bad.energy)}` : `the graph has ${pJ(priced.energy)}`} (each term must be finite and ≥ 0, the total their sum)`;
    },
  },
  {
    name: 'sum-of-ops',
    group: 'energy',
    statement: 'the graph total is the sum over its ops',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, ctx.ps, (graph, preset, p) => {
      const priced = ctx.price(graph, preset, { p });
      const sum = sumOfOps(priced);
      return (['compute', 'weight', 'activation', 'total'] as const).every((k) => closeTo(priced.energy[k], sum[k]));
    }),
    explain: ([graph, preset, p]) => `${at(graph as Graph, preset as HardwarePreset, p as number | undefined)}: the graph's energy is not the sum of its ops'`,
  },
  {
    name: 'rises-with-bits',
    group: 'energy',
    statement: 'raising one op’s weight or activation bits never lowers that op’s energy (for presets that promise it)',
    skip: (preset) => ((preset.promises ?? []).includes(RISES_WITH_BITS) ? undefined : `${preset.name} does not promise "${RISES_WITH_BITS}" (its promises: ${(preset.promises ?? []).join(', ') || 'none'})`),
    property: (ctx) => fc.property(ctx.graphs, fc.nat(), precisionArb, fc.boolean(), ctx.ps, ctx.presets.filter((p) => (p.promises ?? []).includes(RISES_WITH_BITS)), (graph, pick, precision, raiseWeights, p, preset) => {
      const index = pick % graph.ops.length;
      const low = withOpPrecision(graph, index, precision);
      const raised = raiseWeights ? { ...precision, weightBits: precision.weightBits + 1 } : { ...precision, activationBits: precision.activationBits + 1 };
      const high = withOpPrecision(graph, index, raised);
      const before = ctx.price(low, preset, { p }).ops.find((o) => o.name === graph.ops[index].name)!;
      const after = ctx.price(high, preset, { p }).ops.find((o) => o.name === graph.ops[index].name)!;
      return after.energy.total >= before.energy.total * (1 - REL);
    }),
    explain: ([graph, pick, precision, raiseWeights, p, preset], ctx) => {
      const g = graph as Graph;
      const index = (pick as number) % g.ops.length;
      const op = g.ops[index];
      const q = precision as { weightBits: number; activationBits: number };
      const raised = raiseWeights ? { ...q, weightBits: q.weightBits + 1 } : { ...q, activationBits: q.activationBits + 1 };
      const energyAt = (bits: typeof q) => ctx.price(withOpPrecision(g, index, bits), preset as HardwarePreset, { p: p as number | undefined }).ops.find((o) => o.name === op.name)!.energy;
      return `${at(g, preset as HardwarePreset, p as number | undefined)}: op ${op.name} (${op.kind}) costs ${energyAt(raised).total.toPrecision(4)} pJ at ${raised.weightBits}/${raised.activationBits} bits but ${energyAt(q).total.toPrecision(4)} pJ at ${q.weightBits}/${q.activationBits}`;
    },
  },
  {
    name: 'local-buffer-sqrt-p',
    group: 'energy',
    statement: 'the local-buffer terms scale as 1/√p: E(p) − E(4p) = 2·(E(4p) − E(16p)), compute fixed',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, fc.integer({ min: 1, max: 256 }), (graph, preset, p) => {
      const e = (q: number) => ctx.price(graph, preset, { p: q }).energy;
      const [a, b, c] = [e(p), e(4 * p), e(16 * p)];
      const computeFixed = closeTo(a.compute, b.compute) && closeTo(b.compute, c.compute);
      const tol = 1e-7 * Math.max(1, Math.abs(a.total));
      return computeFixed && Math.abs(a.total - b.total - 2 * (b.total - c.total)) <= tol && b.total <= a.total + tol;
    }),
    explain: ([graph, preset, p], ctx) => {
      const g = graph as Graph;
      const e = (q: number) => ctx.price(g, preset as HardwarePreset, { p: q }).energy.total.toPrecision(6);
      const q = p as number;
      return `${at(g, preset as HardwarePreset, q)}: totals ${e(q)}, ${e(4 * q)}, ${e(16 * q)} pJ at p = ${q}, ${4 * q}, ${16 * q} are not 1/√p apart`;
    },
  },
  {
    name: 'duplicate-doubles',
    group: 'energy',
    // With unlimited main memory: a machine's capacity makes duplication superlinear (the copy's
    // weights can push later ones off chip), which 'capacity-spills' states.
    statement: 'duplicating a layer adds exactly its energy once more (its contribution doubles), with unlimited main memory',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, ctx.ps, fc.nat(), (graph, preset, p, pick) => {
      const candidates = graph.ops.map((op, i) => [op, i] as const).filter(([op]) => isShapePreserving(op));
      fc.pre(candidates.length > 0);
      const [op, index] = candidates[pick % candidates.length];
      const base = ctx.price(graph, preset, { p, mainMemoryBits: Infinity });
      const doubled = ctx.price(duplicateOp(graph, index), preset, { p, mainMemoryBits: Infinity });
      const single = base.ops.find((o) => o.name === op.name)!.energy.total;
      const both = doubled.ops.filter((o) => o.name === op.name || o.name === `${op.name}#copy`);
      return both.length === 2 && closeTo(both[0].energy.total + both[1].energy.total, 2 * single) && closeTo(doubled.energy.total, base.energy.total + single);
    }),
    explain: ([graph, preset, p]) => `${at(graph as Graph, preset as HardwarePreset, p as number | undefined)}: a duplicated op does not add its own energy once more`,
  },
  {
    name: 'capacity-spills',
    group: 'energy',
    statement: 'in a finite main memory only the weights beyond it (in op order) and working sets that do not fit move off chip: compute is unchanged, a graph that fits costs what it costs with unlimited memory, and no op gets cheaper when off chip costs at least main memory',
    property: (ctx) => fc.property(ctx.graphs, ctx.presets, ctx.ps, fc.double({ min: 0, max: 1, noNaN: true }), (graph, preset, p, share) => {
      const free = ctx.price(graph, preset, { p, mainMemoryBits: Infinity });
      const weightBits = graph.ops.reduce((s, op) => s + opCounts(op).weights * op.precision.weightBits, 0);
      const bounded = ctx.price(graph, preset, { p, mainMemoryBits: share * 2 * weightBits });
      const roomy = ctx.price(graph, preset, { p, mainMemoryBits: Number.MAX_VALUE });
      const dearerOffChip = (precision: Graph['ops'][number]['precision']) => {
        const e = accessEnergies(preset, precision, p);
        return e.weightOffChip >= e.weightMain && e.activationOffChip >= e.activationMain && e.activationOffChipWrite >= e.activationMainWrite;
      };
      return (
        closeTo(bounded.energy.compute, free.energy.compute) &&
        closeTo(roomy.energy.total, free.energy.total) &&
        bounded.ops.every((op, i) => !dearerOffChip(graph.ops[i].precision) || op.energy.total >= free.ops[i].energy.total * (1 - REL))
      );
    }),
    explain: ([graph, preset, p, share]) => `${at(graph as Graph, preset as HardwarePreset, p as number | undefined)}, main memory ${(share as number).toFixed(3)} × twice the weights: compute moved, a roomy memory changed the price, or spilling made the graph cheaper`,
  },
];

