/**
 * The seed-000 precoder (Kasalaee et al., Fig. 1): the channel's real and imaginary parts as two
 * input channels, one 3×3 'same' conv, three fully connected layers, total-power normalisation.
 */
import { InputError } from '../core/errors.ts';
import { MAX_BITS, graphBuilder } from './builder.ts';
import type { Graph, Precision } from './graph.ts';
import { PRECODER_HEADS, PRECODER_HEAD_NAMES, UNFOLDED_ITERATIONS, type PrecoderHead } from './heads.ts';

export interface PrecoderConfig {
  /** Output channels of the conv layer (C_out). */
  readonly cout: number;
  /** Width of FC1 and FC2 (D_FCL). */
  readonly dfcl: number;
  /** Transmit antennas N_T. */
  readonly nt: number;
  /** Users N_U. */
  readonly nu: number;
  /** Weight bits of [CONV, FCL1, FCL2, FCL3]. */
  readonly bits: readonly [number, number, number, number];
  /** Activation bits of every layer; the paper quantizes weights only. */
  readonly activationBits?: number;
  readonly dropout?: number;
  /** Total transmit power the output is normalised to (‖W‖_F² = power). */
  readonly power?: number;
  /** What follows FCL2 (nets/heads.ts); the paper's `direct` by default. */
  readonly head?: PrecoderHead;
  /** σ² the structured head is scaled to (its counts do not depend on it); 1 by default. */
  readonly noiseVar?: number;
  /** The unfolded head's WMMSE iterations K (UNFOLDED_ITERATIONS); refused for the other heads. */
  readonly iterations?: number;
}

export const PRECODER_DEFAULTS = { cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 16, 16, 16] } as const;
export const PRECODER_LAYERS = ['conv', 'fc1', 'fc2', 'fc3'] as const;

/** The largest precoder dimensions: beyond them a graph's weights stop fitting any memory we price. */
export const PRECODER_LIMITS = { cout: 4096, dfcl: 65536, nt: 4096, nu: 256 } as const;
/** FC1's weights (C_out·2·N_T·N_U·D_FCL before the factor 2 of the complex input) at most 2³¹: 8 GB in float32. */
export const MAX_PRECODER_WEIGHTS = 2 ** 31;

export function validatePrecoderConfig(config: PrecoderConfig): void {
  for (const field of ['cout', 'dfcl', 'nt', 'nu'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value < 1 || value > PRECODER_LIMITS[field]) throw new InputError(field, value, `allowed: a positive integer ≤ ${PRECODER_LIMITS[field]}`);
  }
  const fc1 = config.cout * config.nt * config.nu * config.dfcl;
  if (fc1 > MAX_PRECODER_WEIGHTS) {
    throw new InputError('dfcl', config.dfcl, `allowed: a size whose FC1 has at most 2^31 weights; C_out·N_T·N_U·D_FCL = ${fc1.toExponential(2)} would need ${((fc1 * 4) / 2 ** 30).toFixed(0)} GB in float32`);
  }
  if (config.bits.length !== 4) {
    throw new InputError('bits', config.bits, 'allowed: exactly 4 bit widths [CONV, FCL1, FCL2, FCL3]');
  }
  config.bits.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1 || b > MAX_BITS) {
      throw new InputError(`bits[${i}]`, b, `allowed: a positive integer ≤ ${MAX_BITS}`);
    }
  });
  if (config.head !== undefined && !(PRECODER_HEAD_NAMES as readonly string[]).includes(config.head)) {
    throw new InputError('head', config.head, `allowed: ${PRECODER_HEAD_NAMES.join(', ')}`);
  }
  if (config.iterations !== undefined) {
    const { min, max } = UNFOLDED_ITERATIONS;
    if ((config.head ?? 'direct') !== 'unfolded') throw new InputError('iterations', config.iterations, `allowed: only with the unfolded head (this precoder's head is ${config.head ?? 'direct'})`);
    if (!Number.isInteger(config.iterations) || config.iterations < min || config.iterations > max) throw new InputError('iterations', config.iterations, `allowed: an integer ${min}…${max}`);
  }
  for (const field of ['power', 'noiseVar'] as const) {
    const value = config[field];
    if (value !== undefined && !(value > 0 && Number.isFinite(value))) throw new InputError(field, value, 'allowed: a finite number > 0');
  }
  const a = config.activationBits ?? 16;
  if (!Number.isInteger(a) || a < 1 || a > MAX_BITS) {
    throw new InputError('activationBits', a, `allowed: a positive integer ≤ ${MAX_BITS}`);
  }
}

export function buildPrecoder(config: PrecoderConfig): Graph {
  validatePrecoderConfig(config);
  const { cout, dfcl, nt, nu, bits } = config;
  const activationBits = config.activationBits ?? 16;
  const rate = config.dropout ?? 0.05;
  const at = (weightBits: number): Precision => ({ weightBits, activationBits });
  const head = config.head ?? 'direct';
  const iterations = head === 'unfolded' ? (config.iterations ?? UNFOLDED_ITERATIONS.default) : 0;
  // The direct head keeps the name it always had (checkpoints and stored points key on it).
  const b = graphBuilder(`precoder(cout=${cout},dfcl=${dfcl},nt=${nt},nu=${nu},bits=${bits.join('/')}${head === 'direct' ? '' : `,head=${head}`}${iterations ? `,iterations=${iterations}` : ''})`, at(bits[0]));

  let x = b.add('h', { kind: 'input', shape: [2, nt, nu] });
  // Every op takes the precision of its layer (nets/layers.ts), so sweeps can re-price by layer.
  const conv = at(bits[0]);
  x = b.add('conv', { kind: 'conv2d', filters: cout, kernel: [3, 3], stride: [1, 1], padding: 'same', groups: 1, bias: true }, [x], conv);
  x = b.add('conv.bn', { kind: 'batchnorm' }, [x], conv);
  x = b.add('conv.relu', { kind: 'relu' }, [x], conv);
  x = b.add('conv.dropout', { kind: 'dropout', rate }, [x], conv);
  x = b.add('flatten', { kind: 'flatten' }, [x], conv);
  for (const [i, name] of (['fc1', 'fc2'] as const).entries()) {
    const p = at(bits[i + 1]);
    x = b.add(name, { kind: 'dense', units: dfcl, bias: true }, [x], p);
    x = b.add(`${name}.bn`, { kind: 'batchnorm' }, [x], p);
    x = b.add(`${name}.relu`, { kind: 'relu' }, [x], p);
    x = b.add(`${name}.dropout`, { kind: 'dropout', rate }, [x], p);
  }
  PRECODER_HEADS[head].build(b, { features: x, channel: 'h', nt, nu, power: config.power ?? 1, noiseVar: config.noiseVar ?? 1, precision: at(bits[3]), iterations });
  return b.build();
}
