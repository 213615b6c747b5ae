/**
 * The seed-000 bit-allocation objective: per-layer weight bits [CONV, FCL1, FCL2, FCL3] from a
 * list of choices; cost = closed-form energy (µJ); quality = a sum rate from a table (e.g. a
 * supernet's `codesign eval --all-bits --json`) or, for tests and dry runs, a seeded synthetic
 * model that saturates in bits with a sensitivity per layer.
 */
import { rng } from '../core/rng.ts';
import { buildPrecoder, precoderLayerOf } from '../nets/precoder.ts';
import { accessEnergyCache, compileCounts, priceCompiled } from '../sim/sweep.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import type { Objective } from './pso.ts';

export const BIT_CHOICES = [2, 4, 8, 16] as const;

export function energyOfBits(cout: number, dfcl: number, preset: HardwarePreset): (bits: readonly number[]) => number {
  const graph = buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] });
  const counts = compileCounts(graph);
  const layerOf = Int8Array.from(graph.ops, (op) => precoderLayerOf(op.name));
  const energies = accessEnergyCache(preset);
  return (bits) => {
    const precisions = bits.map((weightBits) => ({ weightBits, activationBits: 16 }));
    return priceCompiled(counts, (i) => precisions[layerOf[i]], energies).total / 1e6;
  };
}

/** A synthetic sum rate: r₀ − Σ_l s_l·2^(−b_l/2), with seeded per-layer sensitivities s_l. */
export function syntheticQuality(seed: number, r0 = 18.9): (bits: readonly number[]) => number {
  const r = rng(seed).fork('quality');
  const s = [0, 0, 0, 0].map(() => 0.5 + 4 * r.next());
  return (bits) => r0 - bits.reduce((acc, b, l) => acc + s[l] * 2 ** (-b / 2), 0);
}

/** Positions are indices into `choices`, one per layer. */
export function bitObjective(
  energy: (bits: readonly number[]) => number,
  quality: (bits: readonly number[]) => number,
  choices: readonly number[] = BIT_CHOICES,
): Objective & { readonly quality: (position: readonly number[]) => number } {
  const bits = (position: readonly number[]) => position.map((i) => choices[i]);
  return { cost: (p) => energy(bits(p)), quality: (p) => quality(bits(p)) };
}
