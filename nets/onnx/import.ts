/**
 * An ONNX model as a Graph: the network a user brings from PyTorch, Keras or another tool,
 * priced like ours. Shapes come from the graph's inputs and the initializers; the batch axis
 * (the first, symbolic or not) is dropped — the engine's `--batch` says it. Bits come from
 * QuantizeLinear/DequantizeLinear pairs and QLinear ops (their integer types give the widths),
 * or from codesign's own export metadata; otherwise the caller's `--bits` apply.
 *
 * Bad input is an InputError naming the file, the node (name and op type) or field, the value
 * and what is allowed — never a stack trace.
 */
import { FileError, InputError, type FileIssue } from '../../core/errors.ts';
import { precisionMapOf } from '../precision-map.ts';
import { graphBuilder } from '../builder.ts';
import { type Graph, type OpSpec, type Precision } from '../graph.ts';
import { withBits } from '../layers.ts';
import { attribute, decodeModel, tensorValues, type Model, type Node, type Tensor } from './proto.ts';
import { IMPORTERS, SUPPORTED_ONNX_OPS, type ImportContext, type OnnxOp } from './import-ops.ts';

export { SUPPORTED_ONNX_OPS } from './import-ops.ts';

const PASS_BITS = new Set<OpSpec['kind']>(['maxpool', 'avgpool', 'flatten', 'reshape', 'transpose', 'relu', 'clip', 'dropout']);

/** The key of codesign's export metadata: every op's precision, so a round trip keeps the bits. */
export const PRECISION_METADATA = 'codesign.precision';

export interface ImportedModel {
  readonly graph: Graph;
  /** Whether the file declared its bits (QDQ, QLinear ops or codesign's metadata). */
  readonly declaresBits: boolean;
  readonly producer: string;
  readonly opset: number;
  /** Each conv/dense layer's weight tensor, by op name (for a quantization-noise proxy; decoded on demand). */
  readonly kernels: ReadonlyMap<string, Tensor>;
}

export function importOnnx(bytes: Uint8Array, file: string): ImportedModel {
  const model = decodeFile(bytes, file);
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  const g = model.graph;
  // Named for the file (exporters' graph names are often generic: torch_jit, main_graph).
  const b = graphBuilder(`onnx:${file.replace(/^.*\//, '')}`);
  const initializers = new Map<string, Tensor>((g.initializer ?? []).map((t) => [t.name, t]));
  /** ONNX tensor → the op that produces it. */
  const producer = new Map<string, string>();
  /** Constant tensors (initializers and Constant nodes) by name. */
  const constants = new Map<string, Tensor>(initializers);
  /** Bits a QDQ pair declares for a tensor: weights (an initializer's integer type) or activations. */
  const weightBits = new Map<string, number>();
  const activationBits = new Map<string, number>();
  const declared: Record<string, Partial<Precision>> = {};
  const where = (node: Node, i: number) => `${file}: node ${node.name || `#${i}`} (${node.opType})`;

  for (const input of g.input) {
    if (initializers.has(input.name)) continue;
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    if (dims.length < 2) throw new InputError(`${file}: input ${input.name}`, `${dims.length} dimensions`, 'allowed: a batch axis first, then the per-sample axes (at least 2 dimensions)');
    const shape = dims.slice(1).map((d, k) => {
      if (d.dimValue !== undefined && d.dimValue > 0) return d.dimValue;
      throw new InputError(`${file}: input ${input.name}, dimension ${k + 1}`, d.dimParam ?? '(unknown)', 'allowed: a fixed size (only the first, batch axis may be symbolic; the engine\'s --batch sets it)');
    });
    producer.set(input.name, b.add(input.name, { kind: 'input', shape }));
  }

  const { biasOf, absorbed, powerNorms } = absorbedNodes(g.node, initializers, constants);

  const { add, contextOf, kernels } = nodeTools({ b, producer, constants, weightBits, activationBits, declared, biasOf, where, opset, opsetDeclared: model.opsetImport.length > 0 });

  for (const [i, node] of g.node.entries()) {
    if (absorbed.has(node)) continue;
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new InputError(where(node, i), node.domain, 'allowed: operators of the default ONNX domain');
    }
    const norm = powerNorms.get(node);
    if (norm) {
      add({ ...node, output: [norm.output] }, i, { kind: 'powernorm', power: norm.power }, [norm.input]);
      continue;
    }
    const importer = Object.hasOwn(IMPORTERS, node.opType) ? IMPORTERS[node.opType as OnnxOp] : undefined;
    if (!importer) throw new InputError(where(node, i), node.opType, `allowed (ONNX ops codesign prices): ${SUPPORTED_ONNX_OPS.join(', ')}`);
    importer(contextOf(node, i));
  }
  let graph = b.build();
  // codesign's own export says every op's precision; QDQ and QLinear ops say their layers'.
  const meta = model.metadataProps?.find((p) => p.key === PRECISION_METADATA);
  if (meta) {
    const precision = precisionMetadataOf(meta.value, file, graph.ops.map((op) => op.name));
    graph = { ...graph, ops: graph.ops.map((op) => ({ ...op, precision: { ...op.precision, ...precision[op.name] } })) };
  } else if (Object.keys(declared).length > 0) {
    graph = withBits(graph, { perLayer: declared });
  }
  return { graph, kernels, declaresBits: meta !== undefined || Object.keys(declared).length > 0, producer: `${model.producerName ?? 'unknown'} ${model.producerVersion ?? ''}`.trim(), opset };
}

/** What the importer keeps while it walks the nodes. */
interface ImportState {
  readonly b: ReturnType<typeof graphBuilder>;
  /** ONNX tensor → the op that produces it. */
  readonly producer: Map<string, string>;
  readonly constants: Map<string, Tensor>;
  readonly weightBits: Map<string, number>;
  readonly activationBits: Map<string, number>;
  /** Bits QDQ pairs and QLinear ops declare, by op name. */
  readonly declared: Record<string, Partial<Precision>>;
  readonly biasOf: ReadonlyMap<string, string>;
  readonly where: (node: Node, i: number) => string;
  readonly opset: number;
  readonly opsetDeclared: boolean;
}

/** Adding an op for a node, and the context an importer gets for a node (import-ops.ts). */
function nodeTools(state: ImportState) {
  const { b, producer, constants, weightBits, activationBits, declared, biasOf, where, opset, opsetDeclared } = state;
  const source = (node: Node, i: number, tensor: string): string => {
    const op = producer.get(tensor);
    if (op === undefined) throw new InputError(where(node, i), tensor, 'allowed: a graph input or an earlier node\'s output (this tensor has no producer: a dynamic or missing value)');
    return op;
  };
  const used = new Set<string>();
  const kernels = new Map<string, Tensor>();
  const uniqueName = (node: Node, i: number): string => {
    let n = node.name && node.name.length > 0 ? node.name : `${node.opType}_${i}`;
    while (used.has(n)) n = `${n}_`;
    used.add(n);
    return n;
  };
  const add = (node: Node, i: number, spec: OpSpec, inputs: readonly string[], bits?: Partial<Precision>): string => {
    const opName = uniqueName(node, i);
    const out = b.add(opName, spec, inputs.map((t) => source(node, i, t)));
    producer.set(node.output[0], out);
    // A quantized activation stays quantized through pools, views and ReLU.
    if (PASS_BITS.has(spec.kind) && activationBits.has(inputs[0])) activationBits.set(node.output[0], activationBits.get(inputs[0])!);
    if (bits && (bits.weightBits !== undefined || bits.activationBits !== undefined)) declared[opName] = bits;
    return out;
  };
  /** Shapes computed in the graph, folded here with the batch axis as a symbol (import-ops.ts). */
  const symbolic = new Map<string, (number | 'batch')[]>();
  /** The tools an importer uses, bound to one node. */
  const contextOf = (node: Node, i: number): ImportContext => {
    let lastOp = '';
    return {
      node,
      x: node.input[0],
      second: node.input[1],
      third: node.input[2],
      opset,
      opsetDeclared,
      where: where(node, i),
      constants,
      weightBits,
      activationBits,
      biasOf,
      constant(tensor, what) {
        const t = constants.get(tensor);
        if (!t) throw new InputError(where(node, i), tensor, `allowed: ${what} given as an initializer or a Constant node`);
        return t;
      },
      ints(key, fallback) {
        const a = attribute(node, key);
        return a?.ints && a.ints.length > 0 ? a.ints.map(Number) : [...fallback];
      },
      // An attribute that is present but holds protobuf's default (0) is decoded without its field.
      int(key, fallback) {
        const a = attribute(node, key);
        return a === undefined ? fallback : Number(a.i ?? 0);
      },
      float(key, fallback) {
        const a = attribute(node, key);
        return a === undefined ? fallback : (a.f ?? 0);
      },
      alias: (from) => void producer.set(node.output[0], source(node, i, from)),
      aliasOutput: (tensor) => void producer.set(tensor, producer.get(node.output[0])!),
      add(spec, inputs, bits) {
        const out = add(node, i, spec, inputs, bits);
        lastOp = out;
        return out;
      },
      keepKernel: (w) => void kernels.set(lastOp, w),
      shapeOf: (tensor) => b.shapeOf(source(node, i, tensor)),
      valuesOf: (tensor) => symbolic.get(tensor) ?? (constants.has(tensor) ? tensorValues(constants.get(tensor)!).map(Number) : undefined),
      fold: (value) => void symbolic.set(node.output[0], value),
    };
  };

  return { add, contextOf, kernels };
}

/** The file as a ModelProto with a graph of nodes, or a message saying what it is instead. */
function decodeFile(bytes: Uint8Array, file: string): Model {
  let model: Model;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    // protobuf's own words ("index out of range: 13 + 6 > 16") name its internals, not the file.
    const truncated = /index out of range/.test((error as Error).message);
    throw new InputError(file, `${bytes.length} bytes`, `allowed: an ONNX model (protobuf ModelProto); this file ${truncated ? 'ends in the middle of a field (truncated?)' : 'is not protobuf (an ONNX file is binary, not text or JSON)'}`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0 || !(model.irVersion > 0)) {
    throw new InputError(file, `${bytes.length} bytes`, 'allowed: an ONNX model (protobuf ModelProto with a graph of nodes); this decodes to none');
  }
  return model;
}

/**
 * Nodes that join the op before them: an Add of a constant vector after a MatMul is that dense
 * layer's bias (PyTorch's Linear on N-D inputs); x / sqrt(Σx² + ε) · k, as codesign exports a
 * total-power normalisation, is one op of power k² (keyed by its ReduceSumSquare).
 */
function absorbedNodes(nodes: readonly Node[], initializers: ReadonlyMap<string, Tensor>, constants: ReadonlyMap<string, Tensor>) {
  const biasOf = new Map<string, string>();
  const absorbed = new Set<Node>();
  for (const node of nodes) {
    if (node.opType !== 'Add') continue;
    const [a, c] = node.input;
    const matmul = nodes.find((n) => n.opType === 'MatMul' && n.output[0] === a && initializers.has(n.input[1]));
    if (matmul && constants.has(c) && nodes.filter((n) => n.input.includes(a)).length === 1) {
      biasOf.set(matmul.output[0], node.output[0]);
      absorbed.add(node);
    }
  }
  const powerNorms = new Map<Node, { readonly input: string; readonly power: number; readonly output: string }>();
  const consumer = (tensor: string, type: string) => {
    const users = nodes.filter((n) => n.input.includes(tensor));
    return users.length === 1 && users[0].opType === type ? users[0] : undefined;
  };
  for (const node of nodes) {
    if (node.opType !== 'ReduceSumSquare') continue;
    const eps = consumer(node.output[0], 'Add');
    const sqrt = eps && consumer(eps.output[0], 'Sqrt');
    const div = sqrt && consumer(sqrt.output[0], 'Div');
    const mul = div && div.input[0] === node.input[0] ? consumer(div.output[0], 'Mul') : undefined;
    const k = mul ? tensorValues(constants.get(mul.input[1]) ?? { name: '', dims: [], dataType: 0 }) : [];
    if (!eps || !sqrt || !div || !mul || k.length !== 1) continue;
    powerNorms.set(node, { input: node.input[0], power: k[0] * k[0], output: mul.output[0] });
    for (const n of [eps, sqrt, div, mul]) absorbed.add(n);
  }
  return { biasOf, absorbed, powerNorms };
}

/** codesign's export metadata: JSON of op name → precision, each width checked like a bits file's. */
function precisionMetadataOf(text: string, file: string, names: readonly string[]): Record<string, Partial<Precision>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FileError('onnx', file, [{ path: `metadata ${PRECISION_METADATA}`, value: text.slice(0, 60), allowed: 'JSON: an object of op name → { "weightBits", "activationBits" } (as codesign export writes it)' }]);
  }
  const issues: FileIssue[] = [];
  const out = precisionMapOf(raw, issues, names);
  if (issues.length > 0) throw new FileError('onnx', file, issues.map((i) => ({ ...i, path: `metadata ${PRECISION_METADATA}: ${i.path}` })));
  return out;
}
