/**
 * Our networks exported to ONNX run in a real runtime (onnxruntime-web's WebAssembly build) and give our tfjs
 * forward pass's outputs: the layouts, pads, BN statistics and fake-quantized kernels written
 * are the ones we compute with.
 */
import { describe, expect, it } from 'vitest';
import { loadOrt, QUIET } from '../studies/onnx-runtime.ts';
import { buildNetwork, type NetworkSpec } from '../nets/networks.ts';
import { exportOnnx } from '../nets/onnx/export.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { rng } from '../core/rng.ts';
import { kitchenSink } from './onnx-graphs.ts';

const NETS: readonly [string, NetworkSpec][] = [
  ['CsiNet CR 4', { kind: 'codec', config: { net: 'csinet', cr: 4, variant: 'fp' }, side: 'both' }],
  ['CRNet CR 4', { kind: 'codec', config: { net: 'crnet', cr: 4, variant: 'fp' }, side: 'both' }],
  ['CRNet CR 8, 8-bit weights', { kind: 'codec', config: { net: 'crnet', cr: 8, variant: 'q8' }, side: 'both' }],
  ['seed-000 precoder (direct head)', { kind: 'precoder', config: { cout: 8, dfcl: 64, nt: 8, nu: 2, bits: [8, 8, 4, 16], activationBits: 16, head: 'direct' } }],
];

describe('exported networks in onnxruntime', () => {
  it.each([...NETS.map(([name, spec]) => [name, buildNetwork(spec).graph] as const), ['every op kind the exporter writes', kitchenSink(false)] as const])('%s: outputs equal our forward pass to 1e-4', async (_, graph) => {
    await initBackend('wasm');
    const model = new GraphModel(graph, { seed: 3 });
    model.prepare();
    const bytes = exportOnnx(graph, (op, parameter) => model.inferenceParameter(op, parameter), 'test');
    const shape = graph.ops[0].kind === 'input' ? graph.ops[0].shape : [];
    const batch = 3;
    const r = rng(11);
    const input = Float32Array.from({ length: batch * shape.reduce((p, d) => p * d, 1) }, () => r.next() * 2 - 1);
    const ours = tf.tidy(() => model.forward(tf.tensor(input, [batch, ...shape]), { training: false }).dataSync() as Float32Array);
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(bytes, QUIET);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [batch, ...shape]) });
    const theirs = out[session.outputNames[0]].data as Float32Array;
    expect(theirs.length).toBe(ours.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
    expect(worst).toBeLessThan(1e-4);
    await session.release();
    model.dispose();
  });
});
