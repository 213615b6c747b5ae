/**
 * The `measured` accounting: the real operation counts of our own implementation on a run, as
 * a Graph of trace ops (one per phase) that sim/energy and sim/engine price like any net.
 * A MAC absorbs one addition, so an op's MACs are its real multiplications and only the
 * additions beyond them (plus square roots, logarithms, comparisons) are elementwise work.
 */
import { graphBuilder } from '../nets/builder.ts';
import { FULL_PRECISION, type Graph, type Precision } from '../nets/graph.ts';
import type { OpCounter } from './complex.ts';

export function measuredTraceGraph(
  name: string,
  phases: Readonly<Record<string, OpCounter>>,
  precision: Precision = FULL_PRECISION,
): Graph {
  const b = graphBuilder(`${name}-measured`, precision);
  for (const [phase, c] of Object.entries(phases)) {
    b.add(phase, {
      kind: 'trace',
      macs: c.mults,
      elementwise: Math.max(0, c.adds - c.mults) + c.special,
      note: `measured: ${c.mults} mults, ${c.adds} adds, ${c.special} other`,
    });
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
