/**
 * The quantized layers of a Graph and which one each op follows: one definition for pricing a
 * bit assignment, for the searches and for training. A quantized layer is an op with weights
 * (conv2d, dense); every other op runs at the bits of the last quantized layer before it in
 * graph order (ops ahead of the first one, such as the input, at the first one's), which is how
 * the builders assign precisions. The exception: ops that multiply data with data (a structured
 * precoder head's Gram matrix, inverse, Hᴴ product and powers, on the channel and FCL3's
 * outputs) run at the precision of that data, not at a layer's weight bits: they follow no layer.
 */
import { InputError } from '../core/errors.ts';
import { MAX_BITS } from './builder.ts';
import type { Graph, OpKind, Precision } from './graph.ts';

export const QUANTIZED_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(['conv2d', 'dense']);

/** Ops priced at their operands' data precision, whatever the bits of the layers around them (layerIndexOf gives −1). */
export const DATA_PRECISION_KINDS: ReadonlySet<OpKind> = new Set<OpKind>(['gram', 'reginverse', 'beamform', 'userpower', 'channelgains', 'wmmseupdate']);

/** Names of the quantized layers, in graph order. */
export function quantizedLayers(graph: Graph): string[] {
  return graph.ops.filter((op) => QUANTIZED_KINDS.has(op.kind)).map((op) => op.name);
}

/** Per op, the index (into quantizedLayers) of the layer whose weight bits it runs at; −1 for an op that follows no layer (DATA_PRECISION_KINDS). */
export function layerIndexOf(graph: Graph): Int16Array {
  const out = new Int16Array(graph.ops.length);
  let layer = 0;
  let seen = false;
  graph.ops.forEach((op, i) => {
    if (QUANTIZED_KINDS.has(op.kind)) {
      if (seen) layer++;
      seen = true;
    }
    out[i] = DATA_PRECISION_KINDS.has(op.kind) ? -1 : layer;
  });
  return out;
}

/** Bits asked of a network: weights for all layers (one value) or per layer, activations for all, and any layer by name. */
export interface BitsRequest {
  readonly weights?: readonly number[];
  readonly activations?: number;
  readonly perLayer?: Readonly<Record<string, Partial<Precision>>>;
}

/**
 * The graph at the asked bits; each op follows its quantized layer (layerIndexOf). A wrong count
 * or an unknown layer name is an error listing the layers.
 */
export function withBits(graph: Graph, request: BitsRequest): Graph {
  const layers = quantizedLayers(graph);
  const listed = `${layers.length}: ${layers.join(', ')}`;
  const { weights, activations, perLayer = {} } = request;
  if (weights && weights.length !== 1 && weights.length !== layers.length) {
    throw new InputError('bits', weights.join(','), `allowed: one value for every layer, or one per quantizable layer of ${graph.name} (${listed})`);
  }
  for (const name of Object.keys(perLayer)) {
    if (!layers.includes(name)) throw new InputError('bitsFile', name, `allowed: a quantizable layer of ${graph.name} (${listed})`);
  }
  for (const bits of [...(weights ?? []), ...(activations === undefined ? [] : [activations]), ...Object.values(perLayer).flatMap((p) => [p.weightBits, p.activationBits])]) {
    if (bits !== undefined && !(Number.isInteger(bits) && bits >= 1 && bits <= MAX_BITS)) throw new InputError('bits', bits, `allowed: integers from 1 to ${MAX_BITS}`);
  }
  const layerOf = layerIndexOf(graph);
  return {
    ...graph,
    ops: graph.ops.map((op, i) => {
      if (layerOf[i] < 0) return op;
      const layer = layers[layerOf[i]];
      const named = layer === undefined ? undefined : perLayer[layer];
      const weightBits = named?.weightBits ?? (weights ? weights[weights.length === 1 ? 0 : layerOf[i]] : undefined) ?? op.precision.weightBits;
      const activationBits = named?.activationBits ?? activations ?? op.precision.activationBits;
      return { ...op, precision: { weightBits, activationBits } };
    }),
  };
}
