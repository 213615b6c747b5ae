/**
 * The engine next to the closed form, per op and component, with the reasons a ratio is not 1.
 */
import { closedFormAccesses } from '../accesses.ts';
import { energyTerms, opEnergy, scaleEnergy, type EnergyTerms } from '../energy.ts';
import { accessEnergies, type HardwarePreset } from '../presets.ts';
import type { EngineConfig } from './config.ts';
import type { EngineResult, OpStats } from './engine.ts';

export interface OpComparison {
  /** Closed-form energy of the whole batch, pJ. */
  readonly closedForm: EnergyTerms;
  readonly ratio: { readonly compute: number; readonly weight: number; readonly activation: number; readonly total: number };
  readonly reasons: readonly string[];
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 1 : Infinity) : a / b);

export function compareOp(op: OpStats, config: EngineConfig, preset: HardwarePreset, p?: number): OpComparison {
  const e = accessEnergies(preset, op.precision, p);
  // The closed form on the same machine: what the engine spilled off chip, the closed form prices there too.
  const closed = scaleEnergy(opEnergy(op.counts, e, op.spill), config.batch);
  const expected = closedFormAccesses(op.counts, e.p);
  const a = op.accesses;
  const reasons: string[] = [];
  const differs = (x: number, y: number) => Math.abs(x - y) > 1e-6 * Math.max(x, y);
  if (op.mappingEfficiency < 0.999) {
    reasons.push(`padding: ${((1 - op.mappingEfficiency) * 100).toFixed(1)}% of PE slots idle (dims not multiples of ${config.rows}×${config.cols})`);
  }
  if (op.macs > 0 && a.localWeightReads > 0 && differs(a.localWeightReads, config.batch * expected.localWeightReads)) {
    reasons.push(`each local weight read feeds ${(op.macs / a.localWeightReads).toFixed(1)} MACs; the closed form assumes √p = ${Math.sqrt(e.p).toFixed(1)}`);
  }
  if (op.macs > 0 && a.localActivationReads > 0 && differs(a.localActivationReads, config.batch * expected.localActivationReads)) {
    reasons.push(`each local activation read feeds ${(op.macs / a.localActivationReads).toFixed(1)} MACs; the closed form assumes √p = ${Math.sqrt(e.p).toFixed(1)}`);
  }
  if (a.localOutputWrites > 0) reasons.push(`${a.localOutputWrites} output-buffer writes (not in the closed form)`);
  if (differs(a.mainActivationReads + a.mainActivationWrites, config.batch * 2 * op.counts.activations) && op.unit === 'gemm') {
    reasons.push(`main-memory activation traffic ${a.mainActivationReads + a.mainActivationWrites} words vs 2·N_a = ${config.batch * 2 * op.counts.activations} (input tiles and partial sums)`);
  }
  const o = op.overReads;
  if (o.filterRefetches > 0) reasons.push(`${o.filterRefetches} weights fetched again after eviction (their reuse lies farther apart than the filter buffer holds)`);
  if (o.ifmapRefetches > 0) reasons.push(`${o.ifmapRefetches} inputs fetched again after eviction (reuse beyond the ifmap buffer)`);
  if (o.partialSumSpills > 0) reasons.push(`${o.partialSumSpills} partial sums written out and read back (the output buffer cannot hold a column fold's sums)`);
  if (o.padding > 0) reasons.push(`${o.padding} reads beyond the distinct elements (SCALE-Sim's half-buffer prefetches and padding)`);
  if (op.stallCycles > 0) reasons.push(`${op.stallCycles} stall cycles (bandwidth ${config.bandwidth} words/cycle)`);
  const offChip = a.offChipWeightReads + a.offChipActivationReads + a.offChipActivationWrites;
  if (offChip > 0) reasons.push(`${offChip} words spilled off chip`);
  return {
    closedForm: closed,
    ratio: {
      compute: ratio(op.energy.compute, closed.compute),
      weight: ratio(op.energy.weight, closed.weight),
      activation: ratio(op.energy.activation, closed.activation),
      total: ratio(op.energy.total, closed.total),
    },
    reasons,
  };
}

export function compareResult(result: EngineResult, preset: HardwarePreset, p?: number): OpComparison[] {
  return result.ops.map((op) => compareOp(op, result.config, preset, p));
}

export function closedFormTotal(comparisons: readonly OpComparison[], batch: number): EnergyTerms {
  let c = 0;
  let w = 0;
  let a = 0;
  for (const x of comparisons) {
    c += x.closedForm.compute;
    w += x.closedForm.weight;
    a += x.closedForm.activation;
  }
  return energyTerms(c / batch, w / batch, a / batch);
}
