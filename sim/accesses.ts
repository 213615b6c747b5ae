/**
 * What a model counts, and the one function that prices it. The closed form (sim/energy) and
 * the engine (sim/engine) each produce Accesses and price them here with the same per-access
 * energies, so their numbers are directly comparable; in the engine's ideal mode they are equal.
 */
import type { OpCounts } from '../nets/counts.ts';
import type { AccessEnergies } from './presets.ts';

export interface Accesses {
  /** MACs plus elementwise operations (bias, normalisation, activation functions). */
  readonly computeOps: number;
  readonly mainWeightReads: number;
  readonly localWeightReads: number;
  readonly mainActivationReads: number;
  readonly mainActivationWrites: number;
  readonly localActivationReads: number;
  readonly localOutputWrites: number;
  readonly offChipWeightReads: number;
  readonly offChipActivationReads: number;
  readonly offChipActivationWrites: number;
}

export const NO_ACCESSES: Accesses = {
  computeOps: 0,
  mainWeightReads: 0,
  localWeightReads: 0,
  mainActivationReads: 0,
  mainActivationWrites: 0,
  localActivationReads: 0,
  localOutputWrites: 0,
  offChipWeightReads: 0,
  offChipActivationReads: 0,
  offChipActivationWrites: 0,
};

/**
 * The paper's assumptions as counts: every weight read once from main memory, every stored
 * activation written and read once (2·N_a), and each MAC's two operands read from local buffers
 * with reuse across √p PEs (N_c/√p each; no weight stream for ops without weights).
 */
export function closedFormAccesses(counts: OpCounts, p: number): Accesses {
  const perFold = counts.macs / Math.sqrt(p);
  return {
    ...NO_ACCESSES,
    computeOps: counts.macs + counts.elementwise,
    mainWeightReads: counts.weights,
    localWeightReads: counts.weights > 0 ? perFold : 0,
    mainActivationReads: counts.activations,
    mainActivationWrites: counts.activations,
    localActivationReads: perFold,
  };
}

export interface EnergySplit {
  readonly compute: number;
  readonly weight: number;
  readonly activation: number;
}

/** Each term's energy at each level (pJ): the one pricing both splits below add up. */
function priceTerms(a: Accesses, e: AccessEnergies) {
  return {
    compute: e.mac * a.computeOps,
    weight: { local: e.weightLocal * a.localWeightReads, main: e.weightMain * a.mainWeightReads, offChip: e.weightOffChip * a.offChipWeightReads },
    activation: {
      local: e.activationLocal * a.localActivationReads + e.activationLocalWrite * a.localOutputWrites,
      main: e.activationMain * a.mainActivationReads + e.activationMainWrite * a.mainActivationWrites,
      offChip: e.activationOffChip * a.offChipActivationReads + e.activationOffChipWrite * a.offChipActivationWrites,
    },
  };
}

export function priceAccesses(a: Accesses, e: AccessEnergies): EnergySplit {
  const t = priceTerms(a, e);
  return { compute: t.compute, weight: t.weight.main + t.weight.local + t.weight.offChip, activation: t.activation.main + t.activation.local + t.activation.offChip };
}

/** The same prices split by where the energy is spent: the array, the local buffers, main memory, off chip. */
export interface LevelSplit {
  readonly compute: number;
  readonly localBuffer: number;
  readonly mainMemory: number;
  readonly offChip: number;
}

export function priceByLevel(a: Accesses, e: AccessEnergies): LevelSplit {
  const t = priceTerms(a, e);
  return { compute: t.compute, localBuffer: t.weight.local + t.activation.local, mainMemory: t.weight.main + t.activation.main, offChip: t.weight.offChip + t.activation.offChip };
}

export function addAccesses(x: Accesses, y: Accesses): Accesses {
  const out = { ...x } as Record<keyof Accesses, number>;
  for (const k of Object.keys(y) as (keyof Accesses)[]) out[k] += y[k];
  return out;
}
