import { describe, expect, it } from 'vitest';
import { InputError, ShapeError } from '../core/errors.ts';
import { graphBuilder } from '../nets/builder.ts';
import { graphCounts, opCounts } from '../nets/counts.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { layerIndexOf } from '../nets/layers.ts';

describe('shape inference', () => {
  it('rejects a dense layer on a 3-D tensor, naming the op and the shape', () => {
    const b = graphBuilder('g');
    const x = b.add('x', { kind: 'input', shape: [2, 8, 4] });
    expect(() => b.add('fc', { kind: 'dense', units: 10, bias: true }, [x])).toThrow(/op 'fc': dense needs a 1-D input.*\[2×8×4\]/);
  });

  it('rejects an add of different shapes, naming both', () => {
    const b = graphBuilder('g');
    const x = b.add('x', { kind: 'input', shape: [4] });
    const y = b.add('y', { kind: 'dense', units: 3, bias: false }, [x]);
    expect(() => b.add('sum', { kind: 'add' }, [x, y])).toThrow(/op 'sum': add needs equal shapes, got \[4\] and \[3\]/);
  });

  it('rejects groups that do not divide the channels, a kernel that does not fit, unknown inputs and bad bits', () => {
    const b = graphBuilder('g');
    const x = b.add('x', { kind: 'input', shape: [3, 4, 4] });
    expect(() => b.add('c', { kind: 'conv2d', filters: 4, kernel: [3, 3], stride: [1, 1], padding: 'same', groups: 2, bias: true }, [x])).toThrow(ShapeError);
    expect(() => b.add('c', { kind: 'conv2d', filters: 4, kernel: [5, 5], stride: [1, 1], padding: 'valid', groups: 1, bias: true }, [x])).toThrow(/kernel 5 does not fit/);
    expect(() => b.add('r', { kind: 'relu' }, ['nope'])).toThrow(/input 'nope' is not an earlier op/);
    expect(() => b.add('r', { kind: 'relu' }, [x], { weightBits: 0, activationBits: 16 })).toThrow(/weightBits 0 is not allowed/);
    expect(() => b.add('r', { kind: 'reshape', shape: [5, 5] }, [x])).toThrow(/reshape cannot turn \[3×4×4\] into \[5×5\]/);
  });

  it('concat joins channels; flatten and reshape keep the element count', () => {
    const b = graphBuilder('g');
    const x = b.add('x', { kind: 'input', shape: [2, 4, 4] });
    const y = b.add('y', { kind: 'conv2d', filters: 3, kernel: [1, 9], stride: [1, 1], padding: 'same', groups: 1, bias: false }, [x]);
    const c = b.add('cat', { kind: 'concat' }, [x, y]);
    expect(b.shapeOf(c)).toEqual([5, 4, 4]);
    const f = b.add('f', { kind: 'flatten' }, [c]);
    expect(b.shapeOf(f)).toEqual([80]);
    expect(b.shapeOf(b.add('r', { kind: 'reshape', shape: [5, 16] }, [f]))).toEqual([5, 16]);
  });
});

describe('the seed-000 precoder', () => {
  const graph = buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 8, 4, 2] });

  it('has the paper’s shapes: 2×N_T×N_U in, conv to C_out×N_T×N_U, FCs, 2·N_T·N_U out', () => {
    const shape = (name: string) => graph.ops.find((op) => op.name === name)!.outputShape;
    expect(shape('h')).toEqual([2, 64, 4]);
    expect(shape('conv')).toEqual([64, 64, 4]);
    expect(shape('flatten')).toEqual([16384]);
    expect(shape('fc1')).toEqual([1024]);
    expect(shape('fc3')).toEqual([512]);
    expect(shape('powernorm')).toEqual([512]);
  });

  it('counts MACs, weights and activations exactly', () => {
    const totals = graphCounts(graph);
    // conv 64·2·9·256 + FC1 16384·1024 + FC2 1024² + FC3 1024·512 + Σx² of the power normalisation
    expect(totals.macs).toBe(294_912 + 16_777_216 + 1_048_576 + 524_288 + 512);
    // kernels + biases + 2 BN parameters per channel/feature
    expect(totals.weights).toBe(1_152 + 64 + 128 + 16_778_240 + 2_048 + 1_049_600 + 2_048 + 524_800);
    // layer outputs (BN/ReLU/dropout act in place) + the normalised output
    expect(totals.activations).toBe(16_384 + 1_024 + 1_024 + 512 + 512);
    // bias + BN + ReLU per conv/FC1/FC2 output, bias per FC3 output, power normalisation n + 1
    expect(totals.elementwise).toBe(3 * 16_384 + 3 * 1_024 * 2 + 512 + 513);
  });

  it('gives each op the bits of its layer and dropout no work', () => {
    const layerOf = layerIndexOf(graph);
    graph.ops.forEach((op, i) => expect(op.precision.weightBits).toBe([16, 8, 4, 2][layerOf[i]]));
    const dropout = graph.ops.find((op) => op.kind === 'dropout')!;
    expect(opCounts(dropout)).toMatchObject({ macs: 0, weights: 0, activations: 0, elementwise: 0 });
  });

  it('rejects bad configurations with the field, the value and what is allowed', () => {
    const ok = { cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 16, 16, 16] as const };
    expect(() => buildPrecoder({ ...ok, cout: 0 })).toThrow(new InputError('cout', 0, 'allowed: a positive integer ≤ 4096'));
    expect(() => buildPrecoder({ ...ok, nt: 2.5 })).toThrow(/nt: got 2.5/);
    expect(() => buildPrecoder({ ...ok, bits: [16, 16, 33, 16] })).toThrow(/bits\[2\]: got 33; allowed: a positive integer ≤ 32/);
    expect(() => buildPrecoder({ ...ok, bits: [16, 16, 16] as unknown as [number, number, number, number] })).toThrow(/exactly 4 bit widths/);
  });
});
