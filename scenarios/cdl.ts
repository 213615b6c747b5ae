/**
 * 3GPP TR 38.901 §7.7.1 clustered delay line channels (CDL-A…E), narrowband at a carrier,
 * from a BS UPA to single-antenna users. Each cluster has 20 rays at the standard offsets
 * (Table 7.5-3) scaled by the cluster spreads, with random coupling of the rays' departure and
 * arrival angles and a random initial phase per ray. CDL-D/E's first entry is the LOS ray (the
 * K-factor split is already in the table). Single polarisation at both ends, so XPR drops out.
 * Each user gets its own azimuth/zenith offset of the whole profile, so a multi-user draw is not
 * N_U copies of one link.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { addSteering, directionCosines, type Upa } from './upa.ts';

export const CDL_PROFILES = ['A', 'B', 'C', 'D', 'E'] as const;
export type CdlProfileName = (typeof CDL_PROFILES)[number];

export interface CdlTable {
  readonly los: boolean;
  readonly cASD: number;
  readonly cASA: number;
  readonly cZSD: number;
  readonly cZSA: number;
  readonly xpr: number;
  /** Normalised delays (RMS delay spread 1). */
  readonly delays: readonly number[];
  readonly powersDb: readonly number[];
  readonly aod: readonly number[];
  readonly aoa: readonly number[];
  readonly zod: readonly number[];
  readonly zoa: readonly number[];
}

/** TR 38.901 Table 7.5-3: ray offset angles within a cluster (for unit RMS angular spread). */
export const RAY_OFFSETS = [
  0.0447, -0.0447, 0.1413, -0.1413, 0.2492, -0.2492, 0.3715, -0.3715, 0.5129, -0.5129, 0.6797, -0.6797, 0.8844, -0.8844, 1.1481, -1.1481,
  1.5195, -1.5195, 2.1551, -2.1551,
] as const;

export function parseCdlTable(json: string, where: string): CdlTable {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new InputError(where, 'unparseable JSON', `allowed: a CDL table (${(error as Error).message})`);
  }
  const arrays = ['delays', 'powers', 'aod', 'aoa', 'zod', 'zoa'] as const;
  const n = Array.isArray(raw.delays) ? raw.delays.length : -1;
  for (const k of arrays) {
    const v = raw[k];
    if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new InputError(`${where}.${k}`, Array.isArray(v) ? `${v.length} entries` : v, `allowed: ${n} finite numbers (one per cluster)`);
    }
  }
  for (const k of ['cASD', 'cASA', 'cZSD', 'cZSA', 'xpr'] as const) {
    if (typeof raw[k] !== 'number') throw new InputError(`${where}.${k}`, raw[k], 'allowed: a number');
  }
  return {
    los: raw.los === 1 || raw.los === true,
    cASD: raw.cASD as number,
    cASA: raw.cASA as number,
    cZSD: raw.cZSD as number,
    cZSA: raw.cZSA as number,
    xpr: raw.xpr as number,
    delays: raw.delays as number[],
    powersDb: raw.powers as number[],
    aod: raw.aod as number[],
    aoa: raw.aoa as number[],
    zod: raw.zod as number[],
    zoa: raw.zoa as number[],
  };
}

const tables = new Map<string, CdlTable>();

/** The CDL tables shipped in reference/cdl (or a directory given). */
export function cdlTable(profile: CdlProfileName, dir = new URL('../reference/cdl/', import.meta.url)): CdlTable {
  const key = `${dir}|${profile}`;
  let t = tables.get(key);
  if (!t) {
    const file = new URL(`CDL-${profile}.json`, dir);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError('cdl.profile', profile, `allowed: a table at ${file.pathname} (${(error as Error).message})`);
    }
    t = parseCdlTable(text, `CDL-${profile}`);
    tables.set(key, t);
  }
  return t;
}

/** Linear cluster powers normalised to sum 1 (LOS ray included). */
export function normalisedPowers(t: CdlTable): Float64Array {
  const p = Float64Array.from(t.powersDb, (db) => 10 ** (db / 10));
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}

export function rmsDelaySpread(t: CdlTable): number {
  const p = normalisedPowers(t);
  let mean = 0;
  let second = 0;
  t.delays.forEach((d, i) => {
    mean += p[i] * d;
    second += p[i] * d * d;
  });
  return Math.sqrt(second - mean * mean);
}

export interface CdlUserOptions {
  /** Uniform azimuth offset of the whole profile per user, ± degrees. */
  readonly azimuthOffsetDeg: number;
  /** Uniform zenith offset per user, ± degrees. */
  readonly zenithOffsetDeg: number;
}

const DEG = Math.PI / 180;

function shuffled(n: number, r: Rng): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Adds one user's channel row h_kᴴ (N_T entries, average per-antenna power 1) into (re, im) at
 * `offset`. Only departure angles shape a single-antenna user's row; arrival angles only pair
 * with them through the random coupling.
 */
export function cdlUserRow(t: CdlTable, upa: Upa, options: CdlUserOptions, r: Rng, re: Float64Array, im: Float64Array, offset: number): void {
  const powers = normalisedPowers(t);
  const dAz = (2 * r.next() - 1) * options.azimuthOffsetDeg;
  const dZe = (2 * r.next() - 1) * options.zenithOffsetDeg;
  const rays = RAY_OFFSETS.length;
  for (let n = 0; n < powers.length; n++) {
    if (t.los && n === 0) {
      // The LOS ray: one path, deterministic direction, a phase set by the (random) distance.
      const phase = 2 * Math.PI * r.next();
      const { uy, uz } = directionCosines((t.aod[0] + dAz) * DEG, (t.zod[0] + dZe) * DEG);
      const g = Math.sqrt(powers[0]);
      addSteering(upa, uy, uz, g * Math.cos(phase), g * Math.sin(phase), re, im, offset);
      continue;
    }
    // Random coupling (step 2): the zenith rays are paired with the azimuth rays at random.
    const zenithOrder = shuffled(rays, r);
    const g = Math.sqrt(powers[n] / rays);
    for (let m = 0; m < rays; m++) {
      const az = (t.aod[n] + dAz + t.cASD * RAY_OFFSETS[m]) * DEG;
      const ze = (t.zod[n] + dZe + t.cZSD * RAY_OFFSETS[zenithOrder[m]]) * DEG;
      const phase = 2 * Math.PI * r.next();
      const { uy, uz } = directionCosines(az, ze);
      addSteering(upa, uy, uz, g * Math.cos(phase), g * Math.sin(phase), re, im, offset);
    }
  }
}
