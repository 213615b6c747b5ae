/**
 * A Graph as an ONNX model (opset 17), so a user can take our precoder or codec to
 * onnxruntime, PyTorch or a hardware tool. Weights come from a `WeightSource` in codesign's
 * layouts (the trainable model's: conv kernels as the im2col matrix [k_h·k_w·C_in/groups, C_out],
 * dense kernels [in, out]); they are rewritten in ONNX's (conv [C_out, C_in/groups, k_h, k_w],
 * Gemm B = [in, out]). Tensors are NCHW with a symbolic batch axis. Every op's precision goes
 * into the model's metadata, so importing the file gives back the same counts, shapes and energy.
 *
 * Padding: a 'same' convolution exports explicit pads ⌊(k−1)/2⌋ before and the rest after at
 * its stride — the positions codesign's forward pass computes (a stride-1 'same' convolution
 * subsampled), which ONNX's SAME_UPPER at a stride > 1 would not give.
 */
import { InputError } from '../../core/errors.ts';
import type { Graph, Op, Precision } from '../graph.ts';
import { PRECISION_METADATA } from './import.ts';
import { ATTRIBUTE_TYPE, encodeModel, floatTensor, int64Tensor, type Attribute, type Node, type Tensor, type ValueInfo } from './proto.ts';

export type WeightParameter = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' | 'alpha';

/** An op's parameter values in codesign's layout. */
export type WeightSource = (op: Op, parameter: WeightParameter) => Float32Array;

export const EXPORT_OPSET = 17;

/** Activation functions with no parameters: our kind → ONNX op type. */
const UNARY = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softplus: 'Softplus' } as const;

const ints = (name: string, values: readonly number[]): Attribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: [...values] });
const intAttr = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.INT, i: value });
const floatAttr = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });

/** A conv kernel from the im2col layout [k_h·k_w·C_in/g, C_out] to ONNX's [C_out, C_in/g, k_h, k_w]. */
export function convKernelToOnnx(k: Float32Array, kh: number, kw: number, cinG: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < cinG; c++) {
        const row = ((i * kw + j) * cinG + c) * cout;
        for (let o = 0; o < cout; o++) out[((o * cinG + c) * kh + i) * kw + j] = k[row + o];
      }
    }
  }
  return out;
}

const NO_ONNX_FORM: ReadonlySet<string> = new Set(['gram', 'reginverse', 'beamform', 'userpower', 'trace', 'matmul']);

/** Refuses, before any weights are made, a graph with an op that has no ONNX form. */
export function checkExportable(graph: Graph): void {
  const op = graph.ops.find((o) => NO_ONNX_FORM.has(o.kind));
  if (op) throw new InputError('net', `${graph.name}: op ${op.name} (${op.kind})`, 'allowed: a graph of network layers (the structured precoder head and op-count traces have no ONNX form; export the direct head)');
}

export function exportOnnx(graph: Graph, weights: WeightSource, producerVersion: string): Uint8Array {
  checkExportable(graph);
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const inputs: ValueInfo[] = [];
  const tensor = (op: Op, parameter: WeightParameter, dims: readonly number[], values?: Float32Array): string => {
    const name = `${op.name}.${parameter}`;
    initializers.push(floatTensor(name, dims, values ?? weights(op, parameter)));
    return name;
  };
  const info = (name: string, shape: readonly number[]): ValueInfo => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  const node = (op: Op, opType: string, input: readonly string[], attribute: readonly Attribute[] = [], output = op.name, name = op.name) => nodes.push({ name, opType, input: [...input], output: [output], attribute: [...attribute] });

  for (const op of graph.ops) {
    const x = op.inputs;
    switch (op.kind) {
      case 'input':
        inputs.push(info(op.name, op.shape));
        break;
      case 'conv2d': {
        const cinG = op.inputShapes[0][0] / op.groups;
        const [kh, kw] = op.kernel;
        const w = tensor(op, 'kernel', [op.filters, cinG, kh, kw], convKernelToOnnx(weights(op, 'kernel'), kh, kw, cinG, op.filters));
        const [dh, dw] = op.dilation ?? [1, 1];
        const pads =
          op.padding === 'valid' ? [0, 0, 0, 0]
          : op.padding === 'same' ? [Math.floor((dh * (kh - 1)) / 2), Math.floor((dw * (kw - 1)) / 2), dh * (kh - 1) - Math.floor((dh * (kh - 1)) / 2), dw * (kw - 1) - Math.floor((dw * (kw - 1)) / 2)]
          : [op.padding[0], op.padding[1], op.padding[0], op.padding[1]];
        const attrs = [ints('kernel_shape', [kh, kw]), ints('strides', op.stride), ints('pads', pads), ints('dilations', [dh, dw]), intAttr('group', op.groups)];
        node(op, 'Conv', [x[0], w, ...(op.bias ? [tensor(op, 'bias', [op.filters])] : [])], attrs);
        break;
      }
      case 'dense':
        node(op, 'Gemm', [x[0], tensor(op, 'kernel', [op.inputShapes[0][0], op.units]), ...(op.bias ? [tensor(op, 'bias', [op.units])] : [])]);
        break;
      case 'batchnorm': {
        const c = op.outputShape[0];
        node(op, 'BatchNormalization', [x[0], tensor(op, 'gamma', [c]), tensor(op, 'beta', [c]), tensor(op, 'mean', [c]), tensor(op, 'variance', [c])], [floatAttr('epsilon', 1e-3)]);
        break;
      }
      case 'relu':
      case 'sigmoid':
      case 'tanh':
      case 'softplus':
        node(op, UNARY[op.kind], x);
        break;
      case 'leakyrelu':
        node(op, 'LeakyRelu', x, [floatAttr('alpha', op.alpha)]);
        break;
      case 'prelu': {
        // One slope per channel, broadcast over the spatial axes.
        const c = op.outputShape[0];
        node(op, 'PRelu', [x[0], tensor(op, 'alpha', [c, ...op.outputShape.slice(1).map(() => 1)])]);
        break;
      }
      case 'dropout':
        // Inference: the identity; the ratio is kept so a re-import sees the same layer.
        node(op, 'Dropout', [x[0], tensorOf(initializers, `${op.name}.ratio`, op.rate)]);
        break;
      case 'add':
        node(op, x.length === 2 ? 'Add' : 'Sum', x);
        break;
      case 'concat':
        node(op, 'Concat', x, [intAttr('axis', 1)]);
        break;
      case 'flatten':
        node(op, 'Flatten', x, [intAttr('axis', 1)]);
        break;
      case 'reshape': {
        const shape = `${op.name}.shape`;
        initializers.push(int64Tensor(shape, [op.shape.length + 1], [-1, ...op.shape]));
        node(op, 'Reshape', [x[0], shape]);
        break;
      }
      case 'transpose':
        node(op, 'Transpose', x, [ints('perm', [0, ...op.perm.map((d) => d + 1)])]);
        break;
      case 'avgpool':
      case 'maxpool': {
        const [ph, pw] = op.padding ?? [0, 0];
        const attrs = [ints('kernel_shape', op.pool), ints('strides', op.stride), ints('pads', [ph, pw, ph, pw]), intAttr('ceil_mode', op.ceilMode ? 1 : 0)];
        // Our average divides by the whole window, padding included.
        node(op, op.kind === 'avgpool' ? 'AveragePool' : 'MaxPool', x, op.kind === 'avgpool' ? [...attrs, intAttr('count_include_pad', 1)] : attrs);
        break;
      }
      case 'clip':
        node(op, 'Clip', [x[0], tensorOf(initializers, `${op.name}.min`, op.min), tensorOf(initializers, `${op.name}.max`, op.max)]);
        break;
      case 'softmax':
        node(op, 'Softmax', x, [intAttr('axis', 1)]);
        break;
      case 'scale':
        node(op, 'Mul', [x[0], tensorOf(initializers, `${op.name}.factor`, op.factor)]);
        break;
      case 'powernorm': {
        // x / sqrt(Σx² + 1e-12) · √power, over every per-sample axis (the trainable model's form).
        const axes = op.outputShape.map((_, k) => k + 1);
        const n = op.name;
        nodes.push({ name: n, opType: 'ReduceSumSquare', input: [x[0]], output: [`${n}/sumsq`], attribute: [ints('axes', axes), intAttr('keepdims', 1)] });
        nodes.push({ name: `${n}/eps`, opType: 'Add', input: [`${n}/sumsq`, tensorOf(initializers, `${n}.epsilon`, 1e-12)], output: [`${n}/sumsq+eps`], attribute: [] });
        nodes.push({ name: `${n}/sqrt`, opType: 'Sqrt', input: [`${n}/sumsq+eps`], output: [`${n}/norm`], attribute: [] });
        nodes.push({ name: `${n}/div`, opType: 'Div', input: [x[0], `${n}/norm`], output: [`${n}/unit`], attribute: [] });
        nodes.push({ name: `${n}/mul`, opType: 'Mul', input: [`${n}/unit`, tensorOf(initializers, `${n}.scale`, Math.sqrt(op.power))], output: [n], attribute: [] });
        break;
      }
      case 'gram':
      case 'reginverse':
      case 'beamform':
      case 'userpower':
      case 'trace':
      case 'matmul':
        break; // refused by checkExportable
    }
  }
  const last = graph.ops[graph.ops.length - 1];
  const precision: Record<string, Precision> = Object.fromEntries(graph.ops.map((op) => [op.name, op.precision]));
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'codesign',
    producerVersion,
    graph: { name: graph.name, node: nodes, initializer: initializers, input: inputs, output: [info(last.name, last.outputShape)] },
    metadataProps: [{ key: PRECISION_METADATA, value: JSON.stringify(precision) }],
  });
}

function tensorOf(initializers: Tensor[], name: string, value: number): string {
  initializers.push(floatTensor(name, [], [value]));
  return name;
}
