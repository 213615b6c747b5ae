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
    // Every op of the head is priced with FCL3's bits.
    const layerOf = layerIndexOf(g);
    g.ops.forEach((o, i) => o.name.startsWith('head.') && expect(layerOf[i]).toBe(3));
    const report = priceGraph(g, DEFAULT_PRESET);
    for (const name of ['head.gram', 'head.inverse', 'head.beamform', 'head.power']) expect(report.ops.find((o) => o.name === name)!.energy.total).toBeGreaterThan(0);
  });

  it('rejects a bad head, loading or shape, naming the field', () => {
    expect(() => buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'wide' as never })).toThrow(/head: got "wide"; allowed: direct, structured/);
    expect(() => buildPrecoder({ cout: 4, dfcl: 16, nt: 8, nu: 2, bits: [8, 8, 8, 8], head: 'structured', noiseVar: 0 })).toThrow(/noiseVar: got 0/);
    expect(Object.keys(PRECODER_HEADS)).toEqual(['direct', 'structured']);
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
