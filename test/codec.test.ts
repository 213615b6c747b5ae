import { describe, expect, it } from 'vitest';
import { buildCsiNet } from '../nets/csi.ts';
import { residualBatchNorms } from '../train/codec.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';

describe('codec training', () => {
  it('zero-init of the decoder’s residual paths starts CRNet at the 0 dB decoder (output 0.5)', async () => {
    const graph = buildCsiNet({ net: 'crnet', cr: 4 });
    const zero = residualBatchNorms(graph);
    expect(zero).toEqual(['dec.conv5x5.bn', 'dec.crblock1.conv1x1.bn', 'dec.crblock2.conv1x1.bn']);
    await initBackend('wasm');
    const model = new GraphModel(graph, { seed: 2, zeroGamma: zero });
    const y = tf.tidy(() => model.forward(tf.randomUniform([2, 2, 32, 32], 0, 1, 'float32', 5), { training: true }));
    const values = y.dataSync();
    expect(Math.min(...values)).toBeCloseTo(0.5, 6);
    expect(Math.max(...values)).toBeCloseTo(0.5, 6);
    y.dispose();
    model.dispose();
  });
});
