import type { Graph, Op } from './graph.ts';
import { ruleFor, type OpCounts } from './ops.ts';

export type { OpCounts } from './ops.ts';

export function opCounts(op: Op): OpCounts {
  const rule = ruleFor(op.kind) as { counts(spec: Op, inputs: Op['inputShapes'], output: Op['outputShape']): OpCounts };
  return rule.counts(op, op.inputShapes, op.outputShape);
}

export const NO_COUNTS: OpCounts = { macs: 0, weights: 0, activations: 0, elementwise: 0, outputs: 0 };

export function addCounts(a: OpCounts, b: OpCounts): OpCounts {
  return {
    macs: a.macs + b.macs,
    weights: a.weights + b.weights,
    activations: a.activations + b.activations,
    elementwise: a.elementwise + b.elementwise,
    outputs: a.outputs + b.outputs,
  };
}

/** Graph totals are plain sums of the op counts. */
export function graphCounts(graph: Graph): OpCounts {
  return graph.ops.reduce((sum, op) => addCounts(sum, opCounts(op)), NO_COUNTS);
}
