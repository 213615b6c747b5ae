/**
 * What fits in main memory, decided the same way for the closed form and the engine: weights are
 * kept on chip in op order until main memory is full, the rest stream from off chip; an op whose
 * working set (its input and output activations) does not fit in what is left reads and writes
 * them off chip too. Both models price the same decisions, so their off-chip terms agree.
 */
import type { Graph, Op } from '../nets/graph.ts';
import { elementCount } from '../nets/graph.ts';
import { opCounts } from '../nets/counts.ts';
import type { Accesses } from './accesses.ts';

export interface Spill {
  readonly weights: boolean;
  readonly activations: boolean;
}

export const NO_SPILL: Spill = { weights: false, activations: false };

/** An op's claim on main memory, in bits: its weights, and its working set of activations. */
export interface Footprint {
  readonly weightBits: number;
  readonly workingSetBits: number;
}

export function assignSpills(footprints: readonly Footprint[], mainMemoryBits: number): Spill[] {
  let used = 0;
  return footprints.map((f) => {
    const fits = used + f.weightBits <= mainMemoryBits;
    if (fits) used += f.weightBits;
    return { weights: !fits && f.weightBits > 0, activations: f.workingSetBits > mainMemoryBits - used };
  });
}

/** Elements an op reads: its inputs (one inference). */
export const inputElements = (op: Op): number => op.inputShapes.reduce((s, shape) => s + elementCount(shape), 0);

/** Elements an op reads and writes: its inputs and its output (one inference). */
export function workingSetElements(op: Op): number {
  return inputElements(op) + elementCount(op.outputShape);
}

export function graphFootprints(graph: Graph): Footprint[] {
  return graph.ops.map((op) => ({ weightBits: opCounts(op).weights * op.precision.weightBits, workingSetBits: workingSetElements(op) * op.precision.activationBits }));
}

/** Moves the main-memory traffic a spill sends off chip there (the closed form's counts). */
export function spillAccesses(a: Accesses, spill: Spill): Accesses {
  if (!spill.weights && !spill.activations) return a;
  return {
    ...a,
    mainWeightReads: spill.weights ? 0 : a.mainWeightReads,
    offChipWeightReads: a.offChipWeightReads + (spill.weights ? a.mainWeightReads : 0),
    mainActivationReads: spill.activations ? 0 : a.mainActivationReads,
    mainActivationWrites: spill.activations ? 0 : a.mainActivationWrites,
    offChipActivationReads: a.offChipActivationReads + (spill.activations ? a.mainActivationReads : 0),
    offChipActivationWrites: a.offChipActivationWrites + (spill.activations ? a.mainActivationWrites : 0),
  };
}
