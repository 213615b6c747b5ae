/** Graph edits the laws need: change one op's precision, duplicate a shape-preserving op. */
import type { Graph, Op, Precision } from '../nets/graph.ts';

export function withOpPrecision(graph: Graph, index: number, precision: Precision): Graph {
  return { ...graph, ops: graph.ops.map((op, i) => (i === index ? ({ ...op, precision } as Op) : op)) };
}

export function isShapePreserving(op: Op): boolean {
  return (
    op.inputs.length === 1 &&
    op.inputShapes[0].length === op.outputShape.length &&
    op.inputShapes[0].every((d, i) => d === op.outputShape[i])
  );
}

/** Inserts a copy of op `index` (shape-preserving, one input) right after it; consumers read the copy. */
export function duplicateOp(graph: Graph, index: number): Graph {
  const original = graph.ops[index];
  const copyName = `${original.name}#copy`;
  const copy = { ...original, name: copyName, inputs: [original.name] } as Op;
  const rewired = graph.ops.map((op) =>
    op.inputs.includes(original.name) ? ({ ...op, inputs: op.inputs.map((n) => (n === original.name ? copyName : n)) } as Op) : op,
  );
  return { ...graph, ops: [...rewired.slice(0, index + 1), copy, ...rewired.slice(index + 1)] };
}
