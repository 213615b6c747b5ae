import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphCounts } from '../nets/counts.ts';
import type { Graph, Op } from '../nets/graph.ts';
import { buildNetwork, type NetworkSpec } from '../nets/networks.ts';
import { exportOnnx, type WeightParameter } from '../nets/onnx/export.ts';
import { importOnnx } from '../nets/onnx/import.ts';
import { DATA_TYPE, decodeModel, encodeModel, floatTensor, tensorValues, type Model, type Node } from '../nets/onnx/proto.ts';
import { priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025, presetByName } from '../sim/presets.ts';
import { kitchenSink } from './onnx-graphs.ts';
import { searchGraph } from '../studies/model-search.ts';
import { withBits } from '../nets/layers.ts';
import { lsqRelativeError } from '../nets/quant.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'onnx');

/** Weights of the right size (values do not change counts). */
const zeros = (op: Op, p: WeightParameter): Float32Array => {
  if (p === 'kernel') return new Float32Array(op.kind === 'conv2d' ? (op.inputShapes[0][0] / op.groups) * op.kernel[0] * op.kernel[1] * op.filters : op.kind === 'dense' ? op.inputShapes[0][0] * op.units : 0);
  return new Float32Array(op.outputShape[0]);
};

const shapes = (g: Graph) => g.ops.map((op) => [op.name, op.kind, op.outputShape.join('x'), op.precision.weightBits, op.precision.activationBits].join(' '));

describe('ONNX round trip: import(export(G)) is G', () => {
  const nets: readonly [string, Graph][] = [
    ['every exported op kind', kitchenSink()],
    ...(
      [
        ['CsiNet CR 4', { kind: 'codec', config: { net: 'csinet', cr: 4, variant: 'fp' }, side: 'both' }],
        ['CRNet CR 16, 8-bit', { kind: 'codec', config: { net: 'crnet', cr: 16, variant: 'q8' }, side: 'both' }],
        ['precoder at 8/4/4/8 bits', { kind: 'precoder', config: { cout: 8, dfcl: 32, nt: 4, nu: 2, bits: [8, 4, 4, 8], activationBits: 16, head: 'direct' } }],
      ] as const satisfies readonly (readonly [string, NetworkSpec])[]
    ).map(([name, spec]) => [name, buildNetwork(spec).graph] as [string, Graph]),
  ];
  it.each(nets)('%s: ops, shapes, bits, counts and energy', (_, graph) => {
    const back = importOnnx(exportOnnx(graph, zeros, 'test'), 'round-trip.onnx');
    expect(shapes(back.graph)).toEqual(shapes(graph));
    expect(graphCounts(back.graph)).toEqual(graphCounts(graph));
    expect(priceGraph(back.graph, KASALAEE_2025).energy).toEqual(priceGraph(graph, KASALAEE_2025).energy);
    expect(back.declaresBits).toBe(true);
  });

  it('refuses a graph with no ONNX form, naming the op', () => {
    const structured = buildNetwork({ kind: 'precoder', config: { cout: 8, dfcl: 32, nt: 4, nu: 2, bits: [16, 16, 16, 16], activationBits: 16, head: 'structured' } }).graph;
    expect(() => exportOnnx(structured, zeros, 'test')).toThrow(/op \S+ \((gram|reginverse|beamform|userpower)\)"; allowed: a graph of network layers/);
  });
});

describe('ONNX files written by PyTorch (torch.onnx.export, bench/onnx/make_torch_fixtures.py)', () => {
  const sidecar = JSON.parse(readFileSync(join(FIXTURES, 'torch-fixtures.json'), 'utf8')) as { models: Record<string, { macs: number; parameters_in_file: number; bits: { weights: number; activations: number } | null }> };
  it.each(Object.entries(sidecar.models))('%s: MACs and parameters equal PyTorch’s own count', (file, expected) => {
    const m = importOnnx(readFileSync(join(FIXTURES, file)), file);
    const c = graphCounts(m.graph);
    expect(c.macs).toBe(expected.macs);
    expect(c.weights).toBe(expected.parameters_in_file);
    expect(m.declaresBits).toBe(expected.bits !== null);
    const layers = m.graph.ops.filter((op) => op.kind === 'conv2d' || op.kind === 'dense');
    expect(layers.map((op) => op.name)).toEqual(['/conv1/Conv', '/conv2/Conv', '/conv3/Conv', '/fc1/Gemm', '/fc2/Gemm']);
    if (expected.bits) {
      // Weights fake-quantized to int8 everywhere; activations where a QDQ pair feeds the layer (after a ReLU/LeakyReLU).
      expect(layers.map((op) => op.precision.weightBits)).toEqual([8, 8, 8, 8, 8]);
      expect(layers.map((op) => op.precision.activationBits)).toEqual([16, 8, 8, 16, 8]);
      const float = importOnnx(readFileSync(join(FIXTURES, 'torch-cnn-opset13.onnx')), 'float');
      expect(priceGraph(m.graph, KASALAEE_2025).energy.total).toBeLessThan(priceGraph(float.graph, KASALAEE_2025).energy.total);
    }
  });
});

/** A hand-built model: QuantizeLinear/DequantizeLinear pairs declaring 8-bit activations, int8 conv and int4 dense weights. */
function qdqModel(extra: readonly Node[] = [], inputDims = [{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 8 }, { dimValue: 8 }]): Uint8Array {
  const int8 = (name: string, dims: number[]) => ({ name, dims, dataType: DATA_TYPE.INT8, rawData: new Uint8Array(dims.reduce((p, d) => p * d, 1)) });
  const int4 = (name: string, dims: number[]) => ({ name, dims, dataType: DATA_TYPE.INT4, rawData: new Uint8Array(Math.ceil(dims.reduce((p, d) => p * d, 1) / 2)) });
  const m: Model = {
    irVersion: 10,
    opsetImport: [{ domain: '', version: 21 }],
    producerName: 'hand',
    graph: {
      name: 'qdq',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: inputDims } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
      initializer: [floatTensor('s', [], [0.1]), { name: 'zp8', dims: [], dataType: DATA_TYPE.UINT8, rawData: new Uint8Array(1) }, int8('w', [4, 1, 3, 3]), int4('v', [256, 5]), floatTensor('flat', [], [1])],
      node: [
        { name: 'qx', opType: 'QuantizeLinear', input: ['x', 's', 'zp8'], output: ['xq'] },
        { name: 'dqx', opType: 'DequantizeLinear', input: ['xq', 's', 'zp8'], output: ['xf'] },
        { name: 'dqw', opType: 'DequantizeLinear', input: ['w', 's'], output: ['wf'] },
        { name: 'conv', opType: 'Conv', input: ['xf', 'wf'], output: ['c'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
        { name: 'relu', opType: 'Relu', input: ['c'], output: ['r'] },
        { name: 'flat', opType: 'Flatten', input: ['r'], output: ['f'] },
        { name: 'qf', opType: 'QuantizeLinear', input: ['f', 's', 'zp8'], output: ['fq'] },
        { name: 'dqf', opType: 'DequantizeLinear', input: ['fq', 's', 'zp8'], output: ['ff'] },
        { name: 'dqv', opType: 'DequantizeLinear', input: ['v', 's'], output: ['vf'] },
        { name: 'fc', opType: 'MatMul', input: ['ff', 'vf'], output: ['y'] },
        ...extra,
      ],
    },
  };
  return encodeModel(m);
}

describe('bits from QDQ nodes', () => {
  it('a hand-built QDQ model prices at the bits it declares', () => {
    const m = importOnnx(qdqModel(), 'qdq.onnx');
    const conv = m.graph.ops.find((op) => op.name === 'conv')!;
    const fc = m.graph.ops.find((op) => op.name === 'fc')!;
    expect(conv.precision).toEqual({ weightBits: 8, activationBits: 8 });
    expect(fc.precision).toEqual({ weightBits: 4, activationBits: 8 });
    expect(graphCounts(m.graph).macs).toBe(4 * 8 * 8 * 9 + 256 * 5);
  });
});

/** The PyTorch classifier fixture with one edit: what a damaged or hand-edited file looks like. */
type Editable = { -readonly [K in keyof Model]: Model[K] };
function editedClassifier(edit: (m: Editable) => void): Uint8Array {
  const m = decodeModel(readFileSync(join(FIXTURES, 'classifier.onnx'))) as Editable;
  edit(m);
  return encodeModel(m);
}

describe('nonsense an ONNX file can say is refused by name (#35)', () => {
  const conv = (m: Editable) => m.graph.node.find((n) => n.name === '/2/Conv')!;
  const setGroup = (g: number) => (m: Editable) => {
    const a = conv(m).attribute!.find((x) => x.name === 'group')! as { i: number };
    a.i = g;
  };
  it.each([
    ['a Conv with group 0', editedClassifier(setGroup(0)), /node \/2\/Conv \(Conv\): group: got 0; allowed: a positive integer dividing both the 8 input channels and the 16 filters/],
    ['a Conv with groups that do not divide its channels', editedClassifier(setGroup(3)), /group: got 3; allowed: a positive integer dividing/],
    ['a Conv whose kernel has the wrong channels per group', editedClassifier(setGroup(2)), /weight 2\.weight: got "\[16, 8, 3, 3\]"; allowed: a kernel of 4 channels per group/],
    ['a Gemm whose K is not its input\'s size', editedClassifier((m) => void ((m.graph.initializer!.find((t) => t.name === '7.weight')! as unknown as { dims: number[] }).dims = [32, 255])), /node \/7\/Gemm \(Gemm\): weight 7\.weight: got "\[32, 255\]"; allowed: a matrix whose inner dimension K is the input's 256 features/],
    ['a QDQ zero point of data type 999', (() => {
      const m = decodeModel(qdqModel()) as Model;
      (m.graph.initializer!.find((t) => t.name === 'zp8')! as { dataType: number }).dataType = 999;
      return encodeModel(m);
    })(), /zero point zp8: got "data type 999"; allowed: an integer type \(ONNX data types 2, 3, 4, 5, 6, 12, 21, 22/],
    ['precision metadata with width 0', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: JSON.stringify({ '/0/Conv': { weightBits: 0, activationBits: 8 } }) }])), /^onnx cut\.onnx: metadata codesign\.precision: \/0\/Conv\.weightBits: got 0; allowed: an integer from 1 to 32$/],
    ['precision metadata of 1e9 bits', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: JSON.stringify({ '/0/Conv': 1e9 }) }])), /\/0\/Conv: got 1000000000; allowed: an integer from 1 to 32/],
    ['precision metadata that is a string', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: '"abc"' }])), /\(root\): got "abc"; allowed: an object of layer name → bits/],
    ['precision metadata that is an array', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: '[1,2]' }])), /\(root\): got \[1,2\]; allowed: an object/],
    ['precision metadata that is null', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: 'null' }])), /\(root\): got null; allowed: an object/],
    ['precision metadata that is not JSON', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: '{x' }])), /metadata codesign\.precision: got "\{x"; allowed: JSON/],
    ['precision metadata naming an op the model lacks', editedClassifier((m) => void (m.metadataProps = [{ key: 'codesign.precision', value: '{"nope": 8}' }])), /nope: got 8; allowed: a name of the model's ops/],
  ])('%s', (_, data, message) => {
    expect(() => importOnnx(data as Uint8Array, 'cut.onnx')).toThrow(message);
  });
  it('the untouched fixture imports (the edits above are what fails)', () => {
    expect(importOnnx(editedClassifier(() => {}), 'cut.onnx').graph.ops.length).toBeGreaterThan(5);
  });
});

describe('bad ONNX input: the file, the node and what is allowed', () => {
  const bytes = readFileSync(join(FIXTURES, 'torch-cnn-opset17.onnx'));
  it.each([
    ['a truncated file', bytes.subarray(0, 1000), /cut\.onnx: got "1000 bytes"; allowed: an ONNX model/],
    ['bytes that are not ONNX', new TextEncoder().encode('name,M,N,K\nfc,1,2,3\n'), /cut\.onnx: got "\d+ bytes"; allowed: an ONNX model/],
    ['an op we cannot price', qdqModel([{ name: 'mix', opType: 'Einsum', input: ['y', 'y'], output: ['z'] }]), /cut\.onnx: node mix \(Einsum\): got "Einsum"; allowed \(ONNX ops codesign prices\): Conv, Gemm/],
    ['a symbolic spatial axis', qdqModel([], [{ dimParam: 'N' }, { dimValue: 1 }, { dimParam: 'height' }, { dimValue: 8 }]), /input x, dimension 2: got "height"; allowed: a fixed size/],
    ['a target shape read from data', qdqModel([{ name: 'rs', opType: 'Reshape', input: ['y', 'y'], output: ['z'] }]), /node rs \(Reshape\): got "y"; allowed: a target shape given as an initializer/],
  ])('%s', (_, data, message) => {
    expect(() => importOnnx(data as Uint8Array, 'cut.onnx')).toThrow(message);
  });
});

describe('an imported model’s mixed-precision front (search --model)', () => {
  it('the DP front equals the brute-force front of all 4⁵ assignments, each point priced as the closed form prices it', () => {
    const imported = importOnnx(readFileSync(join(FIXTURES, 'torch-cnn-opset17.onnx')), 'cnn.onnx');
    const graph = imported.graph;
    const choices = [2, 4, 8, 16];
    const r = searchGraph(graph, choices, KASALAEE_2025, imported.kernels);
    expect(r.points).toBe(4 ** 5);
    // Brute force, independently: every assignment priced whole and its proxy summed from the weights.
    const noise = r.layers.map((name) => choices.map((b) => lsqRelativeError(tensorValues(imported.kernels.get(name)!), b)));
    const all: { e: number; n: number; bits: number[] }[] = [];
    for (let code = 0; code < 4 ** 5; code++) {
      const bits = r.layers.map((_, l) => choices[Math.floor(code / 4 ** (4 - l)) % 4]);
      const perLayer = Object.fromEntries(r.layers.map((name, l) => [name, { weightBits: bits[l] }]));
      all.push({ e: priceGraph(withBits(graph, { perLayer }), KASALAEE_2025).energy.total / 1e6, n: bits.reduce((s, b, l) => s + noise[l][choices.indexOf(b)], 0), bits });
    }
    const brute = all.filter((p) => !all.some((q) => q.e <= p.e * (1 + 1e-12) && q.n <= p.n * (1 + 1e-12) && (q.e < p.e * (1 - 1e-12) || q.n < p.n * (1 - 1e-12))));
    expect(r.front.length).toBe(brute.length);
    const key = (bits: readonly number[]) => bits.join(',');
    expect(new Set(r.front.map((p) => key(p.bits)))).toEqual(new Set(brute.map((p) => key(p.bits))));
    for (const p of r.front) {
      const b = brute.find((q) => key(q.bits) === key(p.bits))!;
      expect(p.energy_uJ).toBeCloseTo(b.e, 9);
      expect(p.noiseProxy).toBeCloseTo(b.n, 12);
    }
    expect(r.front[0].bits).toEqual([2, 2, 2, 2, 2]);
    expect(r.front[r.front.length - 1].bits).toEqual([16, 16, 16, 16, 16]);
  });
  it('latency as the cost axis: bits change it on a bit-fusion datapath, not on a fixed one', () => {
    const imported = importOnnx(readFileSync(join(FIXTURES, 'torch-cnn-opset17.onnx')), 'cnn.onnx');
    const fixed = searchGraph(imported.graph, [2, 4, 8, 16], KASALAEE_2025, imported.kernels, undefined, 'latency');
    // Every assignment takes the same time on a fixed datapath: the front is the least noisy one alone.
    expect(fixed.front.map((p) => p.bits)).toEqual([[16, 16, 16, 16, 16]]);
    const fusion = searchGraph(imported.graph, [2, 4, 8, 16], presetByName('bitfusion-45nm'), imported.kernels, undefined, 'latency');
    expect(fusion.front.length).toBeGreaterThan(1);
    expect(Math.max(...fusion.front[0].bits)).toBeLessThan(16); // the fastest point is low-bit (a tiny layer's rounding can leave it at 8)
    expect(fusion.front[0].latency_us).toBeLessThan(fusion.front[fusion.front.length - 1].latency_us);
    for (let i = 1; i < fusion.front.length; i++) expect(fusion.front[i].noiseProxy).toBeLessThan(fusion.front[i - 1].noiseProxy);
  });
});
