/** Precoders the scenario's size (N_T = 32, N_U = 8), not the paper's 64 × 4, through search. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
