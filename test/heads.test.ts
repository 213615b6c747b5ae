import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { noiseVarForSnrDb, rayleighH, type Channel } from '../scenarios/channel.ts';
import { rzfEqualPower, sumRate } from '../baselines/precoders.ts';
import { WMMSE_STARTS, wmmse } from '../baselines/wmmse.ts';
import { rng } from '../core/rng.ts';
import { gramCounts, inverseCounts, matmulCounts, newCounter, gram, inverse, identity } from '../linalg/complex.ts';
import { opCounts } from '../nets/counts.ts';
import { PRECODER_HEADS, precoderHeadOf } from '../nets/heads.ts';
import { buildPrecoder } from '../nets/precoder.ts';
import { layerIndexOf } from '../nets/layers.ts';
import { initBackend, tf } from '../train/backend.ts';
import { GraphModel } from '../train/model.ts';
import { beamform, gramOf, regularizedInverse, userPower } from '../train/heads.ts';
import { STRUCTURED_HEAD_SCALE } from '../nets/heads.ts';
import { expectOneStepMoves } from './head-step.ts';
import { softplus, structureF64 } from './precoder-f64.ts';

import { evaluateRate } from '../train/trainer.ts';
import { asMimo, channelOf, generateSplit } from '../scenarios/dataset.ts';
import { validateScenario } from '../scenarios/schema.ts';
import { priceGraph } from '../sim/energy.ts';
import { DEFAULT_PRESET } from '../sim/presets.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const structured = (nt: number, nu: number, bits: [number, number, number, number] = [16, 16, 16, 16], noiseVar = 0.1) =>
  buildPrecoder({ cout: 4, dfcl: 16, nt, nu, bits, head: 'structured', noiseVar });

describe('precoder heads in the Graph', () => {
  it('the direct head is the paper’s network, unchanged', () => {
    const g = buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 16, 16, 16] });
    expect(g.name).toBe('precoder(cout=64,dfcl=1024,nt=64,nu=4,bits=16/16/16/16)');
    expect(g.ops.map((op) => op.name).slice(-2)).toEqual(['fc3', 'powernorm']);
    expect(precoderHeadOf(g)).toBe('direct');
  });

  it('the structured head’s ops are counted as linalg counts the same steps of the classical precoders', () => {
    const g = structured(16, 3);
    expect(precoderHeadOf(g)).toBe('structured');
    const op = (name: string) => g.ops.find((o) => o.name === name)!;
    expect(op('fc3').outputShape).toEqual([6]);
    expect(opCounts(op('head.gram')).macs).toBe(gramCounts(3, 16).mults);
    // The inverse: linalg's inverse() of a 3×3 plus the loading and scaling steps around it.
    const counter = newCounter();
    inverse(identity(3), counter);
    expect(inverseCounts(3)).toEqual(counter);
    expect(opCounts(op('head.inverse')).macs).toBeGreaterThan(inverseCounts(3).mults);
    expect(opCounts(op('head.beamform')).macs).toBe(matmulCounts(16, 3, 3).mults);
    // A Gram matrix counted by the routine equals the closed form.
    const c = newCounter();
    gram(rayleighH(3, 16, rng(1)), c);
    expect(c).toEqual(gramCounts(3, 16));
    // The head's ops multiply data (the channel, FCL3's outputs): priced at 16 bits whatever FCL3's weight bits.
    const layerOf = layerIndexOf(g);
    g.ops.forEach((o, i) => o.name.startsWith('head.') && o.kind !== 'flatten' && expect(layerOf[i]).toBe(-1));
    const low = structured(16, 3, [16, 16, 16, 2]);
    for (const o of low.ops.filter((o) => o.name.startsWith('head.') && o.kind !== 'flatten')) expect(o.precision).toEqual({ weightBits: 16, activationBits: 16 });
    expect(low.ops.find((o) => o.name === 'fc3')!.precision.weightBits).toBe(2);
    const report = priceGraph(g, DEFAULT_PRESET);
    for (const name of ['head.gram', 'head.inverse', 'head.beamform', 'head.power']) expect(report.ops.find((o) => o.name === name)!.energy.total).toBeGreaterThan(0);
  });

  it('rejects a bad head, loading or shape, naming the field', () => {
    expect(() => buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'wide' as never })).toThrow(/head: got "wide"; allowed: direct, structured, unfolded/);
    expect(() => buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'structured', noiseVar: 0 })).toThrow(/noiseVar: got 0/);
    expect(Object.keys(PRECODER_HEADS)).toEqual(['direct', 'structured', 'unfolded']);
  });
});

describe('the structured head in tfjs', () => {
  const scenario = validateScenario({ name: 'tiny', model: 'rayleigh', nt: 8, nu: 3, snrDb: 10, seed: 5, split: { train: 60, validation: 40, test: 40 } }, 'tiny');
  const test = () => asMimo(generateSplit(scenario, 'test'));

  it('with FCL3 at zero it is equal-power RZF exactly (float64 reference)', async () => {
    const ds = test();
    const model = new GraphModel(buildPrecoder({ cout: 4, dfcl: 16, nt: ds.nt, nu: ds.nu, bits: [16, 16, 16, 16], head: 'structured', power: ds.power, noiseVar: ds.noiseVar }), { seed: 1 });
    for (const name of ['fc3/kernel', 'fc3/bias']) model.trainable.get(name)!.assign(tf.zerosLike(model.trainable.get(name)!));
    const dnn = await evaluateRate(model, ds);
    let reference = 0;
    for (let i = 0; i < ds.count; i++) {
      const ch = channelOf(ds, i);
      reference += sumRate(ch, rzfEqualPower(ch)).sumRate;
    }
    expect(dnn).toBeCloseTo(reference / ds.count, 3);
    model.dispose();
  });

  it('trains: gradients reach every weight, finite, through the inverse', () => {
    const ds = test();
    const model = new GraphModel(structured(ds.nt, ds.nu, [4, 4, 4, 4], ds.noiseVar), { seed: 2 });
    // FCL3 starts at zero (the trunk's gradient is zero until it moves): as after some steps.
    const fc3 = model.trainable.get('fc3/kernel')!;
    fc3.assign(tf.randomUniform(fc3.shape, -0.05, 0.05, 'float32', 3));
    model.prepare();
    const x = tf.tensor4d(ds.data.slice(0, 10 * 2 * ds.nt * ds.nu), [10, 2, ds.nt, ds.nu]);
    const vars = [...model.trainable.values()];
    const { grads } = tf.variableGrads(() => tf.sum(model.forward(x, { training: true, dropoutSeed: 1 })) as tf.Scalar, vars);
    for (const name of ['conv/kernel', 'fc1/kernel', 'fc2/kernel', 'fc3/kernel', 'fc3/bias']) {
      const g = grads[vars.find((v) => model.keyOf(v.name) === name)!.name];
      const values = g.dataSync();
      expect(values.every(Number.isFinite), name).toBe(true);
      expect(values.some((v) => v !== 0), name).toBe(true);
    }
    x.dispose();
    for (const g of Object.values(grads)) g.dispose();
    model.dispose();
  });
});


/** softplus in float64. */
describe('the structured head against the optimal structure in float64, unequal λ_k and p_k', () => {
  const sample = fc.record({
    seed: fc.integer({ min: 0, max: 1e6 }),
    nu: fc.integer({ min: 2, max: 4 }),
    extra: fc.integer({ min: 0, max: 6 }),
    // Head outputs spread over ±30 before the 0.1 scale: loadings from 0.07× to 4.4× RZF's, powers 0.05 to 3.
    o: fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 8, maxLength: 8 }),
    snrDb: fc.integer({ min: 0, max: 20 }),
  });

  it('tfjs Gram → regularised inverse → Hᴴ product → user power equals Hᴴ(I + DG)⁻¹ column-normalised', () => {
    fc.assert(
      fc.property(sample, ({ seed, nu, extra, o, snrDb }) => {
        const nt = nu + extra;
        const H = rayleighH(nu, nt, rng(seed));
        const noiseVar = noiseVarForSnrDb(snrDb);
        const loading = 1 / (nu * noiseVar);
        // Users 0 and 1 always far apart, so the check never reduces to the degenerate equal case.
        const head = [-25, 25, ...o.slice(2, 2 * nu)];
        const d = head.slice(0, nu).map((v) => (loading * softplus(STRUCTURED_HEAD_SCALE * v)) / Math.LN2);
        const p = head.slice(nu).map((v) => softplus(STRUCTURED_HEAD_SCALE * v));
        // The check is only as good as λ_k's spread: make sure it is not the degenerate equal case.
        expect(Math.max(...d) / Math.min(...d)).toBeGreaterThan(1.5);
        const want = structureF64(H, d, p);
        const x = new Float32Array(2 * nt * nu);
        for (let n = 0; n < nt; n++) {
          for (let k = 0; k < nu; k++) {
            x[n * nu + k] = H.re[k * nt + n];
            x[nt * nu + n * nu + k] = H.im[k * nt + n];
          }
        }
        const got = tf.tidy(() => {
          const h = tf.tensor4d(x, [1, 2, nt, nu]);
          const out = tf.tensor2d(Float32Array.from(head), [1, 2 * nu]);
          const inv = regularizedInverse(gramOf(h), out, loading, STRUCTURED_HEAD_SCALE);
          return userPower(beamform(h, inv), out, STRUCTURED_HEAD_SCALE).dataSync();
        });
        let worst = 0;
        let scale = 0;
        for (let n = 0; n < nt; n++) {
          for (let k = 0; k < nu; k++) {
            worst = Math.max(worst, Math.abs(got[n * nu + k] - want.re[n * nu + k]), Math.abs(got[nt * nu + n * nu + k] - want.im[n * nu + k]));
            scale = Math.max(scale, Math.abs(want.re[n * nu + k]), Math.abs(want.im[n * nu + k]));
          }
        }
        expect(worst).toBeLessThan(2e-3 * scale);
      }),
      { numRuns: 40, seed: 29 },
    );
  });

  it('the Graph model with FCL3’s bias set to unequal outputs gives the same precoder, power-normalised', () => {
    const scenario = validateScenario({ name: 'tiny-unequal', model: 'rayleigh', nt: 6, nu: 3, snrDb: 5, seed: 11, split: { train: 10, validation: 10, test: 8 } }, 'tiny');
    const ds = asMimo(generateSplit(scenario, 'test'));
    const model = new GraphModel(buildPrecoder({ cout: 4, dfcl: 16, nt: ds.nt, nu: ds.nu, bits: [16, 16, 16, 16], head: 'structured', power: ds.power, noiseVar: ds.noiseVar }), { seed: 3 });
    const head = [12, -9, 3, -15, 6, 20];
    model.trainable.get('fc3/kernel')!.assign(tf.zerosLike(model.trainable.get('fc3/kernel')!));
    model.trainable.get('fc3/bias')!.assign(tf.tensor1d(head));
    const loading = ds.power / (ds.nu * ds.noiseVar);
    const d = head.slice(0, 3).map((v) => (loading * softplus(STRUCTURED_HEAD_SCALE * v)) / Math.LN2);
    const p = head.slice(3).map((v) => softplus(STRUCTURED_HEAD_SCALE * v));
    const x = tf.tensor4d(ds.data, [ds.count, 2, ds.nt, ds.nu]);
    const out = tf.tidy(() => model.forward(x, { training: false }).dataSync());
    for (let i = 0; i < ds.count; i++) {
      const w = structureF64(channelOf(ds, i).H, d, p);
      let total = 0;
      for (let e = 0; e < w.re.length; e++) total += w.re[e] ** 2 + w.im[e] ** 2;
      const f = Math.sqrt(ds.power / total);
      const base = i * 2 * ds.nt * ds.nu;
      for (let e = 0; e < ds.nt * ds.nu; e++) {
        expect(out[base + e]).toBeCloseTo(w.re[e] * f, 3);
        expect(out[base + ds.nt * ds.nu + e]).toBeCloseTo(w.im[e] * f, 3);
      }
    }
    x.dispose();
    model.dispose();
  });

  it('an untrained structured network is equal-power RZF, and one gradient step moves it', async () => {
    const scenario = validateScenario({ name: 'tiny-step', model: 'rayleigh', nt: 8, nu: 3, snrDb: 0, seed: 4, split: { train: 64, validation: 32, test: 8 } }, 'tiny');
    const train = asMimo(generateSplit(scenario, 'train'));
    const validation = asMimo(generateSplit(scenario, 'validation'));
    const model = new GraphModel(structured(train.nt, train.nu, [8, 8, 8, 8], train.noiseVar), { seed: 5 });
    expect(Array.from(model.trainable.get('fc3/kernel')!.dataSync()).every((v) => v === 0)).toBe(true);
    let rzfEp = 0;
    for (let i = 0; i < validation.count; i++) rzfEp += sumRate(channelOf(validation, i), rzfEqualPower(channelOf(validation, i))).sumRate;
    const before = await evaluateRate(model, validation);
    expect(before).toBeCloseTo(rzfEp / validation.count, 3);
    await expectOneStepMoves(model, train, validation, before);
  });
});

const channelArb = fc
  .record({ seed: fc.integer({ min: 0, max: 1e6 }), nu: fc.integer({ min: 2, max: 4 }), extra: fc.integer({ min: 0, max: 8 }), snrDb: fc.integer({ min: 0, max: 25 }) })
  .map(({ seed, nu, extra, snrDb }): Channel => ({ H: rayleighH(nu, nu + extra, rng(seed)), power: 1, noiseVar: noiseVarForSnrDb(snrDb) }));

describe('WMMSE from the best start', () => {
  it('is never below equal-power RZF on a sample, and counts every start it ran', () => {
    fc.assert(
      fc.property(channelArb, (channel) => {
        const best = wmmse(channel, { tol: 1e-6, rule: 'abs', maxIter: 300, init: 'best' });
        expect(best.sumRate).toBeGreaterThanOrEqual(sumRate(channel, rzfEqualPower(channel)).sumRate - 1e-9);
        expect(best.runs.map((r) => r.start)).toEqual([...WMMSE_STARTS]);
        expect(best.sumRate).toBe(Math.max(...best.runs.map((r) => r.sumRate)));
        expect(best.iterations).toBe(best.runs.reduce((n, r) => n + r.iterations, 0));
        for (const phase of ['receivers', 'multiplier', 'precoder', 'init'] as const) {
          expect(best.counts[phase].mults).toBeCloseTo(best.runs.reduce((n, r) => n + r.counts[phase].mults, 0), 6);
        }
        // One start alone is the same run as inside best.
        const alone = wmmse(channel, { tol: 1e-6, rule: 'abs', maxIter: 300, init: 'rzf-ep' });
        expect(alone.sumRate).toBe(best.runs[2].sumRate);
        expect(alone.iterations).toBe(best.runs[2].iterations);
      }),
      { numRuns: 25 },
    );
  });

  it('ends at least where it started, from every start', () => {
    fc.assert(
      fc.property(channelArb, fc.constantFrom(...WMMSE_STARTS), (channel, init) => {
        const r = wmmse(channel, { tol: 0, rule: 'abs', maxIter: 30, init });
        expect(r.rateHistory[r.rateHistory.length - 1]).toBeGreaterThanOrEqual(r.rateHistory[0] - 1e-9);
      }),
      { numRuns: 40 },
    );
  });
});
