/** Classical precoders priced on a hardware preset (both counts, the paper's and ours, per solve), and run with progress. */
import { baselineGraphs, classicalSet, type BaselineRun, type BaselineSummary } from '../baselines/run.ts';
import type { Channel } from '../scenarios/channel.ts';
import { SILENT, type Progress } from '../core/progress.ts';
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

/** The classical set on the same channels, with a progress task over its WMMSE solves. */
export function classicalSetWithProgress(channels: readonly Channel[], snrDb: number, o: Omit<Parameters<typeof classicalSet>[2], 'solved'>, progress: Progress = SILENT): BaselineSummary[] {
  const task = progress.task('classical precoders (WMMSE solves)', channels.length * o.tolerances.length);
  try {
    return classicalSet(channels, snrDb, { ...o, solved: () => task.tick(1) });
  } finally {
    task.end();
  }
}
