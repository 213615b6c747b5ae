/**
 * The closed-form energy model of seed 000, eq. (7)–(11) and (14), op by op:
 *   E_C = E_MAC · (N_c + N_elementwise)
 *   E_W = E_M · N_w + E_L · N_c / √p          (the local term only for ops that have weights)
 *   E_A = 2 · E_M · N_a + E_L · N_c / √p
 * All energies in pJ; reports convert to µJ at the edge.
 */
import type { Graph, Op, Precision } from '../nets/graph.ts';
import { NO_COUNTS, addCounts, opCounts, type OpCounts } from '../nets/counts.ts';
import { closedFormAccesses, priceAccesses } from './accesses.ts';
import { NO_SPILL, assignSpills, graphFootprints, spillAccesses, type Spill } from './capacity.ts';
import { accessEnergies, type AccessEnergies, type HardwarePreset } from './presets.ts';

export interface EnergyTerms {
  readonly compute: number;
  readonly weight: number;
  readonly activation: number;
  readonly total: number;
}

export const NO_ENERGY: EnergyTerms = { compute: 0, weight: 0, activation: 0, total: 0 };

export function energyTerms(compute: number, weight: number, activation: number): EnergyTerms {
  return { compute, weight, activation, total: compute + weight + activation };
}

export function addEnergy(a: EnergyTerms, b: EnergyTerms): EnergyTerms {
  return energyTerms(a.compute + b.compute, a.weight + b.weight, a.activation + b.activation);
}

export function scaleEnergy(e: EnergyTerms, factor: number): EnergyTerms {
  return energyTerms(e.compute * factor, e.weight * factor, e.activation * factor);
}

/** An op's closed-form energy; what `spill` names as not fitting main memory is priced off chip. */
export function opEnergy(counts: OpCounts, e: AccessEnergies, spill: Spill = NO_SPILL): EnergyTerms {
  const split = priceAccesses(spillAccesses(closedFormAccesses(counts, e.p), spill), e);
  return energyTerms(split.compute, split.weight, split.activation);
}

export interface PriceOptions {
  /** Overrides the preset's p rule for every op. */
  readonly p?: number;
  /**
   * Main memory in bits: weights beyond it, and working sets that do not fit beside them, are
   * priced off chip (sim/capacity.ts). Defaults to the table's architecture's; Infinity (the
   * paper's assumption) without one.
   */
  readonly mainMemoryBits?: number;
}

/** The main memory a table's machine has, in bits (Infinity when the table describes none). */
export function mainMemoryOf(preset: HardwarePreset): number {
  return preset.architecture ? preset.architecture.mainMemoryKB * 1024 * 8 : Infinity;
}

export interface OpEnergyReport {
  readonly name: string;
  readonly kind: Op['kind'];
  readonly precision: Precision;
  readonly p: number;
  readonly counts: OpCounts;
  /** What did not fit in main memory (priced off chip). */
  readonly spill: Spill;
  /** pJ */
  readonly energy: EnergyTerms;
}

export interface EnergyReport {
  readonly graph: string;
  readonly preset: string;
  readonly ops: readonly OpEnergyReport[];
  readonly totals: OpCounts;
  /** pJ */
  readonly energy: EnergyTerms;
}

export function priceOp(op: Op, preset: HardwarePreset, options: PriceOptions = {}, spill: Spill = NO_SPILL): OpEnergyReport {
  const counts = opCounts(op);
  const e = accessEnergies(preset, op.precision, options.p);
  return { name: op.name, kind: op.kind, precision: op.precision, p: e.p, counts, spill, energy: opEnergy(counts, e, spill) };
}

export function priceGraph(graph: Graph, preset: HardwarePreset, options: PriceOptions = {}): EnergyReport {
  const memory = options.mainMemoryBits ?? mainMemoryOf(preset);
  const spills = memory === Infinity ? null : assignSpills(graphFootprints(graph), memory);
  const ops = graph.ops.map((op, i) => priceOp(op, preset, options, spills ? spills[i] : NO_SPILL));
  let totals = NO_COUNTS;
  let energy = NO_ENERGY;
  for (const op of ops) {
    totals = addCounts(totals, op.counts);
    energy = addEnergy(energy, op.energy);
  }
  return { graph: graph.name, preset: preset.name, ops, totals, energy };
}
