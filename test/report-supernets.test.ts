import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './cli-helpers.ts';

describe('codesign report --supernets', () => {
  it('rates the DNN points with trained supernets, one per architecture directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-supernets-'));
    const scenario = join(dir, 'tiny.json');
    writeFileSync(scenario, JSON.stringify({ name: 'tiny64', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 3, split: { train: 100, validation: 40, test: 60 } }));
    const trained = codesign('train', '--scenario', scenario, '--cout', '8', '--dfcl', '512', '--supernet', '--epochs', '1', '--batch', '50', '--out', join(dir, 'nets', '8x512'), '--backend', 'wasm');
    expect(trained.code, trained.stderr).toBe(0);
    mkdirSync(join(dir, 'nets', 'notes')); // not an architecture: ignored

    const out = join(dir, 'report');
    const r = codesign('report', '--scenario', scenario, '--quick', '--supernets', join(dir, 'nets'), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.points).toBe(256);
    expect(summary.quality).toMatch(/^supernets\(.*8x512; 60 test samples\)$/);
    expect(summary.bestEfficiency.arch).toBe('8/512');
    // Real ratings: each configuration is the supernet at its bits, so the rates differ.
    const csv = join(dir, 'points.csv');
    expect(codesign('results', 'export', '--db', join(out, 'results.duckdb'), '--out', csv).code).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^hash,experiment,cout,dfcl,bits,preset,energy_uJ,sum_rate,/);
    const rates = lines.slice(1).map((line) => Number(/^[^,]+,[^,]+,\d+,\d+,"[^"]*",[^,]+,[^,]+,([^,]+),/.exec(line)![1]));
    expect(rates).toHaveLength(256);
    expect(rates.every((x) => x > 0 && Number.isFinite(x))).toBe(true);
    expect(new Set(rates).size).toBeGreaterThan(50);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toMatch(/--supernets /);
    expect(md).not.toMatch(/seeded stand-in/);
  });

  it('names the option when the directory holds no supernet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-supernets-'));
    const r = codesign('report', '--quick', '--supernets', dir, '--out', join(dir, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--supernets: got ".*"; no checkpoint found; allowed: a directory holding <C_out>x<D_FCL>\//);
  });
});
