/**
 * SLP-DNet (seed 002) as a Graph: the parameter-update module (PUM, 2 blocks × 3 proximity-
 * barrier nets for v, λ and γ, Table III) and the auxiliary processing module (APM, Table IV),
 * plus the log-barrier arithmetic, for M antennas and K users. The variants only change bits:
 *
 *   dnet     32-bit weights and activations;
 *   dbnet    binary weights (BWN), binary activations;
 *   dtnet    ternary weights (TWN, 2 bits), binary activations;
 *   dsqbnet  a fraction QR of each quantized layer's rows binary, the rest float; 2-bit activations;
 *   dsqtnet  the same with ternary rows.
 *
 * "Only the first and second convolutions are quantized, while the last convolution is not"
 * (seed 002, §IV-E): the barrier nets' conv and FC and the APM's first two convs are the
 * quantized layers; the APM's last conv, BN and PReLU stay float. A stochastic (DSQ) layer is
 * written as two ops — its quantized rows and its float rows — joined by a channel concat (or,
 * for the barrier FC, by adding the two partial products of its input rows, which come from the
 * two halves of the conv before it), so the energy model and engine price each part at its bits.
 *
 * Where Tables III–IV's shapes do not compose (a 3×3 "same" conv cannot turn width K into K² or
 * (2M, K) into (K, 2KM)), we take the reading whose MACs equal Table I's terms exactly:
 *   - the barrier nets read the K² user-pair rotated channels, (1, 2M, K²), so conv 20 → 360K²M
 *     and FC 20·2M·K² → 1 → 40K²M MACs: 400K²M per barrier net;
 *   - the APM's second conv reads conv 1's output replicated over the K users, (16, K, 2KM):
 *     2304K²M MACs; an average over the user axis feeds the last conv, (8, 2KM, 1): 144KM;
 *     with conv 1's 288KM the APM is 2304K²M + 432KM.
 * Table I's 2704K²M is one barrier net plus the APM; the full PUM has six (docs/slp.md).
 */
import { InputError } from '../core/errors.ts';
import { positiveInt } from '../core/validate.ts';
import { graphBuilder, type GraphBuilder } from './builder.ts';
import type { Graph, Precision } from './graph.ts';

export const SLP_VARIANTS = ['dnet', 'dbnet', 'dtnet', 'dsqbnet', 'dsqtnet'] as const;
export type SlpVariant = (typeof SLP_VARIANTS)[number];

export interface SlpNetConfig {
  /** BS antennas M. */
  readonly m: number;
  /** Users K. */
  readonly k: number;
  readonly variant?: SlpVariant;
  /** Quantization ratio of the stochastic variants: the fraction of each quantized layer's rows. */
  readonly qr?: number;
  /** PUM blocks (Table II: 2). */
  readonly blocks?: number;
}

export const SLP_DEFAULTS = { m: 4, k: 4, variant: 'dnet' as SlpVariant, qr: 0.5, blocks: 2 };
export const PUM_COMPONENTS = ['v', 'lambda', 'gamma'] as const;

const FLOAT = 32;
/** Bits of a quantized weight: BWN 1, TWN 2 (three levels). */
export const WEIGHT_BITS: Record<SlpVariant, number> = { dnet: FLOAT, dbnet: 1, dtnet: 2, dsqbnet: 1, dsqtnet: 2 };
/** Activation bits (Table V): float, {−1,+1}, or the 2-bit function of eq. (22). */
export const ACTIVATION_BITS: Record<SlpVariant, number> = { dnet: FLOAT, dbnet: 1, dtnet: 1, dsqbnet: 2, dsqtnet: 2 };

/** How many of `rows` rows a layer quantizes: all, none, or round(QR·rows) for the stochastic variants. */
export function quantizedRows(variant: SlpVariant, qr: number, rows: number): number {
  if (variant === 'dnet') return 0;
  if (variant === 'dbnet' || variant === 'dtnet') return rows;
  return Math.round(qr * rows);
}

export function checkSlpConfig(c: SlpNetConfig): Required<SlpNetConfig> {
  const m = positiveInt('m', c.m, 1024);
  const k = positiveInt('k', c.k, 1024);
  const variant = c.variant ?? SLP_DEFAULTS.variant;
  if (!(SLP_VARIANTS as readonly string[]).includes(variant)) throw new InputError('variant', variant, `allowed for slpdnet: ${SLP_VARIANTS.join(', ')}`);
  const qr = c.qr ?? SLP_DEFAULTS.qr;
  if (!(qr >= 0 && qr <= 1)) throw new InputError('qr', qr, 'allowed: a fraction from 0 to 1');
  const blocks = positiveInt('blocks', c.blocks ?? SLP_DEFAULTS.blocks, 64);
  return { m, k, variant, qr, blocks };
}

interface Ctx {
  readonly b: GraphBuilder;
  readonly variant: SlpVariant;
  readonly qr: number;
  /** Quantized rows, float rows. */
  readonly q: Precision;
  readonly f: Precision;
  /** Float parameters reading and writing the variant's activations (BN, PReLU). */
  readonly act: Precision;
}

/**
 * A quantized 3×3 "same" conv of `filters` rows: one op when all rows share their bits, else its
 * quantized rows and float rows as two ops. Returns the parts (op name, bits, name suffix) in channel order.
 */
function splitConv(c: Ctx, name: string, x: string, filters: number, bias: boolean): { name: string; p: Precision; suffix: string }[] {
  const nq = quantizedRows(c.variant, c.qr, filters);
  const parts: { name: string; channels: number; p: Precision; suffix: string }[] = [];
  if (nq > 0) parts.push({ name, channels: nq, p: c.q, suffix: nq < filters ? '.q' : '' });
  if (nq < filters) parts.push({ name, channels: filters - nq, p: c.f, suffix: nq > 0 ? '.f' : '' });
  return parts.map((part) => ({
    name: c.b.add(`${name}${part.suffix}`, { kind: 'conv2d', filters: part.channels, kernel: [3, 3], stride: [1, 1], padding: 'same', groups: 1, bias }, [x], part.p),
    p: part.p,
    suffix: part.suffix,
  }));
}

function joined(c: Ctx, name: string, parts: readonly { name: string }[]): string {
  return parts.length === 1 ? parts[0].name : c.b.add(`${name}.concat`, { kind: 'concat' }, parts.map((p) => p.name), c.act);
}

/** Table III: conv 20 (3×3, zero padding) → avg pool (1,1) → softplus → flatten → FC → softplus. */
function barrierNet(c: Ctx, name: string, x: string): string {
  const parts = splitConv(c, `${name}.conv`, x, 20, true);
  const rows = parts.map(({ name: conv, p, suffix }, i) => {
    let y = c.b.add(`${name}.pool${suffix}`, { kind: 'avgpool', pool: [1, 1], stride: [1, 1] }, [conv], c.act);
    y = c.b.add(`${name}.softplus${suffix}`, { kind: 'softplus' }, [y], c.act);
    y = c.b.add(`${name}.flatten${suffix}`, { kind: 'flatten' }, [y], c.act);
    // The FC's input rows follow the conv's channel split; only the float part carries the bias.
    return c.b.add(`${name}.fc${suffix}`, { kind: 'dense', units: 1, bias: i === parts.length - 1 }, [y], p);
  });
  const sum = rows.length === 1 ? rows[0] : c.b.add(`${name}.fc`, { kind: 'add' }, rows, c.act);
  return c.b.add(`${name}.out`, { kind: 'softplus' }, [sum], { weightBits: FLOAT, activationBits: FLOAT });
}

/** Table IV: conv 16 → BN → PReLU → conv 8 → BN → PReLU → conv 1 (3×3, unit padding). */
function apm(c: Ctx, m: number, k: number, x: string): string {
  let y = joined(c, 'apm.conv1', splitConv(c, 'apm.conv1', x, 16, false));
  y = c.b.add('apm.bn1', { kind: 'batchnorm' }, [y], c.act);
  y = c.b.add('apm.prelu1', { kind: 'prelu' }, [y], c.act);
  if (k > 1) y = c.b.add('apm.users', { kind: 'concat' }, Array.from({ length: k }, () => y), c.act);
  y = c.b.add('apm.tile', { kind: 'reshape', shape: [16, k, 2 * k * m] }, [y], c.act);
  y = joined(c, 'apm.conv2', splitConv(c, 'apm.conv2', y, 8, false));
  y = c.b.add('apm.bn2', { kind: 'batchnorm' }, [y], c.act);
  y = c.b.add('apm.prelu2', { kind: 'prelu' }, [y], c.act);
  y = c.b.add('apm.pool', { kind: 'avgpool', pool: [k, 1], stride: [k, 1] }, [y], c.act);
  y = c.b.add('apm.column', { kind: 'reshape', shape: [8, 2 * k * m, 1] }, [y], c.act);
  return c.b.add('apm.conv3', { kind: 'conv2d', filters: 1, kernel: [3, 3], stride: [1, 1], padding: 'same', groups: 1, bias: true }, [y], { weightBits: FLOAT, activationBits: FLOAT });
}

/** The 'log' barrier terms of the non-robust SLP-DNet: 4M²K + 2MK + K arithmetic operations (§IV-E). */
export function logBarrierOps(m: number, k: number): number {
  return 4 * m * m * k + 2 * m * k + k;
}

export function buildSlpDnet(config: SlpNetConfig): Graph {
  const { m, k, variant, qr, blocks } = checkSlpConfig(config);
  const wb = WEIGHT_BITS[variant];
  const ab = ACTIVATION_BITS[variant];
  const b = graphBuilder(`slp-${variant}(M=${m},K=${k}${variant.startsWith('dsq') ? `,QR=${qr}` : ''})`, { weightBits: FLOAT, activationBits: ab });
  const c: Ctx = { b, variant, qr, q: { weightBits: wb, activationBits: ab }, f: { weightBits: FLOAT, activationBits: ab }, act: { weightBits: FLOAT, activationBits: ab } };
  const pairs = b.add('pum.input', { kind: 'input', shape: [1, 2 * m, k * k] });
  for (let block = 1; block <= blocks; block++) {
    for (const component of PUM_COMPONENTS) barrierNet(c, `pum${block}.${component}`, pairs);
  }
  const x = b.add('apm.input', { kind: 'input', shape: [1, 2 * m, k] });
  apm(c, m, k, x);
  b.add('barrier.log', { kind: 'trace', macs: logBarrierOps(m, k), elementwise: 0, note: 'log-barrier terms, 4M²K + 2MK + K (seed 002 §IV-E)' }, [], {
    weightBits: FLOAT,
    activationBits: FLOAT,
  });
  return b.build();
}

/**
 * The network we train for SLP (nets/slp-train.ts, docs/slp.md): Table IV's APM trunk (conv 16 →
 * BN → PReLU → conv 8 → BN → PReLU, 3×3, unit padding) on the K rotated channels (1, 2M, K),
 * and an FC to 2K outputs (Table III's tail) that a parameter-free layer turns into received
 * points or multipliers. The convs are the quantized layers; the FC stays float.
 * `split` writes a stochastic layer as its quantized and float rows (for pricing); training
 * keeps one op per layer and masks its rows (GraphModel.setRowMask).
 */
export function buildSlpNet(config: SlpNetConfig & { readonly split?: boolean; readonly input?: 'channels' | 'gram' }): Graph {
  const { m, k, variant, qr } = checkSlpConfig(config);
  const wb = WEIGHT_BITS[variant];
  const ab = ACTIVATION_BITS[variant];
  const b = graphBuilder(`slp-learned-${variant}(M=${m},K=${k}${variant.startsWith('dsq') ? `,QR=${qr}` : ''})`, { weightBits: FLOAT, activationBits: ab });
  const split = config.split ?? true;
  // Unsplit, a stochastic layer carries its quantized bits; the row mask keeps the other rows float.
  const c: Ctx = {
    b,
    variant: split || !variant.startsWith('dsq') ? variant : variant === 'dsqbnet' ? 'dbnet' : 'dtnet',
    qr,
    q: { weightBits: wb, activationBits: ab },
    f: { weightBits: FLOAT, activationBits: ab },
    act: { weightBits: FLOAT, activationBits: ab },
  };
  let y = b.add('input', { kind: 'input', shape: config.input === 'gram' ? [1, 2 * k, 2 * k] : [1, 2 * m, k] });
  y = joined(c, 'conv1', splitConv(c, 'conv1', y, 16, false));
  y = b.add('bn1', { kind: 'batchnorm' }, [y], c.act);
  y = b.add('prelu1', { kind: 'prelu' }, [y], c.act);
  y = joined(c, 'conv2', splitConv(c, 'conv2', y, 8, false));
  y = b.add('bn2', { kind: 'batchnorm' }, [y], c.act);
  y = b.add('prelu2', { kind: 'prelu' }, [y], c.act);
  y = b.add('flatten', { kind: 'flatten' }, [y], c.act);
  b.add('out', { kind: 'dense', units: 2 * k, bias: true }, [y], { weightBits: FLOAT, activationBits: FLOAT });
  return b.build();
}
