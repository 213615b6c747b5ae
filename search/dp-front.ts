/**
 * The exact Pareto front of sums: each layer picks one of its choices, each choice has a cost
 * (energy) and a noise (a quantization-noise proxy), and an assignment costs and errs by the sum
 * over layers. The front — every assignment no other beats in both — is built layer by layer:
 * the front of the first l layers, extended by each choice of layer l + 1, pruned to its
 * non-dominated points. Exact (no discretised axis, unlike a knapsack table): a point dominated
 * after l layers stays dominated whatever the later layers add, because the later layers add the
 * same amounts to both. Its size is what limits it, not the number of assignments (4⁵³ for
 * MobileNetV2 at four widths); HAWQ-V3 solves the same trade-off as an integer linear program for
 * one budget at a time, this gives every budget at once.
 */
export interface LayerChoices {
  /** Cost of each choice (e.g. pJ). */
  readonly cost: ArrayLike<number>;
  /** Noise of each choice (lower is better). */
  readonly noise: ArrayLike<number>;
}

export interface FrontPoint {
  readonly cost: number;
  readonly noise: number;
  /** The choice index of every layer. */
  readonly choices: readonly number[];
}

/** Front points one build may hold after any layer (typed arrays, a few dozen bytes each). */
export const MAX_FRONT_POINTS = 5_000_000;

export function paretoSums(layers: readonly LayerChoices[], constant = 0): FrontPoint[] {
  // The front after each layer: cost, noise, and (for backtracking) the parent index and choice.
  let cost = Float64Array.of(constant);
  let noise = Float64Array.of(0);
  const parents: Int32Array[] = [];
  const picks: Uint8Array[] = [];
  for (const [l, layer] of layers.entries()) {
    const k = layer.cost.length;
    const n = cost.length * k;
    if (n > MAX_FRONT_POINTS) throw new RangeError(`the front after layer ${l} would hold ${n} candidates (at most ${MAX_FRONT_POINTS})`);
    const cc = new Float64Array(n);
    const cn = new Float64Array(n);
    for (let i = 0; i < cost.length; i++) {
      for (let c = 0; c < k; c++) {
        cc[i * k + c] = cost[i] + layer.cost[c];
        cn[i * k + c] = noise[i] + layer.noise[c];
      }
    }
    // Cheapest first (ties: least noise first); keep a candidate only if it errs less than every cheaper one.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cc[a] - cc[b] || cn[a] - cn[b]);
    const kept: number[] = [];
    let best = Infinity;
    for (const i of order) {
      if (cn[i] < best) {
        kept.push(i);
        best = cn[i];
      }
    }
    cost = Float64Array.from(kept, (i) => cc[i]);
    noise = Float64Array.from(kept, (i) => cn[i]);
    parents.push(Int32Array.from(kept, (i) => Math.floor(i / k)));
    picks.push(Uint8Array.from(kept, (i) => i % k));
  }
  return Array.from(cost, (c, j) => {
    const choices = new Array<number>(layers.length);
    let at = j;
    for (let l = layers.length - 1; l >= 0; l--) {
      choices[l] = picks[l][at];
      at = parents[l][at];
    }
    return { cost: c, noise: noise[j], choices };
  });
}
