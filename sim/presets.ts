/**
 * Hardware presets: every constant of the energy model lives here, by name, so a user can see
 * how conclusions move when a convention changes. The closed-form model (sim/energy) and the
 * engine (sim/engine) price accesses with the same table (accessEnergies).
 */
import { InputError } from '../core/errors.ts';
import type { Precision } from '../nets/graph.ts';

/** Which bit width prices a term: the op's weight bits, its activation bits, the wider of the
 * two, or their geometric mean (a Q_w×Q_a multiplier's cost grows with the product). */
export type BitSource = 'weight' | 'activation' | 'max' | 'geomean';

/** How a memory access's energy grows with the bits moved: like a MAC (the paper's
 * E_M = 2·E_MAC(Q)), or linearly (an SRAM read costs about the same per bit). */
export type MemoryScaling = 'mac' | 'linear';

/** How the number of parallel PEs follows the bit width Q. */
export type ParallelismRule = 'proportional' | 'iso-area' | 'fixed';

export interface HardwarePreset {
  readonly name: string;
  readonly summary: string;
  /** E_MAC(Q) = alpha · (Q / referenceBits)^beta, in pJ. */
  readonly mac: { readonly alpha_pJ: number; readonly beta: number; readonly referenceBits: number };
  /** E_M: main on-chip memory access, as a multiple of E_MAC at the same width. */
  readonly mainMemory: { readonly relativeToMac: number; readonly scaling: MemoryScaling };
  /** E_L: local buffer access, as a multiple of E_MAC at the same width. */
  readonly localBuffer: { readonly relativeToMac: number; readonly scaling: MemoryScaling };
  /** Off-chip (DRAM) access per word, as a multiple of E_MAC at the reference width; linear in
   * bits. Only the engine counts off-chip traffic (the closed form assumes the model fits). */
  readonly offChip: { readonly relativeToMac: number };
  /** p at the reference width, and how it follows Q: proportional p = p₀·Q/ref, iso-area p = p₀·ref/Q. */
  readonly parallelism: { readonly rule: ParallelismRule; readonly atReference: number };
  /**
   * Laws of `codesign laws` that only some energy tables satisfy, which this one promises to
   * (e.g. 'energy-rises-with-bits'); a law a table does not promise is skipped with that reason.
   */
  readonly promises?: readonly string[];
  /** Which bits price which term. */
  readonly pricing: {
    readonly compute: BitSource;
    readonly weightMain: BitSource;
    readonly weightLocal: BitSource;
    readonly activationMain: BitSource;
    readonly activationLocal: BitSource;
    readonly parallelism: BitSource;
  };
}

/**
 * Kasalaee et al. 2025 (seed 000), eq. (7)–(11) and (14): α = 0.86 pJ, β = 1.9, E_M = 2E_L = 2E_MAC,
 * p = 64·Q/16. The paper quantizes weights only; activations stay at 16 bits. Reading chosen for
 * "which Q prices which term" (docs/energy-model.md, docs/reproduction.md compare the others):
 * the MAC and the packed weight store in main memory at the weight bits; the local buffers feed
 * the array at its datapath width, the activation bits, which also set p.
 */
export const KASALAEE_2025: HardwarePreset = {
  name: 'kasalaee2025',
  summary: "Seed 000's model: α=0.86 pJ, β=1.9, E_M=2E_L=2E_MAC, p=64·Q/16; local buffers at the datapath (activation) width",
  mac: { alpha_pJ: 0.86, beta: 1.9, referenceBits: 16 },
  mainMemory: { relativeToMac: 2, scaling: 'mac' },
  localBuffer: { relativeToMac: 1, scaling: 'mac' },
  // Horowitz 2014: a 64-bit DRAM access ≈ 1.3–2.6 nJ vs ≈ 1 pJ for a 16-bit multiply-add.
  offChip: { relativeToMac: 100 },
  parallelism: { rule: 'proportional', atReference: 64 },
  promises: ['energy-rises-with-bits'],
  pricing: {
    compute: 'weight',
    weightMain: 'weight',
    weightLocal: 'activation',
    activationMain: 'activation',
    activationLocal: 'activation',
    parallelism: 'activation',
  },
};

/**
 * The same constants with every access priced at the bits of the data it moves and p following
 * the weight bits — the most literal per-operand reading of eq. (10)–(11).
 */
export const KASALAEE_PER_OPERAND: HardwarePreset = {
  ...KASALAEE_2025,
  name: 'kasalaee-per-operand',
  summary: 'Seed 000 constants; each access at the bits of the data it moves, p = 64·Q_w/16',
  // p follows the weight bits here, so the activations' local-buffer term falls as weight bits rise.
  promises: [],
  pricing: {
    compute: 'weight',
    weightMain: 'weight',
    weightLocal: 'weight',
    activationMain: 'activation',
    activationLocal: 'activation',
    parallelism: 'weight',
  },
};

/**
 * A physically motivated alternative: memory energy linear in the bits moved (an SRAM access
 * costs about the same per bit, unlike a multiplier), a Q_w×Q_a multiplier priced at the
 * geometric mean of the widths (its cost grows with the product), and iso-area parallelism —
 * narrower PEs mean more of them in the same silicon, p = 64·16/Q at the wider operand.
 */
export const ISO_AREA_LINEAR: HardwarePreset = {
  name: 'iso-area-linear',
  summary: 'Memory energy linear in bits, MAC at √(Q_w·Q_a), iso-area p = 64·16/max(Q_w,Q_a)',
  mac: { alpha_pJ: 0.86, beta: 1.9, referenceBits: 16 },
  mainMemory: { relativeToMac: 2, scaling: 'linear' },
  localBuffer: { relativeToMac: 1, scaling: 'linear' },
  offChip: { relativeToMac: 100 },
  parallelism: { rule: 'iso-area', atReference: 64 },
  pricing: {
    compute: 'geomean',
    weightMain: 'weight',
    weightLocal: 'weight',
    activationMain: 'activation',
    activationLocal: 'activation',
    parallelism: 'max',
  },
};

export const PRESETS: readonly HardwarePreset[] = [KASALAEE_2025, KASALAEE_PER_OPERAND, ISO_AREA_LINEAR];
export const DEFAULT_PRESET = KASALAEE_2025;

export function presetByName(name: string): HardwarePreset {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new InputError('preset', name, `allowed: ${PRESETS.map((p) => p.name).join(', ')}`);
  return preset;
}

export function bitsOf(source: BitSource, precision: Precision): number {
  switch (source) {
    case 'weight':
      return precision.weightBits;
    case 'activation':
      return precision.activationBits;
    case 'max':
      return Math.max(precision.weightBits, precision.activationBits);
    case 'geomean':
      return Math.sqrt(precision.weightBits * precision.activationBits);
  }
}

/** Energy of one access or operation, in pJ, by kind — the one price list the models share. */
export interface AccessEnergies {
  readonly mac: number;
  readonly weightMain: number;
  readonly weightLocal: number;
  readonly activationMain: number;
  readonly activationLocal: number;
  readonly weightOffChip: number;
  readonly activationOffChip: number;
  /** Parallel execution units p. */
  readonly p: number;
}

export function macEnergy(preset: HardwarePreset, bits: number): number {
  return preset.mac.alpha_pJ * Math.pow(bits / preset.mac.referenceBits, preset.mac.beta);
}

function memoryEnergy(preset: HardwarePreset, memory: HardwarePreset['mainMemory'], bits: number): number {
  const perMac =
    memory.scaling === 'mac' ? macEnergy(preset, bits) : preset.mac.alpha_pJ * (bits / preset.mac.referenceBits);
  return memory.relativeToMac * perMac;
}

export function parallelism(preset: HardwarePreset, bits: number): number {
  const { rule, atReference } = preset.parallelism;
  const ref = preset.mac.referenceBits;
  if (rule === 'proportional') return (atReference * bits) / ref;
  if (rule === 'iso-area') return (atReference * ref) / bits;
  return atReference;
}

/** The per-access energies of an op run at `precision`; `p` overrides the preset's rule. */
export function accessEnergies(preset: HardwarePreset, precision: Precision, p?: number): AccessEnergies {
  const at = (source: BitSource) => bitsOf(source, precision);
  const { pricing } = preset;
  return {
    mac: macEnergy(preset, at(pricing.compute)),
    weightMain: memoryEnergy(preset, preset.mainMemory, at(pricing.weightMain)),
    weightLocal: memoryEnergy(preset, preset.localBuffer, at(pricing.weightLocal)),
    activationMain: memoryEnergy(preset, preset.mainMemory, at(pricing.activationMain)),
    activationLocal: memoryEnergy(preset, preset.localBuffer, at(pricing.activationLocal)),
    weightOffChip: preset.offChip.relativeToMac * preset.mac.alpha_pJ * (precision.weightBits / preset.mac.referenceBits),
    activationOffChip: preset.offChip.relativeToMac * preset.mac.alpha_pJ * (precision.activationBits / preset.mac.referenceBits),
    p: p ?? parallelism(preset, at(pricing.parallelism)),
  };
}
