import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

describe('codesign train --net (CSI codec)', () => {
  it('trains a codec briefly and reports NMSE and ρ on the test split, with codeword noise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-codec-'));
    const scenario = join(dir, 'tiny.json');
    writeFileSync(scenario, JSON.stringify({ name: 'tiny-csi', model: 'cost2100', environment: 'indoor', seed: 3, split: { train: 40, validation: 10, test: 10 } }));
    const out = join(dir, 'ckpt');
    const r = await codesign('train', '--net', 'csinet', '--cr', '16', '--scenario', scenario, '--epochs', '1', '--batch', '20', '--snr-db', '10', '--zero-init-residual', '--out', out, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Number.isFinite(doc.test.nmseDb)).toBe(true);
    expect(doc.test.rho).toBeGreaterThanOrEqual(0);
    expect(doc.test.rho).toBeLessThanOrEqual(1);
    expect(doc.codewordSnrDb).toBe(10);
    expect(doc.result.history).toHaveLength(1);
    // The checkpoint evaluates clean and under a sweep of codeword noise; more noise, no better NMSE.
    const e = await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10', '--snr-db', '-10,30', '--json');
    expect(e.code).toBe(0);
    const sweep = JSON.parse(e.stdout);
    expect(sweep.rows.map((row: { codewordSnr_dB: number | null }) => row.codewordSnr_dB)).toEqual([null, -10, 30]);
    expect(sweep.rows[1].nmseDb).toBeGreaterThanOrEqual(sweep.rows[2].nmseDb - 1e-6);
    expect(sweep.energy_uJ.encoder).toBeGreaterThan(0);
  });

  it('a codec on a MIMO scenario is a clear error', async () => {
    const r = await codesign('train', '--net', 'crnet', '--scenario', 'rayleigh', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scenario: got "rayleigh"; allowed: a CSI scenario/);
  });
});
