/**
 * The precoder heads in float64, straight from their definitions (no push-through, no symmetric
 * form, no tfjs): the references the heads' tests compare the network with.
 */
import { cmat, gram, hermitian, inverse, matmul, type CMatrix } from '../linalg/complex.ts';

export const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));

/** W = Hᴴ(I + D G)⁻¹ with D = diag(d_k), each column scaled to √p_k (the optimal MISO structure). */
export function structureF64(H: CMatrix, d: readonly number[], p: readonly number[]): CMatrix {
  const nu = H.rows;
  const g = gram(H);
  const a = cmat(nu, nu);
  for (let k = 0; k < nu; k++) {
    for (let j = 0; j < nu; j++) {
      a.re[k * nu + j] = d[k] * g.re[k * nu + j] + (k === j ? 1 : 0);
      a.im[k * nu + j] = d[k] * g.im[k * nu + j];
    }
  }
  const u = matmul(hermitian(H), inverse(a));
  const nt = H.cols;
  for (let k = 0; k < nu; k++) {
    let norm2 = 0;
    for (let n = 0; n < nt; n++) norm2 += u.re[n * nu + k] ** 2 + u.im[n * nu + k] ** 2;
    const f = Math.sqrt(p[k] / norm2);
    for (let n = 0; n < nt; n++) {
      u.re[n * nu + k] *= f;
      u.im[n * nu + k] *= f;
    }
  }
  return u;
}

/** V scaled to ‖V‖_F² = power. */
export function toPower(v: CMatrix, power: number): CMatrix {
  let total = 0;
  for (let e = 0; e < v.re.length; e++) total += v.re[e] ** 2 + v.im[e] ** 2;
  const f = Math.sqrt(power / total);
  return { rows: v.rows, cols: v.cols, re: v.re.map((x) => x * f), im: v.im.map((x) => x * f) };
}

/**
 * One WMMSE iteration with the closed-form regulariser (Christensen et al. 2008), its MSE
 * weights times `weightFactors` and its regulariser times `muFactor`, from the definition:
 * u_k = (HV)_kk / (Σ_j |(HV)_kj|² + σ²), w_k = 1/(1 − u_k*(HV)_kk), D = diag(|u_k|²w̃_k),
 * B = diag(u_k w̃_k), μ = muFactor·σ²·tr(D)/P, V' = (HᴴDH + μI)⁻¹HᴴB (the N_T × N_T form), scaled to P.
 */
export function wmmseStepF64(H: CMatrix, v: CMatrix, noiseVar: number, power: number, weightFactors: readonly number[], muFactor: number): CMatrix {
  const nu = H.rows;
  const nt = H.cols;
  const hv = matmul(H, v);
  const d = new Array<number>(nu);
  const bRe = new Array<number>(nu);
  const bIm = new Array<number>(nu);
  for (let k = 0; k < nu; k++) {
    let received = noiseVar;
    for (let j = 0; j < nu; j++) received += hv.re[k * nu + j] ** 2 + hv.im[k * nu + j] ** 2;
    const sr = hv.re[k * nu + k];
    const si = hv.im[k * nu + k];
    const ur = sr / received;
    const ui = si / received;
    // 1 − u_k*·(HV)_kk = 1 − |(HV)_kk|²/received
    const w = (1 / (1 - (sr * sr + si * si) / received)) * weightFactors[k];
    d[k] = (ur * ur + ui * ui) * w;
    bRe[k] = ur * w;
    bIm[k] = ui * w;
  }
  const mu = (muFactor * noiseVar * d.reduce((a, b) => a + b, 0)) / power;
  // HᴴDH + μI (N_T × N_T) and HᴴB (N_T × N_U).
  const a = cmat(nt, nt);
  const hB = cmat(nt, nu);
  for (let m = 0; m < nt; m++) {
    for (let n = 0; n < nt; n++) {
      let re = m === n ? mu : 0;
      let im = 0;
      for (let k = 0; k < nu; k++) {
        // conj(H[k,m])·d_k·H[k,n]
        const ar = H.re[k * nt + m], ai = -H.im[k * nt + m];
        const br = H.re[k * nt + n], bi = H.im[k * nt + n];
        re += d[k] * (ar * br - ai * bi);
        im += d[k] * (ar * bi + ai * br);
      }
      a.re[m * nt + n] = re;
      a.im[m * nt + n] = im;
    }
    for (let k = 0; k < nu; k++) {
      const ar = H.re[k * nt + m], ai = -H.im[k * nt + m];
      hB.re[m * nu + k] = ar * bRe[k] - ai * bIm[k];
      hB.im[m * nu + k] = ar * bIm[k] + ai * bRe[k];
    }
  }
  return toPower(matmul(inverse(a), hB), power);
}
