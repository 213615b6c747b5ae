import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import { energyReportJson, toMicrojoules } from '../sim/report.ts';
import { table } from './format.ts';
import { workloadFromOptions, type WorkloadOptions } from './workload.ts';

export function runEnergy(options: WorkloadOptions): EnergyReport {
  const { graph, preset, p } = workloadFromOptions(options);
  return priceGraph(graph, preset, { p });
}

export function renderEnergy(report: EnergyReport, json: boolean): string {
  if (json) return JSON.stringify(energyReportJson(report), null, 2);
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
  return `${report.graph} on ${report.preset}\n${table(header, rows)}`;
}
