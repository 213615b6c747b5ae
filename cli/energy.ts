import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import type { Graph } from '../nets/graph.ts';
import { sideOf } from '../nets/csi.ts';
import { inferenceMemory, type InferenceMemory } from '../nets/memory.ts';
import { energyReportJson, toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { workloadFromOptions, type WorkloadOptions } from './workload.ts';
import { slpAccounting, type SlpAccounting } from '../nets/slp-accounting.ts';

export interface EnergyOutcome {
  readonly report: EnergyReport;
  readonly memory: InferenceMemory;
  /** A CSI codec's encoder (UE) and decoder (BS), priced separately. */
  readonly sides?: Record<'encoder' | 'decoder', { readonly report: EnergyReport; readonly memory: InferenceMemory }>;
  /** An SLP-DNet: seed 002's memory and operation accounting. */
  readonly slp?: SlpAccounting;
}

export function runEnergy(options: WorkloadOptions): EnergyOutcome {
  const { graph, preset, p, full, slp } = workloadFromOptions(options);
  const price = (g: Graph) => ({ report: priceGraph(g, preset, { p }), memory: inferenceMemory(g) });
  return {
    ...price(graph),
    ...(slp ? { slp: slpAccounting(graph) } : {}),
    ...(full ? { sides: { encoder: price(sideOf(full, 'encoder')), decoder: price(sideOf(full, 'decoder')) } } : {}),
  };
}

export function memoryJson(m: InferenceMemory) {
  return { weight_bits: m.weightBits, peakActivation_bits: m.peakActivationBits, total_kB: m.totalBytes / 1024 };
}

/** Seed 002's accounting, as `energy` and `simulate` print it. */
export function slpJson(a: SlpAccounting) {
  return {
    inferenceMemory_MB: a.inferenceMemory_MB,
    slpAccounting: { quantizedWeights: a.quantizedWeights, floatWeights: a.floatWeights, quantizedMacs: a.quantizedMacs, floatMacs: a.floatMacs, equivalentOps: a.equivalentOps },
  };
}

export function slpLine(a: SlpAccounting): string {
  return `\nseed-002 accounting: inference memory ${a.inferenceMemory_MB.toFixed(5)} MB (${a.quantizedWeights} quantized + ${a.floatWeights} float weights); products ${a.quantizedMacs} quantized + ${a.floatMacs} float = ${Math.round(a.equivalentOps)} eq.-29 operations`;
}

export function renderEnergy(outcome: EnergyOutcome, json: boolean): string {
  const { report } = outcome;
  if (json) {
    return JSON.stringify(
      {
        ...energyReportJson(report),
        memory: memoryJson(outcome.memory),
        ...(outcome.slp ? slpJson(outcome.slp) : {}),
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
  return `${report.graph} on ${report.preset}\n${table(header, rows)}\ninference memory: ${(outcome.memory.totalBytes / 1024).toFixed(1)} kB (weights ${(outcome.memory.weightBits / 8192).toFixed(1)} kB + peak activations ${(outcome.memory.peakActivationBits / 8192).toFixed(1)} kB)${sides}${outcome.slp ? slpLine(outcome.slp) : ''}`;
}
