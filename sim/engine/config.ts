/** The machine the engine simulates, and its validation (bad input names the field and value). */
import { InputError } from '../../core/errors.ts';

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
  /** Main memory → local buffer bandwidth in words per cycle; Infinity = unlimited. */
  readonly bandwidth: number;
  /** 'per-operand': ifmap, filter and output each have a channel of that bandwidth; 'shared': one. */
  readonly bandwidthSharing: 'per-operand' | 'shared';
  /** Local buffer capacity per operand, in words. */
  readonly localBufferWords: number;
  /** Main (on-chip) memory capacity in bits; what does not fit spills off chip. */
  readonly mainMemoryBits: number;
  /** Elementwise operations per cycle of the vector unit. */
  readonly vectorWidth: number;
  readonly batch: number;
  /** Clock for trace timestamps. */
  readonly clockMHz: number;
}

export const ENGINE_DEFAULTS: Omit<EngineConfig, 'rows' | 'cols'> = {
  mode: 'systolic',
  dataflow: 'ws',
  bandwidth: Infinity,
  bandwidthSharing: 'per-operand',
  localBufferWords: 64 * 1024,
  mainMemoryBits: 64 * 1024 * 1024 * 8,
  vectorWidth: 16,
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
  for (const field of ['rows', 'cols', 'batch', 'vectorWidth', 'localBufferWords'] as const) {
    if (!Number.isInteger(c[field]) || c[field] < 1) throw new InputError(field, c[field], 'allowed: a positive integer');
  }
  if (!(c.bandwidth > 0)) throw new InputError('bandwidth', c.bandwidth, 'allowed: a number of words per cycle > 0 (or unlimited)');
  if (!(c.mainMemoryBits > 0)) throw new InputError('mainMemoryBits', c.mainMemoryBits, 'allowed: a number > 0');
}
