/** Classical precoders priced on a hardware preset: both counts (the paper's and ours) per solve. */
import { baselineGraphs, type BaselineRun, type BaselineSummary } from '../baselines/run.ts';
import { priceGraph, type EnergyReport } from '../sim/energy.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import { microjoules } from '../sim/report.ts';

/** Energy per solve (µJ) under both counts. */
export function summaryEnergy(s: BaselineSummary, preset: HardwarePreset): { readonly paper: number | null; readonly measured: number } {
  const g = baselineGraphs(s);
  return { paper: g.paper ? microjoules(priceGraph(g.paper, preset).energy.total) : null, measured: microjoules(priceGraph(g.measured, preset).energy.total) };
}

export interface BaselineEnergy {
  readonly paper: EnergyReport | null;
  readonly measured: EnergyReport;
}

export function baselineEnergy(run: BaselineRun, preset: HardwarePreset, p?: number): BaselineEnergy {
  return {
    paper: run.paperGraph ? priceGraph(run.paperGraph, preset, { p }) : null,
    measured: priceGraph(run.measuredGraph, preset, { p }),
  };
}
