import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rzf, sumRate, zf } from '../baselines/precoders.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { cdlTable, normalisedPowers, parseCdlTable, rmsDelaySpread, CDL_PROFILES } from '../scenarios/cdl.ts';
import { asMimo, cachePath, channelOf, eligiblePositions, generateSplit, loadDataset, splitPositions, type MimoDataset } from '../scenarios/dataset.ts';
import { hitWall, lineOfSight, mirror, wallsOf, type Building } from '../scenarios/geometry.ts';
import { loadScenario, validateScenario, ScenarioError, type Scenario } from '../scenarios/schema.ts';
import { buildSite, tracePathsForTest } from '../scenarios/site.ts';
import { addSteering, directionCosines } from '../scenarios/upa.ts';

const small = <S extends Scenario>(s: S, test = 40): S => ({ ...s, split: { train: 8, validation: 4, test } });
const bytes = (ds: { data: Float32Array }) => Buffer.from(ds.data.buffer, ds.data.byteOffset, ds.data.byteLength);

describe('seeded datasets', () => {
  it.each(['rayleigh', 'cdl-a', 'cdl-e', 'cost2100-outdoor'])('%s: same seed, same bytes; another seed or split, other bytes', (name) => {
    const s = small(loadScenario(name), 6);
    expect(bytes(generateSplit(s, 'test'))).toEqual(bytes(generateSplit(s, 'test')));
    expect(bytes(generateSplit({ ...s, seed: s.seed + 1 }, 'test'))).not.toEqual(bytes(generateSplit(s, 'test')));
    expect(bytes(generateSplit(s, 'train')).subarray(0, 64)).not.toEqual(bytes(generateSplit(s, 'test')).subarray(0, 64));
  });

  it('CSI samples lie in [0, 1] around 0.5 with 2×32×32 layout', () => {
    const ds = generateSplit(small(loadScenario('cost2100-indoor'), 5), 'test');
    expect(ds.kind).toBe('csi');
    if (ds.kind !== 'csi') return;
    expect([ds.rows, ds.cols, ds.data.length]).toEqual([32, 32, 5 * 2 * 32 * 32]);
    for (const x of ds.data) expect(x >= 0 && x <= 1).toBe(true);
    expect(Math.max(...Array.from(ds.data.subarray(0, 2048), (x) => Math.abs(x - 0.5)))).toBeCloseTo(0.5, 6);
  });
});

describe('3GPP CDL tables', () => {
  it.each(CDL_PROFILES)('CDL-%s: normalised RMS delay spread 1, powers sum to 1 after the K-factor split', (p) => {
    const t = cdlTable(p);
    expect(rmsDelaySpread(t)).toBeCloseTo(1, 1);
    expect(Math.abs(rmsDelaySpread(t) - 1)).toBeLessThan(0.01);
    expect(normalisedPowers(t).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    if (t.los) {
      // The LOS ray and the first cluster share delay 0; the LOS ray dominates.
      expect(t.delays[0]).toBe(0);
      expect(t.delays[1]).toBe(0);
      expect(t.powersDb[0]).toBeGreaterThan(t.powersDb[1] + 10);
    }
  });

  it('rows have unit average per-antenna power', () => {
    const ds = generateSplit(small(loadScenario('cdl-b'), 200), 'test') as MimoDataset;
    let g = 0;
    for (const x of ds.data) g += x * x;
    expect(g / (ds.count * ds.nu * ds.nt)).toBeGreaterThan(0.85);
    expect(g / (ds.count * ds.nu * ds.nt)).toBeLessThan(1.15);
  });

  it('a malformed table is a clear error', () => {
    expect(() => parseCdlTable('{"delays":[0,1],"powers":[0],"aod":[0,0],"aoa":[0,0],"zod":[0,0],"zoa":[0,0]}', 'CDL-X')).toThrow(/CDL-X\.powers: got "1 entries"; allowed: 2 finite numbers/);
  });
});

describe('UPA', () => {
  const upa = { ny: 8, nz: 8, spacing: 0.5 };
  const steer = (uy: number, uz: number) => {
    const re = new Float64Array(64);
    const im = new Float64Array(64);
    addSteering(upa, uy, uz, 1, 0, re, im);
    return { re, im };
  };
  it('steering vectors have ‖a‖² = N_y·N_z', () => {
    for (const [az, ze] of [[0, Math.PI / 2], [0.7, 1.2], [-2, 0.3]]) {
      const { uy, uz } = directionCosines(az, ze);
      const a = steer(uy, uz);
      expect(a.re.reduce((s, x, i) => s + x * x + a.im[i] ** 2, 0)).toBeCloseTo(64, 9);
    }
  });
  it('DFT-grid beams (u_y = 2i/N_y, u_z = 2l/N_z) are orthogonal', () => {
    const beams = [[0, 0], [0.25, 0], [0, 0.5], [-0.5, 0.25], [0.75, -0.75]].map(([uy, uz]) => steer(uy, uz));
    for (let i = 0; i < beams.length; i++) {
      for (let j = i + 1; j < beams.length; j++) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < 64; n++) {
          re += beams[i].re[n] * beams[j].re[n] + beams[i].im[n] * beams[j].im[n];
          im += beams[i].im[n] * beams[j].re[n] - beams[i].re[n] * beams[j].im[n];
        }
        expect(Math.hypot(re, im)).toBeLessThan(1e-9);
      }
    }
  });
});

describe('site geometry', () => {
  const bs = { x: 0, y: 0, z: 20 };
  const user = { x: 100, y: 0, z: 1.5 };
  it('a building between BS and user blocks it; one beside it, or lower than the ray, does not', () => {
    const between: Building = { x0: 40, x1: 60, y0: -10, y1: 10, height: 30 };
    const beside: Building = { x0: 40, x1: 60, y0: 15, y1: 35, height: 30 };
    const low: Building = { x0: 40, x1: 60, y0: -10, y1: 10, height: 5 };
    expect(lineOfSight(bs, user, [between])).toBe(false);
    expect(lineOfSight(bs, user, [beside])).toBe(true);
    expect(lineOfSight(bs, user, [low])).toBe(true);
  });
  it('the image method: a wall reflection has the length of the image–user line and lands on the wall', () => {
    const b: Building = { x0: 40, x1: 60, y0: 30, y1: 50, height: 40 };
    const wall = wallsOf([b]).find((w) => w.axis === 'y' && w.at === 30)!;
    const image = mirror(bs, wall);
    expect(image).toEqual({ x: 0, y: 60, z: 20 });
    const r = hitWall(image, user, wall)!;
    expect(r.y).toBeCloseTo(30, 9);
    expect(Math.hypot(r.x - bs.x, r.y - bs.y, r.z - bs.z) + Math.hypot(user.x - r.x, user.y - r.y, user.z - r.z)).toBeCloseTo(
      Math.hypot(image.x - user.x, image.y - user.y, image.z - user.z),
      9,
    );
    const paths = tracePathsForTest(bs, user, [b]);
    expect(paths.map((p) => p.kind).sort()).toEqual(['direct', 'ground', 'reflection1']);
  });
});

describe('dataset cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codesign-cache-'));
  const s = small(loadScenario('rayleigh'), 12);
  it('round-trips: a second load reads the file and gives the same bytes', () => {
    const log: string[] = [];
    const first = loadDataset(s, 'test', { cacheDir: dir, log: (m) => log.push(m) });
    const second = loadDataset(s, 'test', { cacheDir: dir, log: (m) => log.push(m) });
    expect(log[0]).toMatch(/^generated/);
    expect(log[1]).toMatch(/^loaded/);
    expect(bytes(second)).toEqual(bytes(first));
    expect((second as MimoDataset).noiseVar).toBe((first as MimoDataset).noiseVar);
  });
  it('an edited scenario never reuses a stale cache', () => {
    const edited = { ...s, snrDb: s.model === 'rayleigh' ? s.snrDb + 1 : 0 } as Scenario;
    expect(cachePath(edited, 'test', dir)).not.toBe(cachePath(s, 'test', dir));
    const log: string[] = [];
    loadDataset(edited, 'test', { cacheDir: dir, log: (m) => log.push(m) });
    expect(log[0]).toMatch(/^generated/);
  });
  it('a truncated or corrupted file is detected and regenerated, never used', () => {
    const file = cachePath(s, 'test', dir);
    const good = readFileSync(file);
    for (const [damage, reason] of [
      [good.subarray(0, good.length - 100), /checksum mismatch/],
      [Buffer.concat([good.subarray(0, 200), Buffer.from([good[200] ^ 0xff]), good.subarray(201)]), /checksum mismatch/],
      [Buffer.from('{"not":"a dataset"}'), /not a codesign dataset file/],
    ] as const) {
      writeFileSync(file, damage);
      const log: string[] = [];
      const ds = loadDataset(s, 'test', { cacheDir: dir, log: (m) => log.push(m) });
      expect(log[0]).toMatch(reason);
      expect(log[0]).toMatch(/regenerating/);
      expect(bytes(ds)).toEqual(bytes(generateSplit(s, 'test')));
      expect(readFileSync(file)).toEqual(good);
    }
  });
});

describe('scenario files', () => {
  it('lists every problem at once, each naming the field', () => {
    const bad = { name: 'x', model: 'site', users: 'some', nu: 0, snrDb: 'loud', seed: 1, split: { train: 1, validation: 1, test: 0 }, site: { seed: 1 } };
    try {
      validateScenario(bad, 'bad.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      const paths = (error as ScenarioError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['split.test', 'nu', 'snrDb', 'users', 'site.extent_m', 'site.buildings', 'site.carrierHz', 'site.array']));
      expect((error as Error).message).toMatch(/^scenario bad\.json: \d+ problems\n {2}split\.test: got 0; allowed: an integer ≥ 1/);
    }
  });
  it('every named scenario validates', () => {
    for (const name of ['udem-nlos', 'udem-nlos-0db', 'udem-nlos-paper', 'udem-los', 'okapark-los', 'rayleigh', 'cdl-a', 'cdl-b', 'cdl-c', 'cdl-d', 'cdl-e', 'cost2100-indoor', 'cost2100-outdoor']) {
      expect(loadScenario(name).name).toBe(name);
    }
  });
});

describe('site-specific channels (udem-nlos)', () => {
  it('NLOS users only; WMMSE (abs, 1e-5) beats ZF by at least 10% at the scenario’s SNR', () => {
    const s = small(loadScenario('udem-nlos'), 60);
    const ds = asMimo(generateSplit(s, 'test'));
    expect(Array.from(ds.los).every((x) => x === 0)).toBe(true);
    let w = 0;
    let z = 0;
    for (let i = 0; i < ds.count; i++) {
      const ch = channelOf(ds, i);
      // From equal-power RZF (the cheapest start here): the claim is about the site, not the start.
      w += wmmse(ch, { tol: 1e-5, rule: 'abs', maxIter: 2000, init: 'rzf-ep' }).sumRate;
      z += sumRate(ch, zf(ch)).sumRate;
    }
    expect(w / z - 1).toBeGreaterThanOrEqual(0.1);
  });
  it('holdout positions: no validation or test user stands where a training user stood; holdout groups: they share positions', () => {
    const base = loadScenario('udem-nlos');
    if (base.model !== 'site') throw new Error('udem-nlos is a site scenario');
    // A user's channel row identifies its position (each position has one channel).
    const rowsOf = (ds: MimoDataset) => {
      const out = new Set<string>();
      for (let i = 0; i < ds.count; i++) for (let k = 0; k < ds.nu; k++) out.add(ds.data[i * 2 * ds.nt * ds.nu + k].toString() + '/' + ds.data[i * 2 * ds.nt * ds.nu + ds.nt * ds.nu + k].toString());
      return out;
    };
    const overlap = (s: Scenario) => {
      const sized = { ...s, split: { train: 2000, validation: 300, test: 300 } } as Scenario;
      const train = rowsOf(asMimo(generateSplit(sized, 'train')));
      return (['validation', 'test'] as const).map((split) => [...rowsOf(asMimo(generateSplit(sized, split)))].filter((r) => train.has(r)).length);
    };
    expect(base.holdout).toBe('positions');
    expect(overlap(base)).toEqual([0, 0]);
    const [validation, test] = overlap({ ...base, holdout: 'groups' });
    expect(validation).toBeGreaterThan(50);
    expect(test).toBeGreaterThan(50);
    // The partition: 60/20/20 of the eligible positions, disjoint, covering all.
    const parts = (['train', 'validation', 'test'] as const).map((split) => Array.from(splitPositions(base, split)));
    const all = parts.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(eligiblePositions(base).indices.length);
    expect(parts[0].length / all.length).toBeCloseTo(0.6, 2);
    // Fresh draws for training come from the training positions only.
    const fresh = rowsOf(asMimo(generateSplit({ ...base, split: { train: 500, validation: 1, test: 300 } }, 'train', { epoch: 3 })));
    const test300 = rowsOf(asMimo(generateSplit({ ...base, split: { train: 500, validation: 1, test: 300 } }, 'test')));
    expect([...fresh].filter((r) => test300.has(r))).toEqual([]);
  });
  it('on rayleigh (64×4, 10 dB) WMMSE and ZF are within 1%', () => {
    const ds = generateSplit(small(loadScenario('rayleigh'), 60), 'test') as MimoDataset;
    let w = 0;
    let z = 0;
    let r = 0;
    for (let i = 0; i < ds.count; i++) {
      const ch = channelOf(ds, i);
      w += wmmse(ch, { tol: 1e-5, rule: 'abs', maxIter: 2000 }).sumRate;
      z += sumRate(ch, zf(ch)).sumRate;
      r += sumRate(ch, rzf(ch)).sumRate;
    }
    expect(Math.abs(w / z - 1)).toBeLessThan(0.01);
    expect(r).toBeGreaterThanOrEqual(z);
  });
  it('a site with one building is LOS everywhere except in its shadow', () => {
    const s = loadScenario('udem-nlos');
    if (s.model !== 'site') throw new Error('udem-nlos is a site scenario');
    const site = buildSite({ ...s.site, buildings: { ...s.site.buildings, count: 1 }, rings: { min_m: 100, max_m: 100, step_m: 10 }, angleStep_deg: 45 });
    expect(site.buildings).toHaveLength(1);
    expect(Array.from(site.los).filter((x) => x === 0).length).toBeLessThanOrEqual(2);
  });
});

describe('scenario describe: the regime before training', () => {
  it('per-user SNR after the array gain is the per-antenna figure plus 10·log10(N_T/N_U); the gain spread and the classical ratios are in range', async () => {
    const { describeScenario } = await import('../studies/describe.ts');
    const d = describeScenario(small(loadScenario('rayleigh'), 12), { cacheDir: mkdtempSync(join(tmpdir(), 'codesign-describe-')), baselineSamples: 12 }) as unknown as {
      nt: number; nu: number; perUserSnrDb: { mean: number }; perUserSnrAfterArrayGainDb: { mean: number }; userGainSpreadDb: { p10: number }; regime: { zfOverWmmse: number; equalPowerRzfOverWmmse: number; wmmseBestStart: number };
    };
    expect(d.perUserSnrAfterArrayGainDb.mean - d.perUserSnrDb.mean).toBeCloseTo(10 * Math.log10(d.nt / d.nu), 9);
    expect(d.userGainSpreadDb.p10).toBeGreaterThanOrEqual(0);
    expect(d.regime.wmmseBestStart).toBeGreaterThan(0);
    for (const r of [d.regime.zfOverWmmse, d.regime.equalPowerRzfOverWmmse]) {
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(1.05);
    }
  });
});
