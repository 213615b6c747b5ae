/**
 * A uniform planar array in the y–z plane (boresight +x), elements spaced `spacing` wavelengths
 * apart, isotropic elements. Element (m, n) sits at (0, m·d, n·d); index m·N_z + n.
 */
export interface Upa {
  readonly ny: number;
  readonly nz: number;
  /** Element spacing in wavelengths (0.5 = half-wavelength). */
  readonly spacing: number;
}


export function elementCount(upa: Upa): number {
  return upa.ny * upa.nz;
}

/**
 * Writes gain·a(u)ᵀ into (re, im) at `offset`, accumulating: a_mn(u) = exp(j·2π·d·(m·u_y + n·u_z))
 * for a unit departure direction u. Entries have unit modulus, so ‖a‖² = N_y·N_z.
 */
export function addSteering(
  upa: Upa,
  uy: number,
  uz: number,
  gainRe: number,
  gainIm: number,
  re: Float64Array,
  im: Float64Array,
  offset = 0,
): void {
  const k = 2 * Math.PI * upa.spacing;
  for (let m = 0; m < upa.ny; m++) {
    for (let n = 0; n < upa.nz; n++) {
      const phase = k * (m * uy + n * uz);
      const c = Math.cos(phase);
      const s = Math.sin(phase);
      const i = offset + m * upa.nz + n;
      re[i] += gainRe * c - gainIm * s;
      im[i] += gainRe * s + gainIm * c;
    }
  }
}

/** Direction cosines (u_y, u_z) of a departure at azimuth φ and zenith θ (radians). */
export function directionCosines(azimuth: number, zenith: number): { uy: number; uz: number } {
  return { uy: Math.sin(zenith) * Math.sin(azimuth), uz: Math.cos(zenith) };
}
