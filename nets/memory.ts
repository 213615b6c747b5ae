/**
 * Inference memory of a graph: its weights at their bit widths plus the peak of the
 * activations alive at once. A tensor lives from the op that writes it to the last op that
 * reads it; pointwise ops and views write nothing new (the same convention as N_a), so they
 * extend their producer's tensor instead.
 */
import type { Graph } from './graph.ts';
import { elementCount } from './graph.ts';
import { opCounts } from './counts.ts';

export interface InferenceMemory {
  readonly weightBits: number;
  readonly peakActivationBits: number;
  readonly totalBytes: number;
}

export function inferenceMemory(graph: Graph): InferenceMemory {
  let weightBits = 0;
  for (const op of graph.ops) weightBits += opCounts(op).weights * op.precision.weightBits;
  // Which stored tensor each op's output is (pointwise ops and views alias their input).
  const storage = new Map<string, string>();
  const size = new Map<string, number>();
  for (const op of graph.ops) {
    const writes = op.kind === 'input' || opCounts(op).activations > 0;
    const producer = op.inputs[0];
    if (writes || producer === undefined || !storage.has(producer)) {
      storage.set(op.name, op.name);
      size.set(op.name, elementCount(op.outputShape) * op.precision.activationBits);
    } else {
      storage.set(op.name, storage.get(producer)!);
    }
  }
  const lastUse = new Map<string, number>();
  graph.ops.forEach((op, i) => {
    lastUse.set(storage.get(op.name)!, Math.max(lastUse.get(storage.get(op.name)!) ?? i, i));
    for (const input of op.inputs) if (storage.has(input)) lastUse.set(storage.get(input)!, i);
  });
  let live = 0;
  let peak = 0;
  const born = new Set<string>();
  graph.ops.forEach((op, i) => {
    const t = storage.get(op.name)!;
    if (!born.has(t)) {
      born.add(t);
      live += size.get(t) ?? 0;
    }
    peak = Math.max(peak, live);
    for (const [tensor, last] of lastUse) {
      if (last === i && born.has(tensor)) {
        live -= size.get(tensor) ?? 0;
        lastUse.delete(tensor);
      }
    }
  });
  return { weightBits, peakActivationBits: peak, totalBytes: (weightBits + peak) / 8 };
}
