/** Linear precoders (ZF, RZF/MMSE, MRT) and the sum rate of any precoder. */
import type { Channel } from '../scenarios/channel.ts';
import { addScaledIdentity, frobenius2, gram, hermitian, inverse, matmul, scale, type CMatrix, type OpCounter } from '../linalg/complex.ts';

export interface RateReport {
  readonly sinr: Float64Array;
  readonly rates: Float64Array;
  readonly sumRate: number;
}

/** Per-user SINR_k = |h_kᴴv_k|² / (Σ_{j≠k} |h_kᴴv_j|² + σ²) and rates log₂(1 + SINR_k). */
export function sumRate(channel: Channel, v: CMatrix, counter?: OpCounter): RateReport {
  const hv = matmul(channel.H, v, counter);
  const k = hv.rows;
  const sinr = new Float64Array(k);
  const rates = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    let interference = channel.noiseVar;
    let signal = 0;
    for (let j = 0; j < hv.cols; j++) {
      const g = hv.re[i * hv.cols + j] ** 2 + hv.im[i * hv.cols + j] ** 2;
      if (j === i) signal = g;
      else interference += g;
    }
    sinr[i] = signal / interference;
    rates[i] = Math.log2(1 + sinr[i]);
    total += rates[i];
  }
  if (counter) {
    counter.mults += k * hv.cols * 2 + k;
    counter.adds += k * hv.cols * 2 + k;
    counter.special += k;
  }
  return { sinr, rates, sumRate: total };
}

/** Scales V so that ‖V‖_F² = power. */
export function toFullPower(v: CMatrix, power: number, counter?: OpCounter): CMatrix {
  const norm2 = frobenius2(v, counter);
  if (counter) counter.special += 1;
  return scale(v, Math.sqrt(power / norm2), counter);
}

export const LINEAR_PRECODERS = ['zf', 'rzf', 'rzf-ep', 'mrt'] as const;
export type LinearPrecoder = (typeof LINEAR_PRECODERS)[number];

/** Hᴴ(HHᴴ + δI)⁻¹, unscaled (δ = 0: ZF's directions). */
function regularizedDirections(channel: Channel, delta: number, counter?: OpCounter): CMatrix {
  const g = gram(channel.H, counter);
  const ginv = inverse(delta > 0 ? addScaledIdentity(g, delta, counter) : g, counter);
  return matmul(hermitian(channel.H), ginv, counter);
}

/** RZF's regulariser N_U σ²/P. */
const rzfLoading = (channel: Channel) => (channel.H.rows * channel.noiseVar) / channel.power;

function regularizedInverse(channel: Channel, delta: number, counter?: OpCounter): CMatrix {
  return toFullPower(regularizedDirections(channel, delta, counter), channel.power, counter);
}

export function zf(channel: Channel, counter?: OpCounter): CMatrix {
  return regularizedInverse(channel, 0, counter);
}

/** RZF / MMSE: Hᴴ(HHᴴ + (N_U σ²/P) I)⁻¹. */
export function rzf(channel: Channel, counter?: OpCounter): CMatrix {
  return regularizedInverse(channel, rzfLoading(channel), counter);
}

/**
 * Equal-power RZF: RZF's directions, each user's column scaled to P/N_U. With these directions
 * fixed, equal powers are what the optimal structure (Björnson et al. 2014) gives at λ_k = P/N_U;
 * on our sites it beats both RZF and MRT-started WMMSE (docs/baselines.md).
 */
export function rzfEqualPower(channel: Channel, counter?: OpCounter): CMatrix {
  const v = regularizedDirections(channel, rzfLoading(channel), counter);
  const users = channel.H.rows;
  const out = { ...v, re: v.re.slice(), im: v.im.slice() };
  const antennas = v.rows;
  for (let k = 0; k < users; k++) {
    let norm2 = 0;
    for (let n = 0; n < antennas; n++) norm2 += v.re[n * users + k] ** 2 + v.im[n * users + k] ** 2;
    const f = Math.sqrt(channel.power / users / norm2);
    for (let n = 0; n < antennas; n++) {
      out.re[n * users + k] = v.re[n * users + k] * f;
      out.im[n * users + k] = v.im[n * users + k] * f;
    }
  }
  if (counter) {
    counter.mults += 2 * antennas * users + users + 2 * antennas * users;
    counter.adds += 2 * antennas * users;
    counter.special += users;
  }
  return out;
}

export function mrt(channel: Channel, counter?: OpCounter): CMatrix {
  return toFullPower(hermitian(channel.H), channel.power, counter);
}

export function linearPrecoder(algorithm: LinearPrecoder, channel: Channel, counter?: OpCounter): CMatrix {
  return LINEAR[algorithm](channel, counter);
}

const LINEAR: Readonly<Record<LinearPrecoder, (channel: Channel, counter?: OpCounter) => CMatrix>> = { zf, rzf, 'rzf-ep': rzfEqualPower, mrt };
