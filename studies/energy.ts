/** The closed-form energy (seed 000 eq. 7–14) of a workload, op by op, with its inference memory. */
import { sideOf } from '../nets/csi.ts';
import type { Graph } from '../nets/graph.ts';
import { inferenceMemory, type InferenceMemory } from '../nets/memory.ts';
import { slpAccounting, type SlpAccounting } from '../nets/slp-accounting.ts';
import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { buildWorkload, type WorkloadSpec } from './workload.ts';

export interface EnergyStudy {
  readonly workload: WorkloadSpec;
  readonly preset: HardwarePreset;
  /** Parallel execution units (overrides the preset's rule). */
  readonly p?: number;
}

export interface EnergyOutcome {
  readonly report: EnergyReport;
  readonly memory: InferenceMemory;
  /** A CSI codec's encoder (UE) and decoder (BS), priced separately. */
  readonly sides?: Record<'encoder' | 'decoder', { readonly report: EnergyReport; readonly memory: InferenceMemory }>;
  /** An SLP-DNet: seed 002's memory and operation accounting. */
  readonly slp?: SlpAccounting;
}

export function priceWorkload(c: EnergyStudy): EnergyOutcome {
  const { graph, full, slp } = buildWorkload(c.workload);
  const price = (g: Graph) => ({ report: priceGraph(g, c.preset, { p: c.p }), memory: inferenceMemory(g) });
  return {
    ...price(graph),
    ...(slp ? { slp: slpAccounting(graph) } : {}),
    ...(full ? { sides: { encoder: price(sideOf(full, 'encoder')), decoder: price(sideOf(full, 'decoder')) } } : {}),
  };
}
