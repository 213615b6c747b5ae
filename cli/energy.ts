import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import type { Graph } from '../nets/graph.ts';
import { sideOf } from '../nets/csi.ts';
import { inferenceMemory, type InferenceMemory } from '../nets/memory.ts';
import { energyReportJson, toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { workloadFromOptions, type WorkloadOptions } from './workload.ts';

export interface EnergyOutcome {
  readonly report: EnergyReport;
  readonly memory: InferenceMemory;
  /** A CSI codec's encoder (UE) and decoder (BS), priced separately. */
  readonly sides?: Record<'encoder' | 'decoder', { readonly report: EnergyReport; readonly memory: InferenceMemory }>;
}

export function runEnergy(options: WorkloadOptions): EnergyOutcome {
  const { graph, preset, p, full } = workloadFromOptions(options);
  const price = (g: Graph) => ({ report: priceGraph(g, preset, { p }), memory: inferenceMemory(g) });
  return {
    ...price(graph),
    ...(full ? { sides: { encoder: price(sideOf(full, 'encoder')), decoder: price(sideOf(full, 'decoder')) } } : {}),
  };
}

export function memoryJson(m: InferenceMemory) {
  return { weight_bits: m.weightBits, peakActivation_bits: m.peakActivationBits, total_kB: m.totalBytes / 1024 };
}

export function renderEnergy(outcome: EnergyOutcome, json: boolean): string {
  const { report } = outcome;
  if (json) {
    return JSON.stringify(
      {
        ...energyReportJson(report),
        memory: memoryJson(outcome.memory),
        ...(outcome.sides
          ? {
              sides: Object.fromEntries(
                Object.entries(outcome.sides).map(([side, s]) => [side, { energy_uJ: toMicrojoules(s.report.energy), macs: s.report.totals.macs, weights: s.report.totals.weights, memory: memoryJson(s.memory) }]),
              ),
            }
          : {}),
      },
      null,
      2,
    );
  }
  const rows = report.ops
    .filter((op) => op.energy.total > 0 || op.counts.weights > 0)
    .map((op) => {
      const e = toMicrojoules(op.energy);
      return [
        op.name,
        op.kind,
        `${op.precision.weightBits}/${op.precision.activationBits}`,
        op.p,
        op.counts.macs,
        op.counts.weights,
        op.counts.activations,
        e.compute,
        e.weight,
        e.activation,
        e.total,
      ];
    });
  const t = toMicrojoules(report.energy);
  rows.push(['total', '', '', '', report.totals.macs, report.totals.weights, report.totals.activations, t.compute, t.weight, t.activation, t.total]);
  const header = ['op', 'kind', 'bits w/a', 'p', 'MACs', 'weights', 'activations', 'E_C µJ', 'E_W µJ', 'E_A µJ', 'total µJ'];
  const sides = outcome.sides
    ? '\n' +
      table(
        ['side', 'MACs', 'weights', 'energy µJ', 'memory kB'],
        (['encoder', 'decoder'] as const).map((side) => {
          const s = outcome.sides![side];
          return [`${side} (${side === 'encoder' ? 'UE' : 'BS'})`, s.report.totals.macs, s.report.totals.weights, s.report.energy.total / 1e6, s.memory.totalBytes / 1024];
        }),
      )
    : '';
  return `${report.graph} on ${report.preset}\n${table(header, rows)}\ninference memory: ${(outcome.memory.totalBytes / 1024).toFixed(1)} kB (weights ${(outcome.memory.weightBits / 8192).toFixed(1)} kB + peak activations ${(outcome.memory.peakActivationBits / 8192).toFixed(1)} kB)${sides}`;
}
