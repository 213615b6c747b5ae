import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rng } from '../core/rng.ts';
import { solveSlp } from '../baselines/slp.ts';
import { optimalUnitPowers, powerCurve } from '../baselines/slp-curve.ts';
import { circularLottery, rowQuantizationErrors } from '../nets/quant.ts';
import { buildSlpNet } from '../nets/slp.ts';
import { constructivePoints, lagrangianLoss, learnedPower, precoderFromMultipliers, slpTask } from '../train/slp.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { trainModel } from '../train/trainer.ts';
import { apexPower, feasiblePower, rotatedChannel, slpSamples } from '../baselines/slp-samples.ts';

await initBackend('wasm');

describe('circular lottery (seed 002 Algorithm 1)', () => {
  it('picks exactly the asked number of distinct rows, the same for the same seed', () => {
    const errors = [0.3, 0.1, 0.5, 0.2, 0.9, 0.05, 0.4, 0.7];
    const draw = (seed: number) => {
      const r = rng(seed);
      return circularLottery(errors, 5, () => r.next());
    };
    const a = draw(3);
    expect(a.reduce((s, v) => s + v, 0)).toBe(5);
    expect(Array.from(a)).toEqual(Array.from(draw(3)));
  });

  it('draws a single row with probability ∝ 1/(e + δ)', () => {
    const errors = [0.1, 0.2, 0.4, 0.8];
    const weights = errors.map((e) => 1 / (e + 1e-6));
    const total = weights.reduce((a, b) => a + b, 0);
    const r = rng(11);
    const hits = [0, 0, 0, 0];
    const n = 20_000;
    for (let i = 0; i < n; i++) hits[circularLottery(errors, 1, () => r.next()).indexOf(1)]++;
    hits.forEach((h, i) => expect(Math.abs(h / n - weights[i] / total)).toBeLessThan(0.015));
  });

  it('rejects an impossible count', () => {
    expect(() => circularLottery([0.1, 0.2], 3, Math.random)).toThrow(/rows to quantize.*3.*0 to 2/);
  });

  it('quantization error is 0 for a row already on its binary or ternary levels', () => {
    // kernel [fanIn 4, rows 2]: column 0 = ±0.5 (binary), column 1 = {0.3, 0, −0.3, 0.3} (ternary)
    const kernel = Float32Array.from([0.5, 0.3, -0.5, 0, 0.5, -0.3, -0.5, 0.3]);
    expect(rowQuantizationErrors(kernel, 4, 2, 'binary')[0]).toBeCloseTo(0, 6);
    expect(rowQuantizationErrors(kernel, 4, 2, 'ternary')[1]).toBeCloseTo(0, 6);
    expect(rowQuantizationErrors(kernel, 4, 2, 'binary')[1]).toBeGreaterThan(0.1);
  });
});

describe('learned SLP: output layers and the Lagrangian', () => {
  const d = slpSamples(4, 3, 40, 5);

  it('constructive points lie in every user’s region; the least-norm precoder hits them exactly', () => {
    const o = tf.tensor2d(Float32Array.from({ length: 40 * 6 }, (_, i) => Math.sin(i * 1.7) * 3), [40, 6]);
    const c = constructivePoints(o).arraySync() as number[][];
    o.dispose();
    for (const row of c) for (let u = 0; u < 3; u++) expect(row[u]).toBeGreaterThanOrEqual(1 + Math.abs(row[3 + u]) - 1e-5);
    // x = Aᴴ W c (complex) must give A x = c, with ‖x‖² = c̃ᵀW̃c̃ (the real form the loss uses).
    for (let i = 0; i < 5; i++) {
      const A = rotatedChannel(d.channels[i], d.phases[i]);
      const K = 3;
      const M = 4;
      const w = (a: number, b: number) => d.gram[i * 36 + a * 6 + b];
      const cr = c[i].slice(0, K);
      const ci = c[i].slice(K);
      // W c with W = Wr + jWi, Wr = W̃[0..K, 0..K], Wi = W̃[K.., 0..K]
      const wcR = cr.map((_, a) => cr.reduce((s, v, b) => s + w(a, b) * v - w(K + a, b) * ci[b], 0));
      const wcI = cr.map((_, a) => cr.reduce((s, v, b) => s + w(K + a, b) * v + w(a, b) * ci[b], 0));
      const xr = new Float64Array(M);
      const xi = new Float64Array(M);
      for (let n = 0; n < M; n++) {
        for (let a = 0; a < K; a++) {
          // conj(A[a][n]) · (Wc)[a]
          const ar = A.re[a * M + n];
          const ai = -A.im[a * M + n];
          xr[n] += ar * wcR[a] - ai * wcI[a];
          xi[n] += ar * wcI[a] + ai * wcR[a];
        }
      }
      for (let a = 0; a < K; a++) {
        let yr = 0;
        let yi = 0;
        for (let n = 0; n < M; n++) {
          yr += A.re[a * M + n] * xr[n] - A.im[a * M + n] * xi[n];
          yi += A.re[a * M + n] * xi[n] + A.im[a * M + n] * xr[n];
        }
        expect(yr).toBeCloseTo(cr[a], 3);
        expect(yi).toBeCloseTo(ci[a], 3);
      }
      const power = [...xr, ...xi].reduce((s, v) => s + v * v, 0);
      const quad = [...cr, ...ci].reduce((s, v, a) => s + v * [...cr, ...ci].reduce((t, u, b) => t + w(a, b) * u, 0), 0);
      expect(quad).toBeCloseTo(power, 3);
      // and the precoder meets the constraints, so its feasible scaling is at most 1
      expect(feasiblePower(d, i, [...xr, ...xi])).toBeLessThanOrEqual(power * (1 + 1e-4));
    }
  });

  it('weak duality: −2 × the Lagrangian (9) at any multipliers ≥ 0 never exceeds the optimal power', () => {
    const optimum = optimalUnitPowers(d);
    fc.assert(
      fc.property(fc.array(fc.float({ min: 0, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 39 }), (lambda, i) => {
        const x = tf.tensor4d(d.rotated.subarray(i * 24, (i + 1) * 24), [1, 1, 8, 3]);
        const l = tf.tensor2d(lambda, [1, 6]);
        const loss = lagrangianLoss(x, l, 4, 3);
        const bound = -2 * loss.dataSync()[0];
        tf.dispose([x, l, loss]);
        return bound <= optimum[i] * (1 + 1e-4) + 1e-6;
      }),
      { numRuns: 60, seed: 9 },
    );
  });

  it('eq. (10) at random multipliers: a precoder that misses a constraint has no feasible scaling', () => {
    const x = tf.tensor4d(d.rotated.subarray(0, 24), [1, 1, 8, 3]);
    const z = precoderFromMultipliers(x, tf.tensor2d([[0, 1, 0, 1, 0, 1]]), 4, 3).dataSync();
    x.dispose();
    // v₁ = 0, v₂ > 0 pushes every user against one edge of its region: not all margins can be positive.
    expect(feasiblePower(d, 0, z)).toBe(Infinity);
  });

  it('the SLP optimiser’s power is homogeneous in the margin (what the curve relies on)', () => {
    const unit = optimalUnitPowers(d);
    for (const i of [0, 7, 21]) {
      const at20 = solveSlp({ H: d.channels[i], phases: d.phases[i], sinr: new Float64Array(3).fill(100), noiseVar: 1, order: 4 }).power;
      expect(at20 / unit[i]).toBeCloseTo(100, 6);
    }
  });

  it('the curve: the optimiser beats ZF to the apex at every target; every SLP column rises 10 dB per 10 dB', () => {
    const curve = powerCurve(d, [0, 10, 20]);
    for (const row of curve.rows) expect(row.power_dB['SLP optimiser']).toBeLessThan(row.power_dB['ZF to the apex']);
    expect(curve.rows[2].power_dB['SLP optimiser'] - curve.rows[1].power_dB['SLP optimiser']).toBeCloseTo(10, 9);
    for (let i = 0; i < d.count; i++) expect(curve.unitPowers['SLP optimiser'][i]).toBeLessThanOrEqual(apexPower(d, i) * (1 + 1e-6));
  });
});

describe('learned SLP: training', () => {
  it('a short training lowers the test power below the untrained network’s; a stochastic net keeps QR of its rows quantized', async () => {
    const data = { train: slpSamples(4, 4, 1200, 1, 'gram'), validation: slpSamples(4, 4, 200, 2, 'gram') };
    const test = slpSamples(4, 4, 300, 3, 'gram');
    const graph = buildSlpNet({ m: 4, k: 4, variant: 'dsqbnet', split: false, input: 'gram' });
    const untrained = new GraphModel(graph, { seed: 1 });
    const before = await learnedPower(untrained, test, 'constructive');
    untrained.dispose();
    const layers = [
      { name: 'conv1', rows: 16 },
      { name: 'conv2', rows: 8 },
    ];
    const { model } = await trainModel(
      { graph, epochs: 3, batchSize: 200, learningRate: 3e-3, seed: 1, patience: 10, dataKey: 't' },
      slpTask(data, { stochastic: { layers, mode: 'binary', qr: 0.5, seed: 1 } }),
      undefined,
    );
    const after = await learnedPower(model, test, 'constructive');
    expect(after.infeasible).toBe(0);
    expect(10 * Math.log10(after.meanPower)).toBeLessThan(10 * Math.log10(before.meanPower) - 0.5);
    for (const { name, rows } of layers) {
      const mask = model.allVariables().find(([n]) => n === `${name}/rowmask`)![1].dataSync();
      expect(Array.from(mask).reduce((s, v) => s + v, 0)).toBe(rows / 2);
    }
    model.dispose();
  }, 120_000);
});
