/**
 * A COST2100-style wideband generator for CSI feedback (the setting of CsiNet): a 32-antenna
 * half-wavelength ULA at the BS, 1024 subcarriers, a single-antenna user. Clusters with their
 * own mean departure angle, angular spread, delay and power hold 20 rays each; the frequency-
 * domain channel H (subcarriers × antennas) goes to the angular-delay domain by DFTs along both
 * axes, H̃ = F_d H F_aᴴ, truncated to the first 32 delay rows, as CsiNet's data are.
 *
 * The DFT of one ray is a pair of geometric series (a Dirichlet kernel in delay and in angle),
 * evaluated in closed form for the 32 kept rows — no FFT of the full 1024 × 32 grid needed.
 *
 * Stored as 2 × 32 × 32 real tensors in [0, 1]: each sample is scaled by its largest real or
 * imaginary magnitude m, x = 0.5 + H̃ / (2m), so the data are centred at 0.5 like CsiNet's and
 * the NMSE is computed on x − 0.5.
 */
import type { Rng } from '../core/rng.ts';

export interface Cost2100Config {
  readonly environment: 'indoor' | 'outdoor';
  readonly carrierHz: number;
  readonly bandwidthHz: number;
  readonly antennas: number;
  readonly subcarriers: number;
  readonly delayRows: number;
  readonly clusters: { readonly min: number; readonly max: number };
  /** Mean of the exponential cluster delays (s), and the spread of rays around a cluster (s). */
  readonly clusterDelayMean_s: number;
  readonly intraClusterDelay_s: number;
  /** Cluster power decays as exp(−τ / decay). */
  readonly powerDecay_s: number;
  /** Mean departure angles uniform in ± this (degrees); Laplacian ray spread (degrees). */
  readonly angleRangeDeg: number;
  readonly angularSpreadDeg: number;
  readonly shadowingDb: number;
}

export const COST2100_INDOOR: Cost2100Config = {
  environment: 'indoor',
  carrierHz: 5.3e9,
  bandwidthHz: 20e6,
  antennas: 32,
  subcarriers: 1024,
  delayRows: 32,
  clusters: { min: 3, max: 6 },
  clusterDelayMean_s: 40e-9,
  intraClusterDelay_s: 10e-9,
  powerDecay_s: 50e-9,
  angleRangeDeg: 60,
  angularSpreadDeg: 6,
  shadowingDb: 3,
};

export const COST2100_OUTDOOR: Cost2100Config = {
  environment: 'outdoor',
  carrierHz: 300e6,
  bandwidthHz: 20e6,
  antennas: 32,
  subcarriers: 1024,
  delayRows: 32,
  clusters: { min: 4, max: 8 },
  clusterDelayMean_s: 300e-9,
  intraClusterDelay_s: 60e-9,
  powerDecay_s: 400e-9,
  angleRangeDeg: 60,
  angularSpreadDeg: 3,
  shadowingDb: 4,
};

const RAYS = 20;

/** Σ_{k=0}^{N−1} e^{j2πkx/N}, written to out[0..1]. */
function dirichlet(x: number, n: number, out: Float64Array): void {
  const s = Math.sin((Math.PI * x) / n);
  if (Math.abs(s) < 1e-12) {
    // x a multiple of N: every term e^{j2πk·m} is 1.
    out[0] = n;
    out[1] = 0;
    return;
  }
  const mag = Math.sin(Math.PI * x) / s;
  const phase = (Math.PI * (n - 1) * x) / n;
  out[0] = mag * Math.cos(phase);
  out[1] = mag * Math.sin(phase);
}

/**
 * One sample's angular-delay matrix H̃ (delayRows × antennas, complex), into re/im (row-major),
 * unnormalised.
 */
export function angularDelaySample(c: Cost2100Config, r: Rng, re: Float64Array, im: Float64Array): void {
  re.fill(0);
  im.fill(0);
  const nc = c.subcarriers;
  const nt = c.antennas;
  const rows = c.delayRows;
  const clusters = c.clusters.min + r.int(c.clusters.max - c.clusters.min + 1);
  const delayKernel = new Float64Array(2 * rows);
  const angleKernel = new Float64Array(2 * nt);
  const tmp = new Float64Array(2);
  for (let cl = 0; cl < clusters; cl++) {
    const delay = -c.clusterDelayMean_s * Math.log(1 - r.next());
    const power = Math.exp(-delay / c.powerDecay_s) * 10 ** ((c.shadowingDb * r.normal()) / 10);
    const meanAngle = (2 * r.next() - 1) * c.angleRangeDeg;
    for (let ray = 0; ray < RAYS; ray++) {
      const tau = Math.max(0, delay + c.intraClusterDelay_s * r.normal());
      // Laplacian angular offset with the given RMS spread.
      const u = r.next() - 0.5;
      const offset = (-c.angularSpreadDeg / Math.SQRT2) * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
      const theta = ((meanAngle + offset) * Math.PI) / 180;
      const amp = Math.sqrt(power / RAYS);
      const phase = 2 * Math.PI * r.next();
      const gr = amp * Math.cos(phase);
      const gi = amp * Math.sin(phase);
      // Delay row d: (1/N_c)·Σ_k e^{−j2πkΔfτ} e^{j2πkd/N_c} = (1/N_c)·D(d − τB)
      const tapPosition = tau * c.bandwidthHz;
      for (let d = 0; d < rows; d++) {
        dirichlet(d - tapPosition, nc, tmp);
        delayKernel[2 * d] = tmp[0] / nc;
        delayKernel[2 * d + 1] = tmp[1] / nc;
      }
      // Angle column a: Σ_n e^{jπn sinθ} e^{−j2πna/N_t} = D(N_t sinθ / 2 − a)
      const beam = (nt * Math.sin(theta)) / 2;
      for (let a = 0; a < nt; a++) {
        dirichlet(beam - a, nt, tmp);
        angleKernel[2 * a] = tmp[0];
        angleKernel[2 * a + 1] = tmp[1];
      }
      for (let d = 0; d < rows; d++) {
        const dr = gr * delayKernel[2 * d] - gi * delayKernel[2 * d + 1];
        const di = gr * delayKernel[2 * d + 1] + gi * delayKernel[2 * d];
        const row = d * nt;
        for (let a = 0; a < nt; a++) {
          const ar = angleKernel[2 * a];
          const ai = angleKernel[2 * a + 1];
          re[row + a] += dr * ar - di * ai;
          im[row + a] += dr * ai + di * ar;
        }
      }
    }
  }
}

/** Scales a sample into [0, 1] around 0.5 (see the module comment) and writes 2×rows×cols. */
export function toUnitInterval(re: Float64Array, im: Float64Array, out: Float32Array, offset: number): void {
  let m = 0;
  for (let i = 0; i < re.length; i++) m = Math.max(m, Math.abs(re[i]), Math.abs(im[i]));
  const s = m > 0 ? 1 / (2 * m) : 0;
  for (let i = 0; i < re.length; i++) {
    out[offset + i] = 0.5 + re[i] * s;
    out[offset + re.length + i] = 0.5 + im[i] * s;
  }
}
