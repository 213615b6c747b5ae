/**
 * Pareto fronts of design points scored by two quantities to maximise (e.g. energy efficiency
 * and sum rate): a point is on the front when no other point is at least as good in both and
 * strictly better in one.
 */
export interface Scored<T> {
  readonly item: T;
  readonly x: number;
  readonly y: number;
}

export function dominates<T>(a: Scored<T>, b: Scored<T>): boolean {
  return a.x >= b.x && a.y >= b.y && (a.x > b.x || a.y > b.y);
}

/** The non-dominated points, by descending x (ties: larger y first). O(n log n). */
export function paretoFront<T>(points: readonly Scored<T>[]): Scored<T>[] {
  const sorted = [...points].sort((a, b) => b.x - a.x || b.y - a.y);
  const front: Scored<T>[] = [];
  let bestY = -Infinity;
  for (const p of sorted) {
    if (p.y > bestY) {
      front.push(p);
      bestY = p.y;
    } else if (p.y === bestY && front.length > 0 && front[front.length - 1].x === p.x) {
      front.push(p); // an exact duplicate of a front point is not dominated by it
    }
  }
  return front;
}

const dominatesAll = (a: readonly number[], b: readonly number[]) => a.every((x, i) => x <= b[i]) && a.some((x, i) => x < b[i]);

/** The items no other item beats in every objective (any number of them, all minimised), in input order. O(n²). */
export function paretoFrontMin<T>(items: readonly T[], objectives: (t: T) => readonly number[]): T[] {
  const keys = items.map(objectives);
  return items.filter((_, i) => !keys.some((k, j) => j !== i && dominatesAll(k, keys[i])));
}
