/**
 * The quantized layers of a Graph and which one each op follows: one definition for pricing a
 * bit assignment, for the searches and for training. A quantized layer is an op with weights
 * (conv2d, dense); every other op runs at the bits of the last quantized layer before it in
 * graph order (ops ahead of the first one, such as the input, at the first one's), which is how
 * the builders assign precisions (a precoder head's ops follow FCL3).
 */
import type { Graph, OpKind } from './graph.ts';

export const QUANTIZED_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(['conv2d', 'dense']);

/** Names of the quantized layers, in graph order. */
export function quantizedLayers(graph: Graph): string[] {
  return graph.ops.filter((op) => QUANTIZED_KINDS.has(op.kind)).map((op) => op.name);
}

/** Per op, the index (into quantizedLayers) of the layer whose weight bits it runs at. */
export function layerIndexOf(graph: Graph): Int16Array {
  const out = new Int16Array(graph.ops.length);
  let layer = 0;
  let seen = false;
  graph.ops.forEach((op, i) => {
    if (QUANTIZED_KINDS.has(op.kind)) {
      if (seen) layer++;
      seen = true;
    }
    out[i] = layer;
  });
  return out;
}

/** The graph with each quantized layer (and the ops that follow it) at `bits[layer]` weight bits. */
export function withWeightBits(graph: Graph, bits: readonly number[]): Graph {
  const layerOf = layerIndexOf(graph);
  return { ...graph, ops: graph.ops.map((op, i) => ({ ...op, precision: { ...op.precision, weightBits: bits[layerOf[i]] ?? op.precision.weightBits } })) };
}
