/**
 * A site-specific geometric channel model for the seed-000 setting: a BS on a 20 m mast with
 * an 8×8 UPA at 2 GHz, users 1.5 m high on rings around it, a seeded layout of box buildings
 * that decides LOS/NLOS and produces specular reflections (image method: ground, first and
 * second order off walls) and diffuse scattering from points on walls. Every user of a site
 * sees the same buildings, so their channels are correlated the way a network can exploit.
 */
import { rng } from '../core/rng.ts';
import { distance, hitWall, inFront, lineOfSight, mirror, offWall, wallsOf, type Building, type Vec3, type Wall } from './geometry.ts';
import { addSteering, type Upa } from './upa.ts';

export interface SiteConfig {
  readonly seed: number;
  /** Buildings are placed in the square [−extent, extent]² (m). */
  readonly extent_m: number;
  readonly buildings: {
    readonly count: number;
    readonly minSide_m: number;
    readonly maxSide_m: number;
    readonly minHeight_m: number;
    readonly maxHeight_m: number;
    /** No building within this radius of the BS mast. */
    readonly clearRadius_m: number;
  };
  readonly carrierHz: number;
  readonly bsHeight_m: number;
  readonly userHeight_m: number;
  readonly array: readonly [number, number];
  readonly rings: { readonly min_m: number; readonly max_m: number; readonly step_m: number };
  readonly angleStep_deg: number;
  readonly reflectionLoss_dB: number;
  readonly maxReflectionOrder: 1 | 2;
  readonly scatterersPerWall: number;
  readonly scatteringLoss_dB: number;
  readonly txPower_W: number;
  readonly systemLoss_dB: number;
  readonly bandwidthHz: number;
  readonly noiseFigure_dB: number;
}

export interface Path {
  readonly length: number;
  /** Real amplitude: free-space λ/(4πd) times the losses of its bounces. */
  readonly amplitude: number;
  readonly uy: number;
  readonly uz: number;
  readonly kind: 'direct' | 'ground' | 'reflection1' | 'reflection2' | 'scatter';
}

export interface SiteModel {
  readonly config: SiteConfig;
  readonly upa: Upa;
  readonly buildings: readonly Building[];
  /** User positions not inside a building. */
  readonly positions: readonly Vec3[];
  readonly los: Uint8Array;
  readonly pathCounts: Int32Array;
  /** Unnormalised channel rows h_kᴴ (N_T entries per position). */
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export const SPEED_OF_LIGHT = 299_792_458;

export function siteLayout(c: SiteConfig): Building[] {
  const r = rng(c.seed).fork('buildings');
  const b = c.buildings;
  const out: Building[] = [];
  for (let attempt = 0; attempt < b.count * 50 && out.length < b.count; attempt++) {
    const w = b.minSide_m + r.next() * (b.maxSide_m - b.minSide_m);
    const d = b.minSide_m + r.next() * (b.maxSide_m - b.minSide_m);
    const cx = (2 * r.next() - 1) * c.extent_m;
    const cy = (2 * r.next() - 1) * c.extent_m;
    const height = b.minHeight_m + r.next() * (b.maxHeight_m - b.minHeight_m);
    const box = { x0: cx - w / 2, x1: cx + w / 2, y0: cy - d / 2, y1: cy + d / 2, height };
    // Keep the mast clear and streets between buildings (at least 8 m).
    const nearestX = Math.max(box.x0, Math.min(0, box.x1));
    const nearestY = Math.max(box.y0, Math.min(0, box.y1));
    if (Math.hypot(nearestX, nearestY) < b.clearRadius_m) continue;
    if (out.some((o) => box.x0 < o.x1 + 8 && box.x1 > o.x0 - 8 && box.y0 < o.y1 + 8 && box.y1 > o.y0 - 8)) continue;
    out.push(box);
  }
  return out;
}

export function userPositions(c: SiteConfig, buildings: readonly Building[]): Vec3[] {
  const out: Vec3[] = [];
  for (let radius = c.rings.min_m; radius <= c.rings.max_m + 1e-9; radius += c.rings.step_m) {
    for (let deg = 0; deg < 360 - 1e-9; deg += c.angleStep_deg) {
      const a = (deg * Math.PI) / 180;
      const p = { x: radius * Math.cos(a), y: radius * Math.sin(a), z: c.userHeight_m };
      if (!buildings.some((b) => p.x > b.x0 && p.x < b.x1 && p.y > b.y0 && p.y < b.y1)) out.push(p);
    }
  }
  return out;
}

interface Scatterer {
  readonly point: Vec3;
  readonly wall: Wall;
}

function scatterers(c: SiteConfig, walls: readonly Wall[]): Scatterer[] {
  const r = rng(c.seed).fork('scatterers');
  const out: Scatterer[] = [];
  for (const wall of walls) {
    for (let i = 0; i < c.scatterersPerWall; i++) {
      const along = wall.from + r.next() * (wall.to - wall.from);
      const z = r.next() * wall.height;
      const point = wall.axis === 'x' ? { x: wall.at, y: along, z } : { x: along, y: wall.at, z };
      out.push({ point: offWall(point, wall), wall });
    }
  }
  return out;
}

/** The BS's mirror images in the walls it faces (first order) and in pairs of walls (second
 * order) do not depend on the user, so they are found once per site. */
interface Images {
  readonly first: readonly { readonly wall: Wall; readonly image: Vec3 }[];
  readonly second: readonly { readonly w1: Wall; readonly w2: Wall; readonly s1: Vec3; readonly image: Vec3 }[];
}

function bsImages(bs: Vec3, walls: readonly Wall[], order: 1 | 2): Images {
  const first = walls.filter((w) => inFront(bs, w)).map((wall) => ({ wall, image: mirror(bs, wall) }));
  const second: { w1: Wall; w2: Wall; s1: Vec3; image: Vec3 }[] = [];
  if (order >= 2) {
    for (const { wall: w1, image: s1 } of first) {
      for (const w2 of walls) {
        // s1, R1 and R2 are collinear with R1 in front of w2, so s1 must be in front of w2 too.
        if (w2 !== w1 && inFront(s1, w2)) second.push({ w1, w2, s1, image: mirror(s1, w2) });
      }
    }
  }
  return { first, second };
}

/** All propagation paths from the BS to a user. */
export function tracePaths(bs: Vec3, user: Vec3, buildings: readonly Building[], images: Images, scat: readonly Scatterer[], c: SiteConfig): Path[] {
  const lambda = SPEED_OF_LIGHT / c.carrierHz;
  const gamma = 10 ** (-c.reflectionLoss_dB / 20);
  const scatterGain = 10 ** (-c.scatteringLoss_dB / 20);
  const paths: Path[] = [];
  const add = (length: number, loss: number, first: Vec3, kind: Path['kind']) => {
    const d = distance(bs, first);
    paths.push({ length, amplitude: (loss * lambda) / (4 * Math.PI * length), uy: (first.y - bs.y) / d, uz: (first.z - bs.z) / d, kind });
  };
  if (lineOfSight(bs, user, buildings)) add(distance(bs, user), 1, user, 'direct');
  // Ground bounce: image of the BS below z = 0.
  {
    const image = { x: bs.x, y: bs.y, z: -bs.z };
    const t = bs.z / (bs.z + user.z);
    const g = { x: bs.x + t * (user.x - bs.x), y: bs.y + t * (user.y - bs.y), z: 1e-3 };
    if (lineOfSight(bs, g, buildings) && lineOfSight(g, user, buildings)) add(distance(image, user), gamma, g, 'ground');
  }
  for (const { wall, image } of images.first) {
    if (!inFront(user, wall)) continue;
    const r = hitWall(image, user, wall);
    if (!r) continue;
    const rp = offWall(r, wall);
    if (lineOfSight(bs, rp, buildings) && lineOfSight(rp, user, buildings)) add(distance(image, user), gamma, r, 'reflection1');
  }
  for (const { w1, w2, s1, image } of images.second) {
    if (!inFront(user, w2)) continue;
    const r2 = hitWall(image, user, w2);
    if (!r2) continue;
    const r1 = hitWall(s1, r2, w1);
    if (!r1) continue;
    const r1p = offWall(r1, w1);
    const r2p = offWall(r2, w2);
    if (!inFront(r1p, w2) || !inFront(r2p, w1)) continue;
    if (lineOfSight(bs, r1p, buildings) && lineOfSight(r1p, r2p, buildings) && lineOfSight(r2p, user, buildings)) {
      add(distance(image, user), gamma * gamma, r1, 'reflection2');
    }
  }
  for (const s of scat) {
    if (!inFront(bs, s.wall) || !inFront(user, s.wall)) continue;
    if (lineOfSight(bs, s.point, buildings) && lineOfSight(s.point, user, buildings)) {
      add(distance(bs, s.point) + distance(s.point, user), scatterGain, s.point, 'scatter');
    }
  }
  return paths;
}

export function buildSite(c: SiteConfig): SiteModel {
  const upa: Upa = { ny: c.array[0], nz: c.array[1], spacing: 0.5 };
  const nt = upa.ny * upa.nz;
  const buildings = siteLayout(c);
  const walls = wallsOf(buildings);
  const scat = scatterers(c, walls);
  const positions = userPositions(c, buildings);
  const bs = { x: 0, y: 0, z: c.bsHeight_m };
  const images = bsImages(bs, walls, c.maxReflectionOrder);
  const lambda = SPEED_OF_LIGHT / c.carrierHz;
  const re = new Float64Array(positions.length * nt);
  const im = new Float64Array(positions.length * nt);
  const los = new Uint8Array(positions.length);
  const pathCounts = new Int32Array(positions.length);
  positions.forEach((user, k) => {
    const paths = tracePaths(bs, user, buildings, images, scat, c);
    pathCounts[k] = paths.length;
    los[k] = paths.some((p) => p.kind === 'direct') ? 1 : 0;
    for (const p of paths) {
      const phase = (-2 * Math.PI * p.length) / lambda;
      addSteering(upa, p.uy, p.uz, p.amplitude * Math.cos(phase), p.amplitude * Math.sin(phase), re, im, k * nt);
    }
  });
  return { config: c, upa, buildings, positions, los, pathCounts, re, im };
}

/** Link-budget SNR (dB) of a position: P_tx − system loss + per-antenna path gain − kTB·NF. */
export function physicalSnrDb(site: SiteModel, k: number): number {
  const c = site.config;
  const nt = site.upa.ny * site.upa.nz;
  let g = 0;
  for (let i = k * nt; i < (k + 1) * nt; i++) g += site.re[i] ** 2 + site.im[i] ** 2;
  const txDbm = 10 * Math.log10(c.txPower_W * 1000);
  const noiseDbm = -174 + 10 * Math.log10(c.bandwidthHz) + c.noiseFigure_dB;
  return txDbm - c.systemLoss_dB + 10 * Math.log10(g / nt) - noiseDbm;
}

/** tracePaths on a bare layout with the site defaults that matter (for tests of the geometry). */
export function tracePathsForTest(bs: Vec3, user: Vec3, buildings: readonly Building[]): Path[] {
  const c = {
    carrierHz: 2e9,
    reflectionLoss_dB: 6,
    scatteringLoss_dB: 15,
    maxReflectionOrder: 2,
  } as SiteConfig;
  return tracePaths(bs, user, buildings, bsImages(bs, wallsOf(buildings), 2), [], c);
}
