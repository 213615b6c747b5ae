/**
 * The main job on embedded defaults: price all 2048 seed-000 design points and the baselines
 * with the closed-form model, and summarise.
 */
import { buildPrecoder, precoderLayerOf } from '../nets/precoder.ts';
import { graphCounts } from '../nets/counts.ts';
import { accessEnergyCache, compileCounts, priceCompiled, type CompiledCounts } from '../sim/sweep.ts';
import { paperTraceGraph, PAPER_WMMSE_ITERATIONS } from '../baselines/paper-traces.ts';
import { priceGraph } from '../sim/energy.ts';
import { DEFAULT_PRESET, type HardwarePreset } from '../sim/presets.ts';
import { PJ_PER_UJ } from '../sim/report.ts';
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
  readonly elapsedMs: number;
}

/** Prices the 2048 points: one graph per architecture, re-priced per bit configuration. */
export function priceSeed000Space(preset: HardwarePreset = DEFAULT_PRESET): PricedPoint[] {
  const energiesOf = accessEnergyCache(preset);
  const compiled = new Map<string, { counts: CompiledCounts; layerOf: Int8Array; macs: number; weights: number }>();
  return seed000Space().map((config) => {
    const arch = `${config.cout}/${config.dfcl}/${config.nt}/${config.nu}`;
    let entry = compiled.get(arch);
    if (!entry) {
      const graph = buildPrecoder(config);
      const totals = graphCounts(graph);
      entry = {
        counts: compileCounts(graph),
        layerOf: Int8Array.from(graph.ops, (op) => precoderLayerOf(op.name)),
        macs: totals.macs,
        weights: totals.weights,
      };
      compiled.set(arch, entry);
    }
    const { layerOf } = entry;
    const precisions = config.bits.map((weightBits) => ({ weightBits, activationBits: config.activationBits ?? 16 }));
    const energy = priceCompiled(entry.counts, (i) => precisions[layerOf[i]], energiesOf);
    return { config, energy_uJ: energy.total / PJ_PER_UJ, macs: entry.macs, weights: entry.weights };
  });
}

export function runStart(preset: HardwarePreset = DEFAULT_PRESET): StartSummary {
  const t0 = performance.now();
  const points = priceSeed000Space(preset);
  const zf = priceGraph(paperTraceGraph({ algorithm: 'zf', nt: 64, nu: 4 }), preset).energy.total / PJ_PER_UJ;
  const wmmse = priceGraph(paperTraceGraph({ algorithm: 'wmmse', nt: 64, nu: 4 }), preset).energy.total / PJ_PER_UJ;
  return {
    preset: preset.name,
    points,
    baselines: { zf_uJ: zf, wmmse_uJ: wmmse, wmmseIterations: PAPER_WMMSE_ITERATIONS },
    elapsedMs: performance.now() - t0,
  };
}
