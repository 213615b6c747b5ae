/**
 * Datapaths whose speed depends on bits. A fixed MAC takes one cycle whatever its operands'
 * widths; a precision-scalable one does more MACs per cycle at low bits and fewer at high bits:
 *
 * - `bit-fusion` (Sharma et al., ISCA 2018): a fusion unit of BitBricks (2 × 2-bit multipliers)
 *   fuses into 1 F-PE at `maxBits` × `maxBits` and up to (maxBits/minBits)² F-PEs at
 *   `minBits`; widths round up to powers of two. MACs per unit-cycle =
 *   (maxBits / w′)·(maxBits / a′), w′ = the power of two ≥ max(w, minBits) — the published
 *   simulator's perf factor ⌊pmax/a⌋·⌊pmax/w⌋, extended past maxBits by temporal passes (16 × 16
 *   bits on an 8-bit unit: 4 passes, 1/4 MAC per cycle).
 * - `bit-serial` (Stripes, Judd et al., MICRO 2016): weights enter `bitsPerCycle` bits a cycle on
 *   a PE sized for `referenceBits`: ⌈ref/s⌉ / ⌈w/s⌉ MACs per cycle.
 * - `packed` (SIMD MACs): a `laneBits`-wide MAC splits into ⌊laneBits / b⌋ lanes at b =
 *   max(w, a) bits, or takes ⌈b / laneBits⌉ passes above it.
 *
 * The unit burns about the same energy each cycle whatever it is fused into (BitFusion's own
 * synthesis gives one power per configuration of the array), so a MAC costs the table's MAC
 * energy at the reference width divided by the MACs per cycle.
 */
import { InputError } from '../core/errors.ts';

export type Datapath =
  | { readonly kind: 'fixed' }
  | { readonly kind: 'bit-fusion'; readonly maxBits: number; readonly minBits: number }
  | { readonly kind: 'bit-serial'; readonly bitsPerCycle: number; readonly referenceBits: number }
  | { readonly kind: 'packed'; readonly laneBits: number };

export type DatapathKind = Datapath['kind'];

export const FIXED: Datapath = { kind: 'fixed' };

/** Each kind's parameters with their published or conventional defaults (what `--datapath KIND` uses). */
export const DATAPATHS: { readonly [K in DatapathKind]: Extract<Datapath, { kind: K }> } = {
  fixed: { kind: 'fixed' },
  'bit-fusion': { kind: 'bit-fusion', maxBits: 8, minBits: 2 },
  'bit-serial': { kind: 'bit-serial', bitsPerCycle: 1, referenceBits: 16 },
  packed: { kind: 'packed', laneBits: 16 },
};

export const DATAPATH_KINDS = Object.keys(DATAPATHS) as DatapathKind[];

const pow2AtLeast = (b: number) => 2 ** Math.ceil(Math.log2(b));

/** MACs one PE completes per cycle at w-bit weights and a-bit activations (1 on a fixed datapath). */
export function macsPerCycle(d: Datapath, weightBits: number, activationBits: number): number {
  switch (d.kind) {
    case 'fixed':
      return 1;
    case 'bit-fusion': {
      const w = pow2AtLeast(Math.max(weightBits, d.minBits));
      const a = pow2AtLeast(Math.max(activationBits, d.minBits));
      return (d.maxBits / w) * (d.maxBits / a);
    }
    case 'bit-serial':
      return Math.ceil(d.referenceBits / d.bitsPerCycle) / Math.ceil(weightBits / d.bitsPerCycle);
    case 'packed': {
      const b = Math.max(weightBits, activationBits);
      return b <= d.laneBits ? Math.floor(d.laneBits / b) : 1 / Math.ceil(b / d.laneBits);
    }
  }
}

/**
 * How a PE realises its rate: `lanes` reduction elements side by side (a fused dot product) each
 * pass, `passes` cycles per pass. One of them is 1.
 */
export function lanesAndPasses(d: Datapath, weightBits: number, activationBits: number): { readonly lanes: number; readonly passes: number } {
  const m = macsPerCycle(d, weightBits, activationBits);
  return m >= 1 ? { lanes: Math.floor(m), passes: 1 } : { lanes: 1, passes: Math.ceil(1 / m) };
}

/** The width at which the datapath does one MAC per cycle (its table's MAC energy is read there). */
export function datapathReferenceBits(d: Exclude<Datapath, { kind: 'fixed' }>): number {
  return d.kind === 'bit-fusion' ? d.maxBits : d.kind === 'bit-serial' ? d.referenceBits : d.laneBits;
}

export function describeDatapath(d: Datapath): string {
  switch (d.kind) {
    case 'fixed':
      return 'fixed (one MAC per PE per cycle at any bits)';
    case 'bit-fusion':
      return `bit-fusion (${d.maxBits}×${d.maxBits}-bit fusion units of ${d.minBits}-bit bricks)`;
    case 'bit-serial':
      return `bit-serial (${d.bitsPerCycle} weight bit${d.bitsPerCycle === 1 ? '' : 's'} a cycle, ${d.referenceBits}-bit PE)`;
    case 'packed':
      return `packed (${d.laneBits}-bit MACs split into lanes)`;
  }
}

/** Parses a datapath from a hardware file's object or a CLI kind; every problem names the field. */
export function datapathOf(raw: unknown, field = 'datapath'): Datapath {
  const o = typeof raw === 'string' ? { kind: raw } : raw;
  if (typeof o !== 'object' || o === null) throw new InputError(field, raw, `allowed: one of ${DATAPATH_KINDS.join(', ')}, or an object with a kind and its parameters`);
  const kind = (o as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(kind in DATAPATHS)) throw new InputError(`${field}.kind`, kind, `allowed: ${DATAPATH_KINDS.join(', ')}`);
  const d = { ...DATAPATHS[kind as DatapathKind], ...(o as object) } as Record<string, unknown>;
  for (const [key, value] of Object.entries(d)) {
    if (key === 'kind') continue;
    if (!(key in DATAPATHS[kind as DatapathKind])) throw new InputError(`${field}.${key}`, value, `allowed for ${kind}: ${Object.keys(DATAPATHS[kind as DatapathKind]).filter((k) => k !== 'kind').join(', ') || 'no parameters'}`);
    if (!Number.isInteger(value) || (value as number) < 1) throw new InputError(`${field}.${key}`, value, 'allowed: a positive whole number of bits');
  }
  if (kind === 'bit-fusion' && !((d.minBits as number) <= (d.maxBits as number) && Number.isInteger(Math.log2(d.maxBits as number)) && Number.isInteger(Math.log2(d.minBits as number)))) {
    throw new InputError(`${field}.minBits`, d.minBits, `allowed: a power of two ≤ maxBits (${d.maxBits}), itself a power of two (BitBricks fuse in powers of two)`);
  }
  return d as unknown as Datapath;
}
