import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'onnx');
const dir = mkdtempSync(join(tmpdir(), 'codesign-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('codesign export and --model', () => {
  it('an exported codec prices as the registry network (energy and simulate)', async () => {
    const file = join(dir, 'crnet.onnx');
    const out = await codesign('export', '--net', 'crnet', '--cr', '8', '--variant', 'q8', '--out', file, '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ file, weights: 'seeded initial', opset: 17 });
    const ours = JSON.parse((await codesign('energy', '--net', 'crnet', '--cr', '8', '--variant', 'q8', '--json')).stdout);
    const theirs = JSON.parse((await codesign('energy', '--model', file, '--json')).stdout);
    expect(theirs.energy_uJ).toEqual(ours.energy_uJ);
    expect(theirs.totals).toEqual(ours.totals);
    const sim = await codesign('simulate', '--model', file, '--array', '8x8', '--json');
    expect(sim.code, sim.stderr).toBe(0);
    expect(JSON.parse(sim.stdout).workload).toMatch(/^onnx:crnet/);
  });

  it('a PyTorch model takes --bits when it declares none, and is cheaper at 8 bits', async () => {
    const file = join(FIXTURES, 'torch-cnn-opset17.onnx');
    const at16 = JSON.parse((await codesign('energy', '--model', file, '--json')).stdout);
    const at8 = JSON.parse((await codesign('energy', '--model', file, '--bits', '8', '--json')).stdout);
    expect(at8.energy_uJ.total).toBeLessThan(at16.energy_uJ.total);
    const named = await codesign('energy', '--model', file, '--bits', '8,8');
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--bits: got "8,8"; allowed: one value for every layer, or one per quantizable layer of onnx:.*\(5: \/conv1\/Conv, \/conv2\/Conv, \/conv3\/Conv, \/fc1\/Gemm, \/fc2\/Gemm\)/);
  });

  it('search --model prints the exact energy-vs-noise front of the model’s weight-bit assignments', async () => {
    const r = await codesign('search', '--model', join(FIXTURES, 'torch-cnn-opset17.onnx'), '--choices', '4,8', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.points).toBe(32);
    expect(doc.front[0].bits).toEqual([4, 4, 4, 4, 4]);
    expect(doc.front.at(-1).bits).toEqual([8, 8, 8, 8, 8]);
    for (let i = 1; i < doc.front.length; i++) expect(doc.front[i].noiseProxy).toBeLessThan(doc.front[i - 1].noiseProxy);
  });

  it('search --model --data rates front points by accuracy in onnxruntime, and PPSO within a budget is at least as accurate as the best uniform width', async () => {
    const r = await codesign('search', '--model', join(FIXTURES, 'classifier.onnx'), '--choices', '2,4,8,16', '--data', join(FIXTURES, 'classifier-data.npz'), '--budget', '0.05', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rating.metric).toMatch(/^top-1 accuracy on 300 samples/);
    expect(doc.rating.front).toHaveLength(8);
    expect(doc.rating.sensitivity.map((x: { layer: string }) => x.layer)).toEqual(doc.layers);
    for (const x of doc.rating.sensitivity) expect(x.weight).toBeGreaterThan(0);
    for (const p of [...doc.rating.front, ...doc.rating.uniform]) {
      expect(p.quality).toBeGreaterThanOrEqual(0);
      expect(p.quality).toBeLessThanOrEqual(1);
      expect(p.ci95).toBeGreaterThan(0);
    }
    // Independent: PyTorch's float accuracy on these samples was 268/300 (bench/onnx/make_classifier.py); 16-bit LSQ keeps it.
    const at16 = doc.rating.uniform.find((u: { bits: number[] }) => u.bits.every((b) => b === 16));
    expect(at16.quality).toBeCloseTo(268 / 300, 9);
    // 2 bits everywhere costs accuracy: the data can tell the widths apart.
    expect(doc.rating.uniform[0].quality).toBeLessThan(at16.quality);
    const b = doc.rating.budget;
    expect(b.bestUniform.energy_uJ).toBeLessThanOrEqual(0.05);
    expect(b.pso.energy_uJ).toBeLessThanOrEqual(0.05);
    expect(b.pso.quality).toBeGreaterThanOrEqual(b.bestUniform.quality);
    expect(b.difference.reads).toMatch(/^(higher|equal within noise)$/);
    const none = JSON.parse((await codesign('search', '--model', join(FIXTURES, 'classifier.onnx'), '--data', join(FIXTURES, 'classifier-data.npz'), '--budget', '0.001', '--json')).stdout);
    expect(none.rating.budget.pso).toBeNull();
    expect(none.rating.budget.verdict).toMatch(/^no assignment fits 0\.001 µJ/);
  });

  it.each([
    [['search', '--model', join(FIXTURES, 'torch-cnn-opset17.onnx'), '--db', join(dir, 'x.duckdb')], /--db: got ".*x\.duckdb"; allowed: not with --model/],
    [['search', '--model', join(FIXTURES, 'torch-cnn-qdq-opset13.onnx')], /allowed: a model without declared bits/],
    [['search', '--model', join(FIXTURES, 'classifier.onnx'), '--budget', '0.05'], /--budget: got "0\.05"; allowed: with --model only together with --data/],
    [['search', '--model', join(FIXTURES, 'classifier.onnx'), '--data', join(FIXTURES, 'torch-fixtures.json')], /torch-fixtures\.json: got "\d+ bytes"; allowed: a NumPy \.npz file/],
    [['search', '--model', join(FIXTURES, 'classifier.onnx'), '--data', join(FIXTURES, 'missing.npz')], /--?data: got ".*missing\.npz"; allowed: a readable \.npz file/],
    [['energy', '--model', join(FIXTURES, 'torch-cnn-qdq-opset13.onnx'), '--bits', '4'], /--bits: got "4"; allowed: no bits with .*torch-cnn-qdq-opset13\.onnx: it declares its own/],
    [['energy', '--model', join(FIXTURES, 'torch-cnn-opset13.onnx'), '--cr', '8'], /--cr: got "8"; allowed: not with --model/],
    [['energy', '--model', join(FIXTURES, 'torch-fixtures.json')], /torch-fixtures\.json: got "\d+ bytes"; allowed: an ONNX model/],
    [['energy', '--model', 'x.onnx', '--net', 'crnet'], /--net: got "crnet"; allowed: not with --model x\.onnx/],
    [['export', '--checkpoint', dir, '--net', 'crnet', '--out', join(dir, 'x.onnx')], /--net: got "crnet"; allowed: not with --checkpoint/],
    [['export', '--net', 'precoder', '--head', 'structured', '--cout', '8', '--dfcl', '32', '--out', join(dir, 'x.onnx')], /no ONNX form; export the direct head/],
    [['export', '--net', 'crnet', '--out', join(dir, 'x.txt')], /--out: got ".*x\.txt"; allowed: a file name ending in \.onnx/],
  ])('bad input %j: exit 2, named', async (args, message) => {
    const r = await codesign(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
