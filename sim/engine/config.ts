/** The machine the engine simulates, and its validation (bad input names the field and value). */
import { InputError } from '../../core/errors.ts';
import type { MemoryModel } from './scratchpad.ts';
import { FIXED, type Datapath } from '../datapath.ts';

export const DATAFLOWS = ['os', 'ws', 'is'] as const;
export type Dataflow = (typeof DATAFLOWS)[number];
export const MODES = ['ideal', 'systolic'] as const;
export type EngineMode = (typeof MODES)[number];

export interface EngineConfig {
  readonly mode: EngineMode;
  readonly dataflow: Dataflow;
  /** MAC array rows R and columns C (p = R·C). */
  readonly rows: number;
  readonly cols: number;
  /**
   * Main memory ↔ local buffer bandwidth of each operand's channel (ifmap, filter, output), in
   * words per cycle; Infinity = unlimited. Finite bandwidth runs SCALE-Sim v2's scratchpad model
   * (sim/engine/scratchpad.ts), which moves whole elements: a channel must carry at least one.
   */
  readonly bandwidth: number;
  /** Local buffer (SCALE-Sim's SRAM) capacity per operand, in words. */
  readonly localBufferWords: Readonly<Record<Operand, number>>;
  /** Width of a memory word in bits (SCALE-Sim: 8). */
  readonly wordBits: number;
  /**
   * How an element occupies memory: 'word' = one word each whatever its bits (SCALE-Sim), 'bits'
   * = packed at its precision, so a 4-bit weight takes half the space and bandwidth of an 8-bit one.
   */
  readonly packing: Packing;
  /** How the buffers move data: streaming (the default; sim/engine/stream-buffers.ts), SCALE-Sim's rules exactly, or those with one refetch (sim/engine/scratchpad.ts). */
  readonly memoryModel: MemoryModel;
  /** Main (on-chip) memory capacity in bits; what does not fit spills off chip. */
  readonly mainMemoryBits: number;
  /** Elementwise operations per cycle of the vector unit. */
  readonly vectorWidth: number;
  /** How a PE's speed depends on its operands' bits (sim/datapath.ts): fixed, or precision-scalable. */
  readonly datapath: Datapath;
  readonly batch: number;
  /** Clock for trace timestamps. */
  readonly clockMHz: number;
}

export const MEMORY_MODELS = ['stream', 'refetch', 'scalesim'] as const satisfies readonly MemoryModel[];

export const OPERANDS = ['ifmap', 'filter', 'output'] as const;
export type Operand = (typeof OPERANDS)[number];
export const PACKINGS = ['word', 'bits'] as const;
export type Packing = (typeof PACKINGS)[number];

/** The same capacity for the three local buffers. */
export const eachBuffer = (words: number): Readonly<Record<Operand, number>> => ({ ifmap: words, filter: words, output: words });

export const ENGINE_DEFAULTS: Omit<EngineConfig, 'rows' | 'cols'> = {
  mode: 'systolic',
  dataflow: 'ws',
  bandwidth: Infinity,
  localBufferWords: eachBuffer(64 * 1024),
  wordBits: 8,
  packing: 'bits',
  memoryModel: 'stream',
  mainMemoryBits: 64 * 1024 * 1024 * 8,
  vectorWidth: 16,
  datapath: FIXED,
  batch: 1,
  clockMHz: 1000,
};

/** The squarest R×C with R·C = p (R ≤ C). */
export function arrayForP(p: number): { rows: number; cols: number } {
  if (!Number.isInteger(p) || p < 1) throw new InputError('p', p, 'allowed: a positive integer number of PEs');
  let rows = Math.floor(Math.sqrt(p));
  while (p % rows !== 0) rows--;
  return { rows, cols: p / rows };
}

/** Parses "RxC". */
export function parseArray(raw: string): { rows: number; cols: number } {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InputError('array', raw, 'allowed: RxC with positive integers, e.g. 8x8');
  return { rows: Number(m[1]), cols: Number(m[2]) };
}

export function validateEngineConfig(c: EngineConfig): void {
  if (!(DATAFLOWS as readonly string[]).includes(c.dataflow)) throw new InputError('dataflow', c.dataflow, `allowed: ${DATAFLOWS.join(', ')}`);
  if (!(MODES as readonly string[]).includes(c.mode)) throw new InputError('mode', c.mode, `allowed: ${MODES.join(', ')}`);
  for (const field of ['rows', 'cols', 'batch', 'vectorWidth', 'wordBits'] as const) {
    if (!Number.isInteger(c[field]) || c[field] < 1) throw new InputError(field, c[field], 'allowed: a positive integer');
  }
  for (const operand of OPERANDS) {
    const words = c.localBufferWords[operand];
    if (!Number.isInteger(words) || words < 1) throw new InputError(`localBufferWords.${operand}`, words, 'allowed: a positive integer number of words');
  }
  if (!(MEMORY_MODELS as readonly string[]).includes(c.memoryModel)) throw new InputError('memoryModel', c.memoryModel, `allowed: ${MEMORY_MODELS.join(', ')}`);
  if (!(PACKINGS as readonly string[]).includes(c.packing)) throw new InputError('packing', c.packing, `allowed: ${PACKINGS.join(', ')}`);
  if (!(c.bandwidth > 0)) throw new InputError('bandwidth', c.bandwidth, 'allowed: a number of words per cycle > 0 (or unlimited)');
  if (!(c.mainMemoryBits > 0)) throw new InputError('mainMemoryBits', c.mainMemoryBits, 'allowed: a number > 0');
}

/** Elements of `bits` an operand's local buffer holds and its channel carries per cycle. */
export function elementBudget(c: EngineConfig, operand: Operand, bits: number): { capacity: number; bandwidth: number } {
  const elementBits = c.packing === 'word' ? c.wordBits : bits;
  const capacity = Math.floor((c.localBufferWords[operand] * c.wordBits) / elementBits);
  if (capacity < 2) {
    throw new InputError(`localBufferWords.${operand}`, c.localBufferWords[operand], `allowed: room for at least 2 elements of ${elementBits} bits (an active and a prefetch half) in ${c.wordBits}-bit words`);
  }
  if (c.bandwidth === Infinity) return { capacity, bandwidth: Infinity };
  const bandwidth = (c.bandwidth * c.wordBits) / elementBits;
  if (!Number.isInteger(bandwidth) || bandwidth < 1) {
    throw new InputError('bandwidth', c.bandwidth, `allowed: a whole number ≥ 1 of ${elementBits}-bit ${operand} elements per cycle in ${c.wordBits}-bit words (a multiple of ${elementBits / gcd(elementBits, c.wordBits) / (c.wordBits / gcd(elementBits, c.wordBits))} words)`);
  }
  return { capacity, bandwidth };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
