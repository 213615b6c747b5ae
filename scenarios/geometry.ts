/** 3-D geometry of a site: boxes (buildings), segment occlusion, mirror images in walls. */
export interface Vec3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export interface Building {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  readonly height: number;
}

/** A vertical wall: the face of a building on plane `axis` = `at`, facing `normal` (±1). */
export interface Wall {
  readonly building: number;
  readonly axis: 'x' | 'y';
  readonly at: number;
  readonly normal: 1 | -1;
  /** Extent along the other horizontal axis, and height. */
  readonly from: number;
  readonly to: number;
  readonly height: number;
}

export const distance = (a: Vec3, b: Vec3) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);

/** Does the open segment a→b pass through the box (slab test)? */
export function segmentHitsBox(a: Vec3, b: Vec3, box: Building): boolean {
  let t0 = 0;
  let t1 = 1;
  const axes: [number, number, number, number][] = [
    [a.x, b.x - a.x, box.x0, box.x1],
    [a.y, b.y - a.y, box.y0, box.y1],
    [a.z, b.z - a.z, 0, box.height],
  ];
  for (const [p, d, lo, hi] of axes) {
    if (Math.abs(d) < 1e-12) {
      if (p <= lo || p >= hi) return false;
      continue;
    }
    let ta = (lo - p) / d;
    let tb = (hi - p) / d;
    if (ta > tb) [ta, tb] = [tb, ta];
    t0 = Math.max(t0, ta);
    t1 = Math.min(t1, tb);
    if (t0 >= t1) return false;
  }
  // Touching at an endpoint (a point on a wall) is not a blockage.
  return t1 - t0 > 1e-9 && t0 < 1 - 1e-9 && t1 > 1e-9;
}

export function lineOfSight(a: Vec3, b: Vec3, buildings: readonly Building[]): boolean {
  for (const box of buildings) if (segmentHitsBox(a, b, box)) return false;
  return true;
}

export function wallsOf(buildings: readonly Building[]): Wall[] {
  const walls: Wall[] = [];
  buildings.forEach((b, i) => {
    walls.push({ building: i, axis: 'x', at: b.x0, normal: -1, from: b.y0, to: b.y1, height: b.height });
    walls.push({ building: i, axis: 'x', at: b.x1, normal: 1, from: b.y0, to: b.y1, height: b.height });
    walls.push({ building: i, axis: 'y', at: b.y0, normal: -1, from: b.x0, to: b.x1, height: b.height });
    walls.push({ building: i, axis: 'y', at: b.y1, normal: 1, from: b.x0, to: b.x1, height: b.height });
  });
  return walls;
}

export function mirror(p: Vec3, w: Wall): Vec3 {
  return w.axis === 'x' ? { x: 2 * w.at - p.x, y: p.y, z: p.z } : { x: p.x, y: 2 * w.at - p.y, z: p.z };
}

/** Is p strictly on the side the wall faces? */
export function inFront(p: Vec3, w: Wall): boolean {
  return ((w.axis === 'x' ? p.x : p.y) - w.at) * w.normal > 1e-9;
}

/** Where the segment a→b crosses the wall's plane, if it does so within the wall. */
export function hitWall(a: Vec3, b: Vec3, w: Wall): Vec3 | null {
  const pa = w.axis === 'x' ? a.x : a.y;
  const pb = w.axis === 'x' ? b.x : b.y;
  if (pa === pb) return null;
  const t = (w.at - pa) / (pb - pa);
  if (t <= 0 || t >= 1) return null;
  const p = { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y), z: a.z + t * (b.z - a.z) };
  const along = w.axis === 'x' ? p.y : p.x;
  if (along < w.from || along > w.to || p.z < 0 || p.z > w.height) return null;
  return p;
}

/** A point nudged off a wall into the space it faces (so occlusion tests start outside). */
export function offWall(p: Vec3, w: Wall, by = 1e-3): Vec3 {
  return w.axis === 'x' ? { ...p, x: p.x + w.normal * by } : { ...p, y: p.y + w.normal * by };
}
