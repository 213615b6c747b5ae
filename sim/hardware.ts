/**
 * What a hardware table is, as types: the energy table (relative to E_MAC as seed 000 writes it,
 * or absolute pJ per action) and the machine the engine simulates. Read from files by
 * hardware-file.ts, shipped and looked up by presets.ts; here without either, so neither needs
 * the other to say what a table is.
 */
import type { Datapath } from './datapath.ts';
import type { Dataflow, Packing } from './engine/config.ts';

/** Which bit width prices a term: the op's weight bits, its activation bits, the wider of the
 * two, or their geometric mean (a Q_w×Q_a multiplier's cost grows with the product). */
export type BitSource = 'weight' | 'activation' | 'max' | 'geomean';

/** How a memory access's energy grows with the bits moved: like a MAC (the paper's
 * E_M = 2·E_MAC(Q)), or linearly (an SRAM read costs about the same per bit). */
export type MemoryScaling = 'mac' | 'linear';

/** How the number of parallel PEs follows the bit width Q. */
export type ParallelismRule = 'proportional' | 'iso-area' | 'fixed';

/** Which bits price which term. */
export interface Pricing {
  readonly compute: BitSource;
  readonly weightMain: BitSource;
  readonly weightLocal: BitSource;
  readonly activationMain: BitSource;
  readonly activationLocal: BitSource;
  readonly parallelism: BitSource;
}

/**
 * The machine a hardware file describes, for the engine (`simulate`): the array, its local
 * buffers (SCALE-Sim's SRAMs), main memory, the channel between them, clock and memory words.
 */
export interface Architecture {
  readonly rows: number;
  readonly cols: number;
  readonly dataflow: Dataflow;
  readonly localBuffersKB: { readonly ifmap: number; readonly filter: number; readonly output: number };
  readonly mainMemoryKB: number;
  /** Words per cycle of each operand's channel; Infinity = unlimited. */
  readonly bandwidthWordsPerCycle: number;
  readonly clockMHz: number;
  readonly wordBits: number;
  readonly packing: Packing;
  /** How a PE's speed (and MAC energy) depends on bits; fixed when absent (sim/datapath.ts). */
  readonly datapath?: Datapath;
}

interface PresetBase {
  readonly name: string;
  readonly summary: string;
  /** p at the reference width, and how it follows Q: proportional p = p₀·Q/ref, iso-area p = p₀·ref/Q. */
  readonly parallelism: { readonly rule: ParallelismRule; readonly atReference: number };
  /**
   * Laws of `codesign laws` that only some energy tables satisfy, which this one promises to
   * (e.g. 'energy-rises-with-bits'); a law a table does not promise is skipped with that reason.
   */
  readonly promises?: readonly string[];
  readonly pricing: Pricing;
  /** Where every number comes from (shipped files cite their papers). */
  readonly sources?: readonly string[];
  readonly architecture?: Architecture;
}

/** The paper's form: every energy relative to E_MAC at the same width. */
export interface RelativePreset extends PresetBase {
  readonly form?: 'relative';
  /** E_MAC(Q) = alpha · (Q / referenceBits)^beta, in pJ. */
  readonly mac: { readonly alpha_pJ: number; readonly beta: number; readonly referenceBits: number };
  /** E_M: main on-chip memory access, as a multiple of E_MAC at the same width. */
  readonly mainMemory: { readonly relativeToMac: number; readonly scaling: MemoryScaling };
  /** E_L: local buffer access, as a multiple of E_MAC at the same width. */
  readonly localBuffer: { readonly relativeToMac: number; readonly scaling: MemoryScaling };
  /** Off-chip (DRAM) access per word, as a multiple of E_MAC at the reference width; linear in
   * bits. Only the engine counts off-chip traffic (the closed form assumes the model fits). */
  readonly offChip: { readonly relativeToMac: number };
}

/** Energy of one action at one width, pJ (a published point). */
export interface EnergyPoint {
  readonly bits: number;
  readonly pJ: number;
}

/** Reads and writes of a memory level, pJ per bit moved. */
export interface PerBit {
  readonly readPJPerBit: number;
  readonly writePJPerBit: number;
}

/**
 * Absolute energies per action, as a circuit table gives them. A MAC is either listed whole
 * (`mac`) or a multiply plus an add at the priced width; between listed widths energy follows the
 * power law through the two neighbours (log-log), beyond them the nearest segment's, or
 * `exponent` when one point is listed.
 */
export interface AbsoluteEnergy {
  readonly mac?: readonly EnergyPoint[];
  readonly multiply?: readonly EnergyPoint[];
  readonly add?: readonly EnergyPoint[];
  /** Growth exponent used beyond a table with a single point. */
  readonly exponent: number;
  readonly localBuffer: PerBit;
  readonly mainMemory: PerBit;
  readonly offChip: PerBit;
  /** Width p's rule refers to. */
  readonly referenceBits: number;
}

export interface AbsolutePreset extends PresetBase {
  readonly form: 'absolute';
  readonly absolute: AbsoluteEnergy;
}

export type HardwarePreset = RelativePreset | AbsolutePreset;

/** The tables shipped in hardware/, in the order `codesign presets` lists them. */
