/**
 * Lowers a Graph to the work units the engine runs: GEMMs on the MAC array (dense, and conv2d
 * through its im2col view: M = output pixels, K = C_in/groups·k_h·k_w, N = C_out/groups, once
 * per group), elementwise work on the vector unit, op-count traces, and free views.
 */
import type { Graph, Op, Precision } from '../../nets/graph.ts';
import { elementCount } from '../../nets/graph.ts';
import { opCounts, type OpCounts } from '../../nets/counts.ts';

interface Base {
  readonly name: string;
  readonly opKind: string;
  readonly precision: Precision;
  /** Counts of one inference (the closed form's view). */
  readonly counts: OpCounts;
}

export type EngineOp =
  | (Base & {
      readonly unit: 'gemm';
      readonly M: number;
      readonly N: number;
      readonly K: number;
      readonly groups: number;
      /** Elementwise work after the array (bias adds), for the whole batch. */
      readonly vectorOps: number;
      /** Parameters read besides the kernel (biases). */
      readonly extraWeights: number;
      /** Both operands are data (an algorithm's matrix product): the "filter" is priced as activations. */
      readonly dataOperands?: boolean;
    })
  | (Base & {
      readonly unit: 'vector';
      readonly vectorOps: number;
      /** Words read from and written to main memory (0 when fused into the producer). */
      readonly readWords: number;
      readonly writeWords: number;
    })
  | (Base & {
      readonly unit: 'trace';
      readonly macs: number;
      readonly vectorOps: number;
      /** Words read from and written to main memory (a counted step that stores its result). */
      readonly readWords: number;
      readonly writeWords: number;
    })
  | (Base & { readonly unit: 'free' });

export function lowerGraph(graph: Graph, batch: number): EngineOp[] {
  return graph.ops.map((op) => lowerOp(op, batch));
}

function lowerOp(op: Op, batch: number): EngineOp {
  const counts = opCounts(op);
  const base = { name: op.name, opKind: op.kind, precision: op.precision, counts };
  switch (op.kind) {
    case 'conv2d': {
      const [cin] = op.inputShapes[0];
      const [cout, h, w] = op.outputShape;
      const K = (cin / op.groups) * op.kernel[0] * op.kernel[1];
      const N = cout / op.groups;
      return { ...base, unit: 'gemm', M: batch * h * w, N, K, groups: op.groups, vectorOps: batch * counts.elementwise, extraWeights: counts.weights - K * N * op.groups };
    }
    case 'dense': {
      const K = op.inputShapes[0][0];
      return { ...base, unit: 'gemm', M: batch, N: op.units, K, groups: 1, vectorOps: batch * counts.elementwise, extraWeights: counts.weights - K * op.units };
    }
    case 'trace':
      return { ...base, unit: 'trace', macs: batch * counts.macs, vectorOps: batch * counts.elementwise, readWords: 0, writeWords: 0 };
    // The precoder head's small steps (an N_U × N_U Gram matrix and inverse) are counted work
    // without a GEMM worth folding: packed array work that stores its result, as the closed form.
    case 'gram':
    case 'reginverse':
      return { ...base, unit: 'trace', macs: batch * counts.macs, vectorOps: batch * counts.elementwise, readWords: batch * inputWords(op), writeWords: batch * counts.activations };
    case 'beamform': {
      // Hᴴ·X, both operands data: [N_T × N_U]·[N_U × N_U] complex, four real products.
      const [, antennas, users] = op.outputShape;
      return { ...base, unit: 'gemm', M: batch * antennas, N: users, K: users, groups: 4, vectorOps: batch * counts.elementwise, extraWeights: 0, dataOperands: true };
    }
    case 'matmul':
      return { ...base, unit: 'gemm', M: batch * op.M, N: op.N, K: op.K, groups: op.repeat * (op.complex ? 4 : 1), vectorOps: 0, extraWeights: 0, dataOperands: true };
    case 'add':
    case 'avgpool':
    case 'powernorm':
    case 'userpower':
      return { ...base, unit: 'vector', vectorOps: batch * (counts.elementwise + counts.macs), readWords: batch * inputWords(op), writeWords: batch * counts.activations };
    case 'batchnorm':
    case 'relu':
    case 'leakyrelu':
    case 'prelu':
    case 'sigmoid':
    case 'softplus':
    case 'tanh':
      // Fused: applied to the producer's output on its way out of the array.
      return { ...base, unit: 'vector', vectorOps: batch * counts.elementwise, readWords: 0, writeWords: 0 };
    default:
      return { ...base, unit: 'free' };
  }
}

const inputWords = (op: Op) => op.inputShapes.reduce((s, shape) => s + elementCount(shape), 0);

/** SCALE-Sim GEMM layers: M rows stream through, N filters/outputs, K the reduction. */
export function gemmOp(name: string, M: number, N: number, K: number, precision: Precision): EngineOp {
  const counts: OpCounts = { macs: M * N * K, weights: K * N, activations: M * N, elementwise: 0, outputs: M * N };
  return { name, opKind: 'gemm', precision, counts, unit: 'gemm', M, N, K, groups: 1, vectorOps: 0, extraWeights: 0 };
}
