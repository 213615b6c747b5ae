/** Precoders the scenario's size (N_T = 32, N_U = 8), not the paper's 64 × 4: counts, search, training, rates and the report. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPrecoder } from '../../nets/precoder.ts';
import { priceGraph } from '../../sim/energy.ts';
import { KASALAEE_2025 } from '../../sim/presets.ts';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scenario = join(dir, 'r32x8.json');
writeFileSync(scenario, JSON.stringify({ name: 'r32x8', description: 'Rayleigh 32 × 8', model: 'rayleigh', nt: 32, nu: 8, snrDb: 2, seed: 3, split: { train: 16, validation: 8, test: 8 } }));

describe('search at N_T = 32, N_U = 8', () => {
  it('prices every stored point as the closed form prices a 32 × 8 precoder (hand-built here), not a 64 × 4 one', async () => {
    const r = await codesign('search', '--archs', '8x512', '--choices', '4,16', '--heads', 'structured', '--quality', 'synthetic', '--scenario', scenario, '--db', join(dir, 's.duckdb'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const front = JSON.parse(r.stdout).front as { cout: number; dfcl: number; bits: [number, number, number, number]; energy_uJ: number }[];
    expect(front.length).toBeGreaterThan(0);
    for (const p of front) {
      const at = (nt: number, nu: number) => priceGraph(buildPrecoder({ cout: p.cout, dfcl: p.dfcl, nt, nu, bits: p.bits, head: 'structured' }), KASALAEE_2025).energy.total / 1e6;
      expect(p.energy_uJ).toBeCloseTo(at(32, 8), 9);
      expect(Math.abs(p.energy_uJ - at(64, 4))).toBeGreaterThan(1e-6);
    }
  });
});

describe('N_T = 32, N_U = 8 end to end', () => {
  // By hand, C_out = 8, D_FCL = 64: conv 3×3 'same' on [2, 32, 8] → 8 filters: 32·8 positions × 8 × 2·9;
  // fc1 (8·32·8 = 2048) → 64; fc2 64 → 64; fc3 64 → 2·N_T·N_U = 512 (direct) or 2·N_U = 16 (λ_k, p_k);
  // the structured head's Gram (upper triangle, 36 entries × 32 complex MACs × 4 real) and Hᴴ X (32·8·8 complex × 4).
  const HAND = { conv: 32 * 8 * 8 * 2 * 9, fc1: 2048 * 64, fc2: 64 * 64, fc3: { direct: 64 * 512, structured: 64 * 16 }, gram: ((8 * 9) / 2) * 32 * 4, beamform: 32 * 8 * 8 * 4 };
  it.each(['direct', 'structured'] as const)('energy and simulate count the %s head\'s MACs as by hand', async (head) => {
    const args = ['--net', 'precoder', '--cout', '8', '--dfcl', '64', '--nt', '32', '--nu', '8', '--head', head, '--json'];
    const energy = JSON.parse((await codesign('energy', ...args)).stdout) as { ops: { name: string; macs: number }[] };
    const sim = JSON.parse((await codesign('simulate', ...args)).stdout) as { ops: { name: string; macs: number }[] };
    for (const doc of [energy, sim]) {
      const macs = Object.fromEntries(doc.ops.map((o) => [o.name, o.macs]));
      expect([macs.conv, macs.fc1, macs.fc2, macs.fc3]).toEqual([HAND.conv, HAND.fc1, HAND.fc2, HAND.fc3[head]]);
      if (head === 'structured') expect([macs['head.gram'], macs['head.beamform']]).toEqual([HAND.gram, HAND.beamform]);
    }
  });

  it('trains supernets at 32 × 8, rates them, and the report prices and draws 32 × 8 precoders', async () => {
    const supernets = join(dir, 'supernets');
    const trained = await codesign('search', '--quality', 'supernet', '--heads', 'direct,structured', '--scenario', scenario, '--archs', '8x64', '--choices', '4,16', '--supernets', supernets, '--db', join(dir, 'sn.duckdb'), '--epochs', '1', '--batch', '8', '--samples', '8');
    expect(trained.code, trained.stderr).toBe(0);
    const table = join(dir, 'r32x8.csv');
    const classical = join(dir, 'r32x8.classical.json');
    expect((await codesign('rates', '--supernets', supernets, '--scenario', scenario, '--out', table)).code).toBe(0);
    expect((await codesign('rates', '--classical', '--scenario', scenario, '--out', classical)).code).toBe(0);
    const out = join(dir, 'report');
    const r = await codesign('report', '--scenario', scenario, '--rates', table, '--classical', classical, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { front: { head: 'direct' | 'structured'; arch: string; bits: [number, number, number, number]; closedForm_uJ: { total: number } }[]; missing: string[] };
    expect(summary.front.length).toBeGreaterThan(0);
    for (const p of summary.front) {
      expect(p.arch).toBe('8/64');
      expect(p.closedForm_uJ.total).toBeCloseTo(priceGraph(buildPrecoder({ cout: 8, dfcl: 64, nt: 32, nu: 8, bits: p.bits, head: p.head }), KASALAEE_2025).energy.total / 1e6, 9);
    }
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/Energy per layer of the \(8, 64\) precoder at N_T = 32, N_U = 8/);
    expect(html).not.toMatch(/\(64, 1024\)/);
  });
});
