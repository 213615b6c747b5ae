/**
 * The invariants every energy model of this project must satisfy — the closed form today, the
 * engine's ideal mode and later presets tomorrow. A model plugs in a PriceFn and gets the suite.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../nets/graph.ts';
import type { EnergyTerms } from '../../sim/energy.ts';
import { KASALAEE_2025, type HardwarePreset } from '../../sim/presets.ts';
import { graphArb, pArb, precisionArb, presetArb } from './arbitraries.ts';
import { duplicateOp, isShapePreserving, withOpPrecision } from './graph-edits.ts';

export interface PricedGraph {
  readonly ops: readonly { readonly name: string; readonly energy: EnergyTerms }[];
  readonly energy: EnergyTerms;
}

export type PriceFn = (graph: Graph, preset: HardwarePreset, options: { p?: number }) => PricedGraph;

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

export function energyLaws(modelName: string, price: PriceFn): void {
  describe(`energy laws: ${modelName}`, () => {
    it('every term is finite and ≥ 0, and total = E_C + E_W + E_A, per op and per graph', () => {
      fc.assert(
        fc.property(graphArb, presetArb, pArb, (graph, preset, p) => {
          const priced = price(graph, preset, { p });
          return termsAreSound(priced.energy) && priced.ops.every((op) => termsAreSound(op.energy));
        }),
      );
    });

    it('the graph total is the sum over its ops', () => {
      fc.assert(
        fc.property(graphArb, presetArb, pArb, (graph, preset, p) => {
          const priced = price(graph, preset, { p });
          const sum = sumOfOps(priced);
          return (['compute', 'weight', 'activation', 'total'] as const).every((k) => closeTo(priced.energy[k], sum[k]));
        }),
      );
    });

    it('under kasalaee2025, raising one op’s weight or activation bits never lowers that op’s energy', () => {
      fc.assert(
        fc.property(graphArb, fc.nat(), precisionArb, fc.boolean(), pArb, (graph, pick, precision, raiseWeights, p) => {
          const index = pick % graph.ops.length;
          const low = withOpPrecision(graph, index, precision);
          const raised = raiseWeights
            ? { ...precision, weightBits: precision.weightBits + 1 }
            : { ...precision, activationBits: precision.activationBits + 1 };
          const high = withOpPrecision(graph, index, raised);
          const before = price(low, KASALAEE_2025, { p }).ops.find((o) => o.name === graph.ops[index].name)!;
          const after = price(high, KASALAEE_2025, { p }).ops.find((o) => o.name === graph.ops[index].name)!;
          return after.energy.total >= before.energy.total * (1 - REL);
        }),
      );
    });

    it('the local-buffer terms scale as 1/√p: E(p) − E(4p) = 2·(E(4p) − E(16p))', () => {
      fc.assert(
        fc.property(graphArb, presetArb, fc.integer({ min: 1, max: 256 }), (graph, preset, p) => {
          const e = (q: number) => price(graph, preset, { p: q }).energy;
          const [a, b, c] = [e(p), e(4 * p), e(16 * p)];
          // Compute energy and main-memory traffic do not depend on p.
          const computeFixed = closeTo(a.compute, b.compute) && closeTo(b.compute, c.compute);
          const tol = 1e-7 * Math.max(1, a.total);
          return computeFixed && Math.abs(a.total - b.total - 2 * (b.total - c.total)) <= tol && b.total <= a.total + tol;
        }),
      );
    });

    it('duplicating a layer adds exactly its energy once more (its contribution doubles)', () => {
      fc.assert(
        fc.property(graphArb, presetArb, pArb, fc.nat(), (graph, preset, p, pick) => {
          const candidates = graph.ops.map((op, i) => [op, i] as const).filter(([op]) => isShapePreserving(op));
          fc.pre(candidates.length > 0);
          const [op, index] = candidates[pick % candidates.length];
          const base = price(graph, preset, { p });
          const doubled = price(duplicateOp(graph, index), preset, { p });
          const single = base.ops.find((o) => o.name === op.name)!.energy.total;
          const both = doubled.ops.filter((o) => o.name === op.name || o.name === `${op.name}#copy`);
          return (
            both.length === 2 &&
            closeTo(both[0].energy.total + both[1].energy.total, 2 * single) &&
            closeTo(doubled.energy.total, base.energy.total + single)
          );
        }),
      );
    });
  });
}

export { expect };
