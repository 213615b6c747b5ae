/** The JSON shape of an energy report, in µJ (the one users and other tools read). */
import type { EnergyReport, EnergyTerms } from './energy.ts';

export const PJ_PER_UJ = 1e6;

/** Picojoules (the energy tables' unit) in microjoules (what every table prints). */
export const microjoules = (picojoules: number): number => picojoules / PJ_PER_UJ;

export interface EnergyJson {
  readonly total: number;
  readonly compute: number;
  readonly weight: number;
  readonly activation: number;
}

export function toMicrojoules(e: EnergyTerms): EnergyJson {
  return {
    total: e.total / PJ_PER_UJ,
    compute: e.compute / PJ_PER_UJ,
    weight: e.weight / PJ_PER_UJ,
    activation: e.activation / PJ_PER_UJ,
  };
}

export function energyReportJson(report: EnergyReport) {
  return {
    graph: report.graph,
    preset: report.preset,
    energy_uJ: toMicrojoules(report.energy),
    totals: {
      macs: report.totals.macs,
      weights: report.totals.weights,
      activations: report.totals.activations,
      elementwise: report.totals.elementwise,
    },
    ops: report.ops.map((op) => ({
      name: op.name,
      kind: op.kind,
      weightBits: op.precision.weightBits,
      activationBits: op.precision.activationBits,
      p: op.p,
      macs: op.counts.macs,
      weights: op.counts.weights,
      activations: op.counts.activations,
      elementwise: op.counts.elementwise,
      energy_uJ: toMicrojoules(op.energy),
    })),
  };
}
