/**
 * Lowers a Graph to the work units the engine runs: GEMMs on the MAC array (dense, and conv2d
 * through its im2col view: M = output pixels, K = C_in/groups·k_h·k_w, N = C_out/groups, once
 * per group), elementwise work on the vector unit, op-count traces, and free views.
 */
import type { Graph, Op, OpKind, OpOf, Precision } from '../../nets/graph.ts';
import { opCounts, type OpCounts } from '../../nets/counts.ts';
import { inputElements, workingSetElements } from '../capacity.ts';

interface Base {
  readonly name: string;
  readonly opKind: string;
  readonly precision: Precision;
  /** Counts of one inference (the closed form's view). */
  readonly counts: OpCounts;
  /** Input and output activation elements of the whole batch: its claim on main memory (sim/capacity.ts). */
  readonly workingSet: number;
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
      /** A convolution's input geometry (topology files): its im2col rows share input addresses. */
      readonly conv?: ConvWindow;
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

/**
 * A convolution's input geometry: input height × width × channels, filter height × width, stride.
 * A SCALE-Sim layer has one stride, no padding and ⌈(H − R + S)/S⌉ outputs per side; a graph's
 * convolution gives its horizontal stride, its padding before the first row and column, and its
 * output size (windows reaching into the padding demand nothing there).
 */
export interface ConvWindow {
  readonly height: number;
  readonly width: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly channels: number;
  readonly stride: number;
  readonly padded?: { readonly strideW: number; readonly top: number; readonly left: number; readonly outHeight: number; readonly outWidth: number };
}

export function lowerGraph(graph: Graph, batch: number): EngineOp[] {
  return graph.ops.map((op) => lowerOp(op, batch));
}

type Lowering<K extends OpKind> = (op: OpOf<K>, base: LoweringBase, batch: number) => EngineOp;
type LoweringBase = Pick<EngineOp, 'name' | 'opKind' | 'precision' | 'counts' | 'workingSet'>;

const free = (_op: Op, base: LoweringBase): EngineOp => ({ ...base, unit: 'free' });
/** Fused: applied to the producer's output on its way out of the array. */
const fused = (_op: Op, base: LoweringBase, batch: number): EngineOp => ({ ...base, unit: 'vector', vectorOps: batch * base.counts.elementwise, readWords: 0, writeWords: 0 });
/** Elementwise work that reads its inputs and writes its result through main memory. */
const vector = (op: Op, base: LoweringBase, batch: number): EngineOp => ({ ...base, unit: 'vector', vectorOps: batch * (base.counts.elementwise + base.counts.macs), readWords: batch * inputElements(op), writeWords: batch * base.counts.activations });
/**
 * The precoder head's small steps (an N_U × N_U Gram matrix and inverse) are counted work
 * without a GEMM worth folding: packed array work that stores its result, as the closed form.
 */
const countedStep = (op: Op, base: LoweringBase, batch: number): EngineOp => ({ ...base, unit: 'trace', macs: batch * base.counts.macs, vectorOps: batch * base.counts.elementwise, readWords: batch * inputElements(op), writeWords: batch * base.counts.activations });

/** How each op kind runs on the engine: one entry per kind, so a new kind cannot run for free by omission. */
const LOWERINGS: { readonly [K in OpKind]: Lowering<K> } = {
  conv2d: (op, base, batch) => {
    const [cin, inH, inW] = op.inputShapes[0];
    const [cout, h, w] = op.outputShape;
    const K = (cin / op.groups) * op.kernel[0] * op.kernel[1];
    const N = cout / op.groups;
    // The input's geometry, so that overlapping windows share input addresses in the engine's
    // buffers (one inference; dilated kernels keep the plain im2col view).
    const dilated = op.dilation !== undefined && (op.dilation[0] !== 1 || op.dilation[1] !== 1);
    const conv: ConvWindow | undefined =
      batch === 1 && !dilated
        ? {
            height: inH,
            width: inW,
            filterHeight: op.kernel[0],
            filterWidth: op.kernel[1],
            channels: cin / op.groups,
            stride: op.stride[0],
            padded: { strideW: op.stride[1], top: padBefore(op.padding, 0, inH, h, op.kernel[0], op.stride[0]), left: padBefore(op.padding, 1, inW, w, op.kernel[1], op.stride[1]), outHeight: h, outWidth: w },
          }
        : undefined;
    return { ...base, unit: 'gemm', M: batch * h * w, N, K, groups: op.groups, vectorOps: batch * base.counts.elementwise, extraWeights: base.counts.weights - K * N * op.groups, ...(conv ? { conv } : {}) };
  },
  dense: (op, base, batch) => {
    const K = op.inputShapes[0][0];
    return { ...base, unit: 'gemm', M: batch, N: op.units, K, groups: 1, vectorOps: batch * base.counts.elementwise, extraWeights: base.counts.weights - K * op.units };
  },
  trace: (_op, base, batch) => ({ ...base, unit: 'trace', macs: batch * base.counts.macs, vectorOps: batch * base.counts.elementwise, readWords: 0, writeWords: 0 }),
  gram: countedStep,
  reginverse: countedStep,
  wmmseupdate: countedStep,
  channelgains: (op, base, batch) => {
    // H·V, both operands data: [N_U × N_T]·[N_T × N_U] complex, four real products.
    const [, antennas, users] = op.inputShapes[0];
    return { ...base, unit: 'gemm', M: batch * users, N: users, K: antennas, groups: 4, vectorOps: batch * base.counts.elementwise, extraWeights: 0, dataOperands: true };
  },
  beamform: (op, base, batch) => {
    // Hᴴ·X, both operands data: [N_T × N_U]·[N_U × N_U] complex, four real products.
    const [, antennas, users] = op.outputShape;
    return { ...base, unit: 'gemm', M: batch * antennas, N: users, K: users, groups: 4, vectorOps: batch * base.counts.elementwise, extraWeights: 0, dataOperands: true };
  },
  matmul: (op, base, batch) => ({ ...base, unit: 'gemm', M: batch * op.M, N: op.N, K: op.K, groups: op.repeat * (op.complex ? 4 : 1), vectorOps: 0, extraWeights: 0, dataOperands: true }),
  add: vector,
  avgpool: vector,
  maxpool: vector,
  scale: fused,
  clip: fused,
  softmax: fused,
  powernorm: vector,
  userpower: vector,
  batchnorm: fused,
  relu: fused,
  leakyrelu: fused,
  prelu: fused,
  sigmoid: fused,
  softplus: fused,
  tanh: fused,
  // Moves nothing: the input is already in memory, views and concatenation re-index, dropout is off at inference.
  input: free,
  reshape: free,
  flatten: free,
  concat: free,
  dropout: free,
  transpose: free,
};

function lowerOp(op: Op, batch: number): EngineOp {
  const base = { name: op.name, opKind: op.kind, precision: op.precision, counts: opCounts(op), workingSet: batch * workingSetElements(op) };
  return (LOWERINGS[op.kind] as Lowering<OpKind>)(op as OpOf<OpKind>, base, batch);
}

/** Padding before the first row (axis 0) or column (axis 1): 'same' as TensorFlow and ONNX SAME_UPPER split it (the extra on the far side). */
function padBefore(padding: OpOf<'conv2d'>['padding'], axis: 0 | 1, input: number, output: number, kernel: number, stride: number): number {
  if (padding === 'valid') return 0;
  if (padding === 'same') return Math.floor(Math.max((output - 1) * stride + kernel - input, 0) / 2);
  return padding[axis];
}


/** SCALE-Sim GEMM layers: M rows stream through, N filters/outputs, K the reduction. */
export function gemmOp(name: string, M: number, N: number, K: number, precision: Precision): EngineOp {
  const counts: OpCounts = { macs: M * N * K, weights: K * N, activations: M * N, elementwise: 0, outputs: M * N };
  return { name, opKind: 'gemm', precision, counts, workingSet: M * K + M * N, unit: 'gemm', M, N, K, groups: 1, vectorOps: 0, extraWeights: 0 };
}
