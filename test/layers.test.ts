import { describe, expect, it } from 'vitest';
import { buildPrecoder } from '../nets/precoder.ts';
import { PRECODER_HEAD_NAMES } from '../nets/heads.ts';
import { buildCsiNet } from '../nets/csi.ts';
import { layerIndexOf, quantizedLayers, withBits } from '../nets/layers.ts';

describe('the quantized layer of an op (nets/layers.ts)', () => {
  it.each(PRECODER_HEAD_NAMES)('is the layer whose bits the precoder builder gave the op (%s head)', (head) => {
    const bits = [3, 5, 7, 11] as const;
    const g = buildPrecoder({ cout: 8, dfcl: 64, nt: 8, nu: 2, bits, head });
    expect(quantizedLayers(g)).toEqual(['conv', 'fc1', 'fc2', 'fc3']);
    const layerOf = layerIndexOf(g);
    // Ops that multiply data by data (the structured head's) follow no layer: 16-bit, the activations' precision.
    g.ops.forEach((op, i) => expect([op.name, op.precision.weightBits]).toEqual([op.name, layerOf[i] < 0 ? 16 : bits[layerOf[i]]]));
    expect(g.ops.some((_, i) => layerOf[i] < 0)).toBe(head !== 'direct');
  });

  it('re-prices a graph at a bit assignment exactly as building it at those bits', () => {
    for (const head of PRECODER_HEAD_NAMES) {
      const at = (bits: readonly [number, number, number, number]) => buildPrecoder({ cout: 8, dfcl: 64, nt: 8, nu: 2, bits, head });
      const moved = withBits(at([16, 16, 16, 16]), { weights: [2, 4, 8, 1] });
      expect(moved.ops.map((op) => op.precision)).toEqual(at([2, 4, 8, 1]).ops.map((op) => op.precision));
    }
  });

  it('numbers every layer of a codec once, in graph order', () => {
    const g = buildCsiNet({ net: 'csinet', cr: 4 });
    const layers = quantizedLayers(g);
    const layerOf = layerIndexOf(g);
    layers.forEach((name, l) => expect(layerOf[g.ops.findIndex((op) => op.name === name)]).toBe(l));
    expect(Math.max(...layerOf)).toBe(layers.length - 1);
  });
});
