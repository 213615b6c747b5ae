/**
 * The deep-unfolded WMMSE head: its Graph (ops, counts, precision), its tfjs forward against a
 * float64 WMMSE written from the definition (N_T × N_T inverse, no push-through) with unequal
 * learned factors, its start at the classical iteration, and a gradient step that moves it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rzfEqualPower, sumRate } from '../baselines/precoders.ts';
import { inverseCounts, luDecomposeCounts, luSolveCounts, matmulCounts, receiverCounts } from '../linalg/complex.ts';
import { CLOSED_FORM_ITERATIONS, classicalSet, closedFormLabel } from '../baselines/run.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { rng } from '../core/rng.ts';
import { noiseVarForSnrDb, rayleighH } from '../scenarios/channel.ts';
import { opCounts } from '../nets/counts.ts';
import { STRUCTURED_HEAD_SCALE, precoderHeadOf } from '../nets/heads.ts';
import { layerIndexOf } from '../nets/layers.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { asMimo, channelOf, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { evaluateRate } from '../train/trainer.ts';
import { expectOneStepMoves } from './head-step.ts';
import { softplus, structureF64, toPower, wmmseStepF64 } from './precoder-f64.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const unfolded = (nt: number, nu: number, iterations: number, o: { bits?: [number, number, number, number]; power?: number; noiseVar?: number } = {}) =>
  buildPrecoder({ cout: 4, dfcl: 16, nt, nu, bits: o.bits ?? [16, 16, 16, 16], head: 'unfolded', iterations, power: o.power ?? 1, noiseVar: o.noiseVar ?? 0.1 });

describe('the unfolded head in the Graph', () => {
  it('is the structured start and K iterations, each counted as WMMSE counts its own steps, at the data’s precision', () => {
    const g = unfolded(16, 3, 2, { bits: [16, 16, 16, 2] });
    expect(g.name).toBe('precoder(cout=4,dfcl=16,nt=16,nu=3,bits=16/16/16/2,head=unfolded,iterations=2)');
    expect(precoderHeadOf(g)).toBe('unfolded');
    const op = (name: string) => g.ops.find((o) => o.name === name)!;
    // 2·N_U for the start, N_U + 1 per iteration.
    expect(op('fc3').outputShape).toEqual([6 + 2 * 4]);
    expect(g.ops.filter((o) => o.name.startsWith('head.')).map((o) => o.name)).toEqual([
      'head.gram', 'head.inverse', 'head.beamform', 'head.power',
      'head.it1.gains', 'head.it1.update', 'head.it1.beamform',
      'head.it2.gains', 'head.it2.update', 'head.it2.beamform', 'head.flatten',
    ]);
    // H·V: WMMSE's receivers multiply the N_U × N_T channel by the N_T × N_U precoder (plus V's power and the scaling).
    expect(opCounts(op('head.it1.gains')).macs).toBe(matmulCounts(3, 3, 16).mults + 2 * 16 * 3 + 2 * 3 * 3);
    expect(opCounts(op('head.it2.beamform')).macs).toBe(matmulCounts(16, 3, 3).mults);
    // The update holds WMMSE's receivers and one N_U × N_U inverse, and more (weights, μ, scaling), not an N_T × N_T one.
    const update = opCounts(op('head.it1.update')).macs;
    expect(update).toBeGreaterThan(receiverCounts(3).mults + inverseCounts(3).mults);
    expect(update).toBeLessThan(inverseCounts(16).mults);
    const layerOf = layerIndexOf(g);
    g.ops.forEach((o, i) => {
      if (o.name.startsWith('head.') && o.kind !== 'flatten') {
        expect(layerOf[i]).toBe(-1);
        expect(o.precision).toEqual({ weightBits: 16, activationBits: 16 });
      }
    });
    // Each iteration adds the same work.
    const total = (k: number) => unfolded(16, 3, k).ops.reduce((s, o) => s + opCounts(o).macs, 0);
    const fc3 = (k: number) => opCounts(unfolded(16, 3, k).ops.find((o) => o.name === 'fc3')!).macs;
    expect(total(3) - fc3(3) - (total(2) - fc3(2))).toBe(total(2) - fc3(2) - (total(1) - fc3(1)));
  });

  it('refuses iterations out of range or on another head, naming the field', () => {
    expect(() => unfolded(8, 2, 0)).toThrow(/iterations: got 0; allowed: an integer 1…8/);
    expect(() => unfolded(8, 2, 9)).toThrow(/iterations: got 9/);
    expect(() => buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'structured', iterations: 3 })).toThrow(/iterations: got 3; allowed: only with the unfolded head/);
    expect(unfolded(8, 2, 3).name).toMatch(/iterations=3\)$/);
    expect(buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'unfolded' }).name).toMatch(/iterations=3\)$/);
  });
});

describe('the unfolded head in tfjs against float64 WMMSE', () => {
  it('with unequal learned factors (FCL3’s bias) it is the structured start and K closed-form-μ WMMSE iterations', () => {
    const scenario = validateScenario({ name: 'tiny-unfolded', model: 'rayleigh', nt: 6, nu: 3, snrDb: 5, seed: 13, split: { train: 10, validation: 10, test: 6 } }, 'tiny');
    const ds = asMimo(generateSplit(scenario, 'test'));
    const K = 2;
    const model = new GraphModel(unfolded(ds.nt, ds.nu, K, { power: ds.power, noiseVar: ds.noiseVar }), { seed: 3 });
    // Start: unequal loadings and powers; iteration t: per-user weight factors and μ's factor, all different.
    const head = [12, -9, 3, -15, 6, 20, /* it1 */ 7, -4, 10, -6, /* it2 */ -8, 5, 2, 9];
    model.trainable.get('fc3/kernel')!.assign(tf.zerosLike(model.trainable.get('fc3/kernel')!));
    model.trainable.get('fc3/bias')!.assign(tf.tensor1d(head));
    const loading = ds.power / (ds.nu * ds.noiseVar);
    const d = head.slice(0, 3).map((v) => (loading * softplus(STRUCTURED_HEAD_SCALE * v)) / Math.LN2);
    const p = head.slice(3, 6).map((v) => softplus(STRUCTURED_HEAD_SCALE * v));
    const factors = (t: number) => head.slice(6 + 4 * t, 10 + 4 * t).map((v) => Math.exp(STRUCTURED_HEAD_SCALE * v));
    const x = tf.tensor4d(ds.data, [ds.count, 2, ds.nt, ds.nu]);
    const out = tf.tidy(() => model.forward(x, { training: false }).dataSync());
    let worst = 0;
    for (let i = 0; i < ds.count; i++) {
      const ch = channelOf(ds, i);
      let v = toPower(structureF64(ch.H, d, p), ds.power);
      for (let t = 0; t < K; t++) {
        const f = factors(t);
        v = wmmseStepF64(ch.H, v, ds.noiseVar, ds.power, f.slice(0, 3), f[3]);
      }
      const base = i * 2 * ds.nt * ds.nu;
      for (let e = 0; e < ds.nt * ds.nu; e++) worst = Math.max(worst, Math.abs(out[base + e] - v.re[e]), Math.abs(out[base + ds.nt * ds.nu + e] - v.im[e]));
    }
    // Entries are of order √(P/(N_T N_U)) ≈ 0.24; float32 through two inverses.
    expect(worst).toBeLessThan(2e-4);
    x.dispose();
    model.dispose();
  });

  it('untrained, it is K classical iterations from equal-power RZF (above it), and one gradient step moves it', async () => {
    const scenario = validateScenario({ name: 'tiny-unfolded-step', model: 'rayleigh', nt: 8, nu: 4, snrDb: 0, seed: 4, split: { train: 64, validation: 32, test: 8 } }, 'tiny');
    const train = asMimo(generateSplit(scenario, 'train'));
    const validation = asMimo(generateSplit(scenario, 'validation'));
    const model = new GraphModel(unfolded(train.nt, train.nu, 3, { bits: [8, 8, 8, 8], noiseVar: train.noiseVar }), { seed: 5 });
    let rzfEp = 0;
    let classical = 0;
    const none = [1, 1, 1, 1];
    for (let i = 0; i < validation.count; i++) {
      const ch = channelOf(validation, i);
      let v = rzfEqualPower(ch);
      rzfEp += sumRate(ch, v).sumRate;
      for (let t = 0; t < 3; t++) v = wmmseStepF64(ch.H, v, ch.noiseVar, ch.power, none, 1);
      classical += sumRate(ch, v).sumRate;
    }
    const before = await evaluateRate(model, validation);
    expect(before).toBeCloseTo(classical / validation.count, 3);
    expect(before).toBeGreaterThan(rzfEp / validation.count + 0.05);
    await expectOneStepMoves(model, train, validation, before);
  });
});

describe('WMMSE with the closed-form regulariser (the unfolded head’s structure, a classical algorithm)', () => {
  it('equals the float64 definition (N_T × N_T inverse) iteration by iteration from equal-power RZF, counted, and enters every classical set', () => {
    for (const [seed, nu, nt, snrDb] of [[1, 3, 8, 0], [2, 4, 6, 10], [3, 2, 12, 20]] as const) {
      const channel = { H: rayleighH(nu, nt, rng(seed)), power: 1, noiseVar: noiseVarForSnrDb(snrDb) };
      for (const iterations of [1, 3]) {
        const r = wmmse(channel, { tol: 0, rule: 'abs', maxIter: iterations, init: 'rzf-ep', regulariser: 'closed-form' });
        let v = rzfEqualPower(channel);
        for (let t = 0; t < iterations; t++) v = wmmseStepF64(channel.H, v, channel.noiseVar, channel.power, new Array(nu).fill(1), 1);
        expect(r.iterations).toBe(iterations);
        expect(r.sumRate).toBeCloseTo(sumRate(channel, v).sumRate, 9);
        // One N_U × N_U LU solve per iteration, no eigendecomposition.
        expect(r.counts.multiplier.mults).toBeGreaterThan(iterations * luDecomposeCounts(nu).mults);
        expect(r.counts.multiplier.mults).toBeLessThan(iterations * (luDecomposeCounts(nu).mults + luSolveCounts(nu, nu).mults + 10 * nu * nu));
      }
    }
    const channels = [1, 2, 3].map((seed) => ({ H: rayleighH(3, 8, rng(seed)), power: 1, noiseVar: noiseVarForSnrDb(5) }));
    const set = classicalSet(channels, 5, { tolerances: [1e-3], maxIter: 100 });
    const closed = set.filter((s) => s.wmmse?.regulariser === 'closed-form');
    expect(closed.map((s) => s.label)).toEqual(CLOSED_FORM_ITERATIONS.map(closedFormLabel));
    expect(closed.map((s) => s.iterations.mean)).toEqual([...CLOSED_FORM_ITERATIONS]);
    expect(closed.every((s) => s.capped === 0)).toBe(true);
  });
});
