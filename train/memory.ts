/**
 * What a network needs in memory before it is built: float32 weights (plus, to train, their
 * gradients, Adam's two moments and the LSQ steps) and, to train, the batch's activations kept
 * for the backward pass. Checked at the front door so that a size that would exhaust the
 * WebAssembly heap (4 GiB at most, shared with everything else) is refused with what it needs,
 * instead of dying tens of seconds later.
 */
import { InputError } from '../core/errors.ts';
import { graphCounts } from '../nets/counts.ts';
import type { Graph } from '../nets/graph.ts';

/** Bytes a run may plan for: well inside the wasm heap's 4 GiB, which tfjs and the data share. */
export const MEMORY_BUDGET = { inference: 2 ** 30, training: 2 ** 31 } as const;

/** float32 copies of each weight while training: weight, gradient, Adam m and v, a quantized copy. */
const TRAINING_COPIES = 5;
/** Activations per output element while training: the forward value and its gradient, fake-quantized copy. */
const ACTIVATION_COPIES = 3;

export function modelBytes(graph: Graph, purpose: 'inference' | 'training', batch = 1): number {
  const c = graphCounts(graph);
  return purpose === 'inference' ? 4 * c.weights : 4 * (TRAINING_COPIES * c.weights + ACTIVATION_COPIES * batch * c.outputs);
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/** Refuses a network (and batch) whose planned memory exceeds the budget, saying what it would need. */
export function checkModelFits(graph: Graph, purpose: 'inference' | 'training', batch = 1): void {
  const bytes = modelBytes(graph, purpose, batch);
  const budget = MEMORY_BUDGET[purpose];
  if (bytes > budget) {
    const c = graphCounts(graph);
    const what = `${c.weights.toLocaleString('en-US')} weights${purpose === 'training' ? ` and ${c.outputs.toLocaleString('en-US')} activations a sample at batch ${batch}` : ''}`;
    throw new InputError('network', graph.name, `allowed: a network whose ${purpose} needs at most ${gib(budget)}; this one's ${what} need ${gib(bytes)} (choose smaller layers${purpose === 'training' ? ' or a smaller --batch' : ''})`);
  }
}
