import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromArrays } from '../../linalg/complex.ts';
import { sumRate, zf } from '../../baselines/precoders.ts';
import { codesign } from './run.ts';

describe('codesign baseline', () => {
  it('--export writes valid JSON of the stated shape, and its sum rates check out independently', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'codesign-')), 'zf.json');
    const r = await codesign('baseline', '--algo', 'zf', '--channel', 'rayleigh', '--nt', '8', '--nu', '2', '--snr-db', '10', '--samples', '3', '--seed', '4', '--export', file, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ algorithm: 'zf', samples: 3, energy_uJ: { paper: { total: expect.any(Number) }, measured: { total: expect.any(Number) } } });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc).toMatchObject({ snrDb: 10, power: 1, noiseVar: 0.1 });
    expect(doc.samples).toHaveLength(3);
    for (const s of doc.samples) {
      expect(s.H.re).toHaveLength(2);
      expect(s.H.re[0]).toHaveLength(8);
      expect(s.H.im[1]).toHaveLength(8);
      expect(s.iterations).toBe(1);
      // Recompute the ZF sum rate from the exported H, power and noise alone.
      const channel = { H: fromArrays(s.H.re, s.H.im), power: doc.power, noiseVar: doc.noiseVar };
      expect(sumRate(channel, zf(channel)).sumRate).toBeCloseTo(s.sumRate, 10);
    }
    const mean = doc.samples.reduce((a: number, s: { sumRate: number }) => a + s.sumRate, 0) / 3;
    expect(mean).toBeCloseTo(summary.meanSumRate, 12);
  });

  it('WMMSE reports iterations and both accountings in the table', async () => {
    const r = await codesign('baseline', '--algo', 'wmmse', '--nt', '16', '--nu', '4', '--samples', '3', '--rule', 'rel');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/paper \(seed 000 eq\. 12–13\)/);
    expect(r.stdout).toMatch(/measured \(our implementation\)/);
    expect(r.stdout).toMatch(/iterations mean/);
  });

  it.each([
    [['--algo', 'svd'], /--algo/],
    [['--snr-db', 'loud'], /--snr-db: got "loud"; allowed: a finite number/],
    [['--tol', '-1'], /--tol: got "-1"; allowed: a finite number ≥ 0/],
    [['--max-iter', '0'], /--max-iter: got "0"/],
    [['--samples', '0'], /--samples: got "0"/],
    [['--seed', 'abc'], /--seed: got "abc"/],
    [['--scenario', 'cost2100-indoor'], /--scenario: got "cost2100-indoor"; allowed: a MIMO scenario/],
    [['--rule', 'fuzzy'], /--rule/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const r = await codesign('baseline', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown scenario lists what is allowed, exit 2', async () => {
    const r = await codesign('baseline', '--scenario', 'mars');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scenario mars: \(file\): got "mars"; allowed: a named scenario \(cdl-a, /);
  });
});
