/**
 * Hardware presets: every constant of the energy model lives here, by name, so a user can see
 * how conclusions move when a convention changes. The closed-form model (sim/energy) and the
 * engine (sim/engine) price accesses with the same table (accessEnergies).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { validateHardware } from './hardware-file.ts';
import type { Precision } from '../nets/graph.ts';
import { datapathReferenceBits, macsPerCycle } from './datapath.ts';

export type { AbsoluteEnergy, AbsolutePreset, Architecture, BitSource, EnergyPoint, HardwarePreset, MemoryScaling, ParallelismRule, PerBit, Pricing, RelativePreset } from './hardware.ts';
import type { BitSource, EnergyPoint, HardwarePreset, RelativePreset } from './hardware.ts';

export const SHIPPED_HARDWARE = ['kasalaee2025', 'kasalaee-per-operand', 'iso-area-linear', 'horowitz-45nm', 'zigzag-tpu-like', 'bitfusion-45nm'] as const;

function shipped(name: string): HardwarePreset {
  const file = new URL(`../hardware/${name}.json`, import.meta.url);
  return validateHardware(JSON.parse(readFileSync(file, 'utf8')), `hardware/${name}.json`);
}

function relative(preset: HardwarePreset): RelativePreset {
  if (preset.form === 'absolute') throw new Error(`hardware/${preset.name}.json: expected the relative form`);
  return preset;
}

export const PRESETS: readonly HardwarePreset[] = SHIPPED_HARDWARE.map(shipped);
/**
 * Kasalaee et al. 2025 (seed 000), eq. (7)–(11) and (14): α = 0.86 pJ, β = 1.9, E_M = 2E_L = 2E_MAC,
 * p = 64·Q/16 (hardware/kasalaee2025.json gives the reading of which Q prices which term).
 */
export const KASALAEE_2025 = relative(PRESETS[0]);
/** The same constants with every access priced at the bits of the data it moves, p following the weight bits. */
export const KASALAEE_PER_OPERAND = relative(PRESETS[1]);
/** Memory energy linear in bits, a MAC at √(Q_w·Q_a), iso-area p = 64·16/max(Q_w, Q_a). */
export const ISO_AREA_LINEAR = relative(PRESETS[2]);
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
  /** Writes, where a table prices them apart from reads (the relative form does not). */
  readonly activationMainWrite: number;
  readonly activationLocalWrite: number;
  readonly activationOffChipWrite: number;
  /** Parallel execution units p. */
  readonly p: number;
}

/** The width p's rule and the relative form's power law refer to. */
export function referenceBits(preset: HardwarePreset): number {
  return preset.form === 'absolute' ? preset.absolute.referenceBits : preset.mac.referenceBits;
}

/** A table's energy at `bits`: power law through the neighbouring points (log-log). */
export function tableEnergy(points: readonly EnergyPoint[], bits: number, exponent: number): number {
  if (points.length === 0) return 0;
  const sorted = [...points].sort((a, b) => a.bits - b.bits);
  const exact = sorted.find((p) => p.bits === bits);
  if (exact) return exact.pJ;
  if (sorted.length === 1) return sorted[0].pJ * Math.pow(bits / sorted[0].bits, exponent);
  let i = sorted.findIndex((p) => p.bits > bits);
  if (i <= 0) i = i === 0 ? 1 : sorted.length - 1;
  const lo = sorted[i - 1];
  const hi = sorted[i];
  const slope = Math.log(hi.pJ / lo.pJ) / Math.log(hi.bits / lo.bits);
  return lo.pJ * Math.pow(bits / lo.bits, slope);
}

export function macEnergy(preset: HardwarePreset, bits: number): number {
  if (preset.form === 'absolute') {
    const t = preset.absolute;
    if (t.mac) return tableEnergy(t.mac, bits, t.exponent);
    return tableEnergy(t.multiply ?? [], bits, t.exponent) + tableEnergy(t.add ?? [], bits, t.exponent);
  }
  return preset.mac.alpha_pJ * Math.pow(bits / preset.mac.referenceBits, preset.mac.beta);
}

function memoryEnergy(preset: RelativePreset, memory: RelativePreset['mainMemory'], bits: number): number {
  const perMac =
    memory.scaling === 'mac' ? macEnergy(preset, bits) : preset.mac.alpha_pJ * (bits / preset.mac.referenceBits);
  return memory.relativeToMac * perMac;
}

export function parallelism(preset: HardwarePreset, bits: number): number {
  const { rule, atReference } = preset.parallelism;
  const ref = referenceBits(preset);
  if (rule === 'proportional') return (atReference * bits) / ref;
  if (rule === 'iso-area') return (atReference * ref) / bits;
  return atReference;
}

/**
 * A MAC's energy at `precision`: the table's at the priced width, or on a precision-scalable
 * datapath the table's MAC at the datapath's reference width (one unit-cycle) divided by the MACs
 * the unit does per cycle at these bits (sim/datapath.ts).
 */
export function macEnergyOf(preset: HardwarePreset, precision: Precision): number {
  const d = preset.architecture?.datapath;
  if (!d || d.kind === 'fixed') return macEnergy(preset, bitsOf(preset.pricing.compute, precision));
  return macEnergy(preset, datapathReferenceBits(d)) / macsPerCycle(d, precision.weightBits, precision.activationBits);
}

/** The per-access energies of an op run at `precision`; `p` overrides the preset's rule. */
export function accessEnergies(preset: HardwarePreset, precision: Precision, p?: number): AccessEnergies {
  const at = (source: BitSource) => bitsOf(source, precision);
  const { pricing } = preset;
  const units = p ?? parallelism(preset, at(pricing.parallelism));
  if (preset.form === 'absolute') {
    const t = preset.absolute;
    return {
      mac: macEnergyOf(preset, precision),
      weightMain: t.mainMemory.readPJPerBit * at(pricing.weightMain),
      weightLocal: t.localBuffer.readPJPerBit * at(pricing.weightLocal),
      activationMain: t.mainMemory.readPJPerBit * at(pricing.activationMain),
      activationLocal: t.localBuffer.readPJPerBit * at(pricing.activationLocal),
      weightOffChip: t.offChip.readPJPerBit * precision.weightBits,
      activationOffChip: t.offChip.readPJPerBit * precision.activationBits,
      activationMainWrite: t.mainMemory.writePJPerBit * at(pricing.activationMain),
      activationLocalWrite: t.localBuffer.writePJPerBit * at(pricing.activationLocal),
      activationOffChipWrite: t.offChip.writePJPerBit * precision.activationBits,
      p: units,
    };
  }
  const activationMain = memoryEnergy(preset, preset.mainMemory, at(pricing.activationMain));
  const activationLocal = memoryEnergy(preset, preset.localBuffer, at(pricing.activationLocal));
  const activationOffChip = preset.offChip.relativeToMac * preset.mac.alpha_pJ * (precision.activationBits / preset.mac.referenceBits);
  return {
    mac: macEnergyOf(preset, precision),
    weightMain: memoryEnergy(preset, preset.mainMemory, at(pricing.weightMain)),
    weightLocal: memoryEnergy(preset, preset.localBuffer, at(pricing.weightLocal)),
    activationMain,
    activationLocal,
    weightOffChip: preset.offChip.relativeToMac * preset.mac.alpha_pJ * (precision.weightBits / preset.mac.referenceBits),
    activationOffChip,
    activationMainWrite: activationMain,
    activationLocalWrite: activationLocal,
    activationOffChipWrite: activationOffChip,
    p: units,
  };
}
