import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSED_FORM_ITERATIONS, closedFormLabel } from '../../baselines/run.ts';
import { codesign } from './run.ts';

describe('codesign scenario', () => {
  it('list names every scenario', async () => {
    const r = await codesign('scenario', 'list');
    expect(r.code).toBe(0);
    for (const name of ['udem-nlos', 'udem-los', 'okapark-los', 'rayleigh', 'cdl-a', 'cdl-e', 'cost2100-indoor', 'cost2100-outdoor']) expect(r.stdout).toContain(name);
  });

  it('describe --json on a copied, edited scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-scn-'));
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ name: 'mine', model: 'rayleigh', nt: 16, nu: 4, snrDb: 10, seed: 3, split: { train: 4, validation: 4, test: 30 } }));
    const r = await codesign('scenario', 'describe', file, '--samples', '10', '--json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ name: 'mine', model: 'rayleigh', nt: 16, nu: 4, losFraction: 0 });
    expect(d.perUserSnrDb.mean).toBeGreaterThan(5);
    expect(d.conditionNumberDb.p50).toBeGreaterThan(0);
    const rate = (label: string) => d.classical.find((c: { label: string }) => c.label.startsWith(label)).sumRate;
    expect(d.classical.map((c: { label: string }) => c.label)).toEqual([
      'MRT', 'ZF', 'RZF', 'equal-power RZF',
      'WMMSE (best start, ε = 0.00001)', 'WMMSE (from MRT, ε = 0.00001)', 'WMMSE (from RZF, ε = 0.00001)', 'WMMSE (from equal-power RZF, ε = 0.00001)',
      // WMMSE with the closed-form regulariser at fixed iterations: the unfolded head's structure.
      ...CLOSED_FORM_ITERATIONS.map(closedFormLabel),
    ]);
    expect(d.classical.every((c: { samples: number }) => c.samples === 10)).toBe(true);
    expect(rate('WMMSE (best')).toBeGreaterThanOrEqual(rate('equal-power RZF') - 1e-9);
    expect(rate('WMMSE (best')).toBeGreaterThanOrEqual(rate('ZF') - 1e-3);
    // Best start runs (and is charged for) all three.
    const best = d.classical[4];
    expect(best.energy_uJ.measured).toBeGreaterThan(d.classical[7].energy_uJ.measured);
  });

  it('a bad scenario file lists all its problems and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-scn-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', model: 'rayleigh', nt: -1, nu: 4, snrDb: 'x', seed: 1, split: { train: 1, validation: 1, test: 1 } }));
    const r = await codesign('scenario', 'describe', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 problems/);
    expect(r.stderr).toMatch(/snrDb: got "x"/);
    expect(r.stderr).toMatch(/nt: got -1/);
    writeFileSync(file, '{ not json');
    expect((await codesign('scenario', 'describe', file)).stderr).toMatch(/\(json\): got .*allowed: valid JSON/);
  });
});
