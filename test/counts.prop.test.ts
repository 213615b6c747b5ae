import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { graphBuilder } from '../nets/builder.ts';
import { graphCounts, opCounts } from '../nets/counts.ts';
import { elementCount } from '../nets/graph.ts';
import { graphArb } from '../laws/arbitraries.ts';

describe('counting laws', () => {
  it('dense: MACs = in·out, weights = in·out (+ out biases), activations = out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (inputs, units, bias) => {
        const b = graphBuilder('d');
        const x = b.add('x', { kind: 'input', shape: [inputs] });
        b.add('fc', { kind: 'dense', units, bias }, [x]);
        const c = opCounts(b.build().ops[1]);
        expect(c.macs).toBe(inputs * units);
        expect(c.weights).toBe(inputs * units + (bias ? units : 0));
        expect(c.activations).toBe(units);
      }),
    );
  });

  it('conv2d: MACs = C_out·C_in/groups·k_h·k_w·H_out·W_out, weights = C_out·C_in/groups·k_h·k_w (+ C_out)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<'same' | 'valid'>('same', 'valid'),
        fc.boolean(),
        (groups, cinPerGroup, coutPerGroup, kh, kw, stride, h, w, padding, bias) => {
          fc.pre(padding === 'same' || (kh <= h && kw <= w));
          const cin = groups * cinPerGroup;
          const cout = groups * coutPerGroup;
          const b = graphBuilder('c');
          const x = b.add('x', { kind: 'input', shape: [cin, h, w] });
          b.add('conv', { kind: 'conv2d', filters: cout, kernel: [kh, kw], stride: [stride, stride], padding, groups, bias }, [x]);
          const op = b.build().ops[1];
          const hOut = padding === 'same' ? Math.ceil(h / stride) : Math.floor((h - kh) / stride) + 1;
          const wOut = padding === 'same' ? Math.ceil(w / stride) : Math.floor((w - kw) / stride) + 1;
          expect(op.outputShape).toEqual([cout, hOut, wOut]);
          const c = opCounts(op);
          expect(c.macs).toBe(cout * (cin / groups) * kh * kw * hOut * wOut);
          expect(c.weights).toBe(cout * (cin / groups) * kh * kw + (bias ? cout : 0));
          expect(c.activations).toBe(cout * hOut * wOut);
        },
      ),
    );
  });

  it('batchnorm has 2 parameters per channel and one normalization per element; pointwise ops store nothing new', () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })), (shape) => {
        const b = graphBuilder('bn');
        const x = b.add('x', { kind: 'input', shape });
        const y = b.add('bn', { kind: 'batchnorm' }, [x]);
        b.add('relu', { kind: 'relu' }, [y]);
        const [, bn, relu] = b.build().ops.map(opCounts);
        expect(bn.weights).toBe(2 * shape[0]);
        expect(bn.elementwise).toBe(elementCount(shape));
        expect(bn.activations).toBe(0);
        expect(relu.elementwise).toBe(elementCount(shape));
        expect(relu.weights).toBe(0);
      }),
    );
  });

  it('graph totals are the sums of the op counts', () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const totals = graphCounts(graph);
        const sum = (k: 'macs' | 'weights' | 'activations' | 'elementwise') =>
          graph.ops.reduce((s, op) => s + opCounts(op)[k], 0);
        expect(totals.macs).toBe(sum('macs'));
        expect(totals.weights).toBe(sum('weights'));
        expect(totals.activations).toBe(sum('activations'));
        expect(totals.elementwise).toBe(sum('elementwise'));
      }),
    );
  });
});
