/**
 * The main job on embedded defaults: price all 2048 seed-000 design points and the baselines
 * with the closed-form model, and summarise.
 */
import { buildPrecoder } from '../nets/precoder.ts';
import { graphCounts } from '../nets/counts.ts';
import { energyOfBits } from '../search/objective.ts';
import { paperTraceGraph, PAPER_WMMSE_ITERATIONS } from '../baselines/paper-traces.ts';
import { priceGraph } from '../sim/energy.ts';
import { DEFAULT_PRESET, type HardwarePreset } from '../sim/presets.ts';
import { microjoules } from '../sim/report.ts';
import { seed000Space } from '../search/space.ts';
import type { PrecoderConfig } from '../nets/precoder.ts';

export interface PricedPoint {
  readonly config: PrecoderConfig;
  readonly energy_uJ: number;
  readonly macs: number;
  readonly weights: number;
}

export interface StartSummary {
  readonly preset: string;
  readonly points: readonly PricedPoint[];
  readonly baselines: { readonly zf_uJ: number; readonly wmmse_uJ: number; readonly wmmseIterations: number };
  /** How long it took: not a result (apart from it, the same preset gives the same summary). */
  readonly timing: { readonly elapsed_ms: number };
}

/** Prices the 2048 points: one graph per architecture, re-priced per bit configuration. */
export function priceSeed000Space(preset: HardwarePreset = DEFAULT_PRESET): PricedPoint[] {
  const architectures = new Map<string, { energyOf: (bits: readonly number[]) => number; macs: number; weights: number }>();
  return seed000Space().map((config) => {
    const arch = `${config.cout}/${config.dfcl}`;
    let entry = architectures.get(arch);
    if (!entry) {
      const totals = graphCounts(buildPrecoder(config));
      entry = { energyOf: energyOfBits(config.cout, config.dfcl, preset), macs: totals.macs, weights: totals.weights };
      architectures.set(arch, entry);
    }
    return { config, energy_uJ: entry.energyOf(config.bits), macs: entry.macs, weights: entry.weights };
  });
}

export function runStart(preset: HardwarePreset = DEFAULT_PRESET): StartSummary {
  const t0 = performance.now();
  const points = priceSeed000Space(preset);
  const zf = microjoules(priceGraph(paperTraceGraph({ algorithm: 'zf', nt: 64, nu: 4 }), preset).energy.total);
  const wmmse = microjoules(priceGraph(paperTraceGraph({ algorithm: 'wmmse', nt: 64, nu: 4 }), preset).energy.total);
  return {
    preset: preset.name,
    points,
    baselines: { zf_uJ: zf, wmmse_uJ: wmmse, wmmseIterations: PAPER_WMMSE_ITERATIONS },
    timing: { elapsed_ms: performance.now() - t0 },
  };
}
