/**
 * The `measured` accounting: the real operation counts of our own implementation on a run, as
 * a Graph that sim/energy and sim/engine price like any net. A phase's matrix product, when its
 * shape is known, is a shaped `matmul` op (the engine folds it onto the array); the rest of the
 * phase's counted operations is a `trace` op. A MAC absorbs one addition, so a trace's MACs are
 * its real multiplications and only the additions beyond them (plus square roots, logarithms,
 * comparisons) are elementwise work.
 */
import { graphBuilder } from '../nets/builder.ts';
import { DEFAULT_PRECISION, type Graph, type Precision } from '../nets/graph.ts';
import { asMacs, matmulCounts, type OpCounter } from '../linalg/complex.ts';

/** The product a phase performs per solve: [M×K]·[K×N], `repeat` times (a mean may be fractional). */
export interface PhaseProduct {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly complex: boolean;
  readonly repeat: number;
}

export function measuredTraceGraph(
  name: string,
  phases: Readonly<Record<string, OpCounter>>,
  products: Readonly<Record<string, PhaseProduct>> = {},
  precision: Precision = DEFAULT_PRECISION,
): Graph {
  const b = graphBuilder(`${name}-measured`, precision);
  for (const [phase, c] of Object.entries(phases)) {
    let mults = c.mults;
    let adds = c.adds;
    const product = products[phase];
    const repeat = product ? Math.round(product.repeat) : 0;
    if (product && repeat > 0) {
      const { M, N, K, complex } = product;
      b.add(`${phase}.product`, { kind: 'matmul', M, N, K, complex, repeat, note: `${complex ? 'complex ' : ''}[${M}×${K}]·[${K}×${N}] × ${repeat}` });
      // What linalg's matmul counts for these products.
      const counted = complex ? matmulCounts(M, N, K) : { mults: M * N * K, adds: M * N * (K - 1) };
      mults -= repeat * counted.mults;
      adds -= repeat * counted.adds;
    }
    b.add(phase, { kind: 'trace', ...asMacs({ mults, adds, special: c.special }), note: `measured: ${c.mults} mults, ${c.adds} adds, ${c.special} other` });
  }
  return b.build();
}

/** Element-wise mean of per-sample phase counters. */
export function meanCounters(samples: readonly Readonly<Record<string, OpCounter>>[]): Record<string, OpCounter> {
  const out: Record<string, OpCounter> = {};
  for (const sample of samples) {
    for (const [phase, c] of Object.entries(sample)) {
      const acc = (out[phase] ??= { mults: 0, adds: 0, special: 0 });
      acc.mults += c.mults / samples.length;
      acc.adds += c.adds / samples.length;
      acc.special += c.special / samples.length;
    }
  }
  return out;
}
