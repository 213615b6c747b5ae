/**
 * A multi-user MISO downlink sample. Convention: H is N_U × N_T with row k = h_kᴴ; the total
 * power constraint is ‖V‖_F² ≤ power and the receiver noise variance is noiseVar.
 */
import { InputError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { cmat, type CMatrix } from '../linalg/complex.ts';

export interface Channel {
  readonly H: CMatrix;
  readonly power: number;
  readonly noiseVar: number;
}

/** SNR = power / noiseVar, with power 1. */
export function noiseVarForSnrDb(snrDb: number, power = 1): number {
  if (!Number.isFinite(snrDb)) throw new InputError('snrDb', snrDb, 'allowed: a finite number of dB');
  return power / 10 ** (snrDb / 10);
}

/** i.i.d. Rayleigh: every entry CN(0, 1). */
export function rayleighH(nu: number, nt: number, random: Rng): CMatrix {
  const h = cmat(nu, nt);
  const s = Math.SQRT1_2;
  for (let i = 0; i < nu * nt; i++) {
    h.re[i] = s * random.normal();
    h.im[i] = s * random.normal();
  }
  return h;
}

/** Rejects a channel a solver cannot use: NaN/∞ entries, non-positive power or noise. */
export function checkChannel(channel: Channel, where = 'channel'): void {
  const { H, power, noiseVar } = channel;
  for (let i = 0; i < H.re.length; i++) {
    if (!Number.isFinite(H.re[i]) || !Number.isFinite(H.im[i])) {
      const row = Math.floor(i / H.cols);
      throw new InputError(`${where}.H[${row}][${i % H.cols}]`, `${H.re[i]}${H.im[i] >= 0 ? '+' : ''}${H.im[i]}i`, 'allowed: finite complex entries');
    }
  }
  if (!(power > 0 && Number.isFinite(power))) throw new InputError(`${where}.power`, power, 'allowed: a finite number > 0');
  if (!(noiseVar > 0 && Number.isFinite(noiseVar))) throw new InputError(`${where}.noiseVar`, noiseVar, 'allowed: a finite number > 0');
}
