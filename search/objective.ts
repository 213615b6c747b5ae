/**
 * The seed-000 bit-allocation objective: per-layer weight bits [CONV, FCL1, FCL2, FCL3] from a
 * list of choices; cost = closed-form energy (µJ); quality = a trained network's sum rate (a
 * rates table, a supernet) or, for tests and dry runs only, a seeded synthetic model that
 * saturates in bits with a sensitivity per layer (labelled as such wherever it is shown).
 */
import { rng } from '../core/rng.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { layerIndexOf } from '../nets/layers.ts';
import { microjoules } from '../sim/report.ts';
import { mainMemoryOf } from '../sim/energy.ts';
import { accessEnergyCache, compileCounts, priceCompiled } from '../sim/sweep.ts';
import type { HardwarePreset } from '../sim/presets.ts';
import type { Objective } from './pso.ts';
import type { PrecoderHead } from '../nets/heads.ts';

export const BIT_CHOICES = [2, 4, 8, 16] as const;

export function energyOfBits(cout: number, dfcl: number, preset: HardwarePreset, head: PrecoderHead = 'direct', size: { readonly nt: number; readonly nu: number } = { nt: 64, nu: 4 }): (bits: readonly number[]) => number {
  const graph = buildPrecoder({ cout, dfcl, nt: size.nt, nu: size.nu, bits: [16, 16, 16, 16], head });
  const counts = compileCounts(graph);
  const layerOf = layerIndexOf(graph);
  const energies = accessEnergyCache(preset);
  const memory = mainMemoryOf(preset);
  return (bits) => {
    const precisions = bits.map((weightBits) => ({ weightBits, activationBits: 16 }));
    return microjoules(priceCompiled(counts, (i) => (layerOf[i] < 0 ? graph.ops[i].precision : precisions[layerOf[i]]), energies, memory).total);
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

/**
 * Bits per group of output channels: each of the four layers is split into `groups` equal groups
 * of output channels with bits of their own — 4·groups dimensions, far too many to enumerate.
 * Energy is linear in the counts, so a group costs 1/groups of its layer's energy at its bits
 * (the layer's energy at uniform bits, from the closed form).
 */
export function groupedEnergy(cout: number, dfcl: number, preset: HardwarePreset, groups: number, choices: readonly number[] = BIT_CHOICES): (bits: readonly number[]) => number {
  const graph = buildPrecoder({ cout, dfcl, nt: 64, nu: 4, bits: [16, 16, 16, 16] });
  const counts = compileCounts(graph);
  const layerOf = layerIndexOf(graph);
  const energies = accessEnergyCache(preset);
  const memory = mainMemoryOf(preset);
  const all16 = microjoules(priceCompiled(counts, () => ({ weightBits: 16, activationBits: 16 }), energies, memory).total);
  // delta[l][c] = E_l(choices[c]) − E_l(16): layer l at choices[c], every other layer at 16 bits.
  const delta = [0, 1, 2, 3].map((l) =>
    choices.map((b) => microjoules(priceCompiled(counts, (i) => ({ weightBits: layerOf[i] === l ? b : 16, activationBits: 16 }), energies, memory).total) - all16),
  );
  return (bits) => {
    let e = all16;
    for (let l = 0; l < 4; l++) for (let g = 0; g < groups; g++) e += delta[l][choices.indexOf(bits[l * groups + g])] / groups;
    return e;
  };
}

/** The synthetic rate per group: r₀ − Σ_{l,g} (s_l / groups)·2^(−b/2). */
export function groupedSyntheticQuality(seed: number, groups: number, r0 = 18.9): (bits: readonly number[]) => number {
  const r = rng(seed).fork('quality');
  const s = [0, 0, 0, 0].map(() => 0.5 + 4 * r.next());
  return (bits) => r0 - bits.reduce((acc, b, i) => acc + (s[Math.floor(i / groups)] / groups) * 2 ** (-b / 2), 0);
}
