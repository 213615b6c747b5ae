/** The seed-000 design space: architectures × per-layer weight bits (the paper's 2048 points). */
import { PRECODER_LAYERS, type PrecoderConfig } from '../nets/precoder.ts';
import { bitAssignments } from '../nets/bits.ts';

export const SEED000_COUTS = [8, 16, 32, 64] as const;
export const SEED000_DFCLS = [512, 1024] as const;
export const SEED000_BITS = [2, 4, 8, 16] as const;

export type BitConfig = readonly [number, number, number, number];

/** Every per-layer assignment of `choices` to the four layers, first layer slowest. */
export function bitConfigs(choices: readonly number[] = SEED000_BITS): BitConfig[] {
  return bitAssignments(PRECODER_LAYERS.length, choices) as unknown as BitConfig[];
}

/** The paper's eight architectures, C_out slowest. */
export function seed000Archs(): { readonly cout: number; readonly dfcl: number }[] {
  return SEED000_COUTS.flatMap((cout) => SEED000_DFCLS.map((dfcl) => ({ cout, dfcl })));
}

export function seed000Space(nt = 64, nu = 4): PrecoderConfig[] {
  const bits = bitConfigs();
  return seed000Archs().flatMap(({ cout, dfcl }) => bits.map((b) => ({ cout, dfcl, nt, nu, bits: b })));
}
