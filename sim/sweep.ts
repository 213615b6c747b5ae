/**
 * Fast re-pricing for sweeps: a graph's counts are fixed by its structure, and its energy is
 * linear in them, so a sweep over bit widths or p compiles the counts once into typed arrays
 * and re-prices with plain loops. Agrees with priceGraph exactly (test/energy.test.ts).
 */
import type { Graph, Precision } from '../nets/graph.ts';
import { opCounts } from '../nets/counts.ts';
import { opEnergy, type EnergyTerms } from './energy.ts';
import { NO_SPILL, assignSpills, workingSetElements } from './capacity.ts';
import { accessEnergies, type AccessEnergies, type HardwarePreset } from './presets.ts';

export interface CompiledCounts {
  readonly graph: Graph;
  readonly macs: Float64Array;
  readonly weights: Float64Array;
  readonly activations: Float64Array;
  readonly elementwise: Float64Array;
  /** Input + output activation elements of each op (its working set in main memory). */
  readonly workingSet: Float64Array;
}

export function compileCounts(graph: Graph): CompiledCounts {
  const n = graph.ops.length;
  const c = {
    graph,
    macs: new Float64Array(n),
    weights: new Float64Array(n),
    activations: new Float64Array(n),
    elementwise: new Float64Array(n),
    workingSet: new Float64Array(n),
  };
  graph.ops.forEach((op, i) => {
    const k = opCounts(op);
    c.macs[i] = k.macs;
    c.weights[i] = k.weights;
    c.activations[i] = k.activations;
    c.elementwise[i] = k.elementwise;
    c.workingSet[i] = workingSetElements(op);
  });
  return c;
}

/** Memoises the per-access energies of a preset by precision (a sweep sees few distinct ones). */
export function accessEnergyCache(preset: HardwarePreset, p?: number): (precision: Precision) => AccessEnergies {
  const cache = new Map<number, AccessEnergies>();
  return (precision) => {
    const key = precision.weightBits * 64 + precision.activationBits;
    let e = cache.get(key);
    if (!e) {
      e = accessEnergies(preset, precision, p);
      cache.set(key, e);
    }
    return e;
  };
}

/** Total energy (pJ) of the compiled graph with op i run at precisionOf(i), in `mainMemoryBits` of main memory (priceGraph's rule). */
export function priceCompiled(
  c: CompiledCounts,
  precisionOf: (opIndex: number) => Precision,
  energiesOf: (precision: Precision) => AccessEnergies,
  mainMemoryBits = Infinity,
): EnergyTerms {
  let compute = 0;
  let weight = 0;
  let activation = 0;
  const n = c.macs.length;
  const spills =
    mainMemoryBits === Infinity
      ? null
      : assignSpills(
          Array.from({ length: n }, (_, i) => ({ weightBits: c.weights[i] * precisionOf(i).weightBits, workingSetBits: c.workingSet[i] * precisionOf(i).activationBits })),
          mainMemoryBits,
        );
  for (let i = 0; i < n; i++) {
    const precision = precisionOf(i);
    const spill = spills ? spills[i] : NO_SPILL;
    const e = opEnergy(
      { macs: c.macs[i], weights: c.weights[i], activations: c.activations[i], elementwise: c.elementwise[i], outputs: 0 },
      energiesOf(precision),
      spill,
    );
    compute += e.compute;
    weight += e.weight;
    activation += e.activation;
  }
  return { compute, weight, activation, total: compute + weight + activation };
}
