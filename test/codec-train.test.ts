import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './cli-helpers.ts';

describe('codesign train --net (CSI codec)', () => {
  it('trains a codec briefly and reports NMSE and ρ on the test split, with codeword noise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-codec-'));
    const scenario = join(dir, 'tiny.json');
    writeFileSync(scenario, JSON.stringify({ name: 'tiny-csi', model: 'cost2100', environment: 'indoor', seed: 3, split: { train: 40, validation: 10, test: 10 } }));
    const r = codesign('train', '--net', 'csinet', '--cr', '16', '--scenario', scenario, '--epochs', '1', '--batch', '20', '--snr-db', '10', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Number.isFinite(doc.test.nmseDb)).toBe(true);
    expect(doc.test.rho).toBeGreaterThanOrEqual(0);
    expect(doc.test.rho).toBeLessThanOrEqual(1);
    expect(doc.codewordSnrDb).toBe(10);
    expect(doc.result.history).toHaveLength(1);
  });

  it('a codec on a MIMO scenario is a clear error', () => {
    const r = codesign('train', '--net', 'crnet', '--scenario', 'rayleigh', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--scenario: got "rayleigh"; allowed: a CSI scenario/);
  });
});
