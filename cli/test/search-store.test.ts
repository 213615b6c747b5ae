import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ResultsStore } from '../../search/store.ts';
import { codesign } from './run.ts';

const BIN = fileURLToPath(new URL('../../bin/codesign.js', import.meta.url));

async function storedCount(db: string): Promise<number> {
  const store = await ResultsStore.open(db, 'read');
  try {
    return (await store.hashes()).size;
  } finally {
    store.close();
  }
}

describe('codesign search and the results store', () => {
  it('a search killed midway resumes without redoing stored points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const db = join(dir, 'results.duckdb');
    const child = spawn(process.execPath, [BIN, 'search', '--db', db, '--archs', '8x512', '--quality', 'synthetic', '--throttle-ms', '30', '--progress', '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Killed once it has stored some points (its own progress line says so), whatever the machine's speed.
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        if (/\b(3[2-9]|[4-9]\d|1\d\d)\/256 points stored/.test(chunk.toString())) resolve();
      });
      child.on('exit', () => resolve());
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const before = await storedCount(db);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(256);
    const r = await codesign('search', '--db', db, '--archs', '8x512', '--quality', 'synthetic', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.total).toBe(256);
    expect(doc.reused).toBe(before);
    expect(doc.evaluated).toBe(256 - before);
    expect(await storedCount(db)).toBe(256);
  });

  it('an option of another quality source is refused, naming it', async () => {
    const r = await codesign('search', '--archs', '8x512', '--samples', '100');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--samples: got "100"; allowed: only with --quality train or supernet or checkpoint \(--quality table rates without it: the table says its own test samples\)/);
    expect((await codesign('search', '--quality', 'synthetic', '--epochs', '3')).stderr).toMatch(/--epochs: got "3"; allowed: only with --quality train/);
  });

  it('exports CSV and Parquet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const db = join(dir, 'results.duckdb');
    expect((await codesign('search', '--db', db, '--archs', '8x512', '--quality', 'synthetic', '--json')).code).toBe(0);
    expect((await codesign('results', 'export', '--db', db, '--format', 'csv', '--out', join(dir, 'r.csv'))).stdout).toMatch(/exported 256 points/);
    const csv = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^hash,experiment,head,cout,dfcl,bits,preset,energy_uJ,sum_rate,efficiency,quality,config/);
    expect(csv[1]).toMatch(/^[0-9a-f]+,default,direct,8,512,/);
    expect(csv).toHaveLength(257);
    expect((await codesign('results', 'export', '--db', db, '--format', 'parquet', '--out', join(dir, 'r.parquet'))).code).toBe(0);
    expect(existsSync(join(dir, 'r.parquet'))).toBe(true);
  });

  it('a corrupted or foreign database is reported clearly and left untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const bad = join(dir, 'bad.duckdb');
    writeFileSync(bad, 'not a database at all');
    const r = await codesign('search', '--db', bad, '--archs', '8x512', '--quality', 'synthetic');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--db: got ".*bad\.duckdb"; allowed: a codesign results database or a new path; this file could not be opened as one \(.*not a valid DuckDB database/);
    expect(readFileSync(bad, 'utf8')).toBe('not a database at all');
    const foreign = join(dir, 'foreign.duckdb');
    const inst = await DuckDBInstance.create(foreign);
    const c = await inst.connect();
    await c.run('CREATE TABLE invoices (id INTEGER)');
    c.closeSync();
    inst.closeSync();
    const f = await codesign('search', '--db', foreign, '--archs', '8x512', '--quality', 'synthetic');
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/allowed: a database written by codesign .*this one holds other tables \(invoices\)/);
  });

  it('PSO from the command line rates through the store: a rerun needs no new evaluations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const db = join(dir, 'results.duckdb');
    const first = JSON.parse((await codesign('search', '--db', db, '--archs', '64x1024', '--algo', 'gcpso', '--budget', '15', '--quality', 'synthetic', '--json')).stdout);
    expect(first.bits).toHaveLength(4);
    expect(first.evaluation.cost).toBeLessThanOrEqual(15);
    expect(first.freshEvaluations).toBe(first.qualityEvaluations);
    expect(first.qualityEvaluations).toBeLessThan(256);
    const again = JSON.parse((await codesign('search', '--db', db, '--archs', '64x1024', '--algo', 'gcpso', '--budget', '15', '--quality', 'synthetic', '--json')).stdout);
    expect(again.bits).toEqual(first.bits);
    expect(again.freshEvaluations).toBe(0);
    const target = JSON.parse((await codesign('search', '--db', db, '--archs', '64x1024', '--algo', 'ppso', '--target', '17.5', '--quality', 'synthetic', '--json')).stdout);
    expect(target.evaluation.quality).toBeGreaterThanOrEqual(17.5);
    const bad = await codesign('search', '--db', db, '--archs', '64x1024', '--algo', 'ppso', '--quality', 'synthetic');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/exactly one of --budget .* or --target/);
  });

  it('--quality train runs dedicated trainings on the worker pool; the coordinator stores each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const scenario = join(dir, 'tiny64.json');
    writeFileSync(scenario, JSON.stringify({ name: 'tiny64', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 2, split: { train: 32, validation: 8, test: 8 } }));
    const db = join(dir, 'results.duckdb');
    const args = ['search', '--db', db, '--archs', '8x512', '--choices', '2,16', '--quality', 'train', '--scenario', scenario, '--epochs', '1', '--batch', '16', '--samples', '8', '--threads', '2', '--json'];
    const first = await codesign(...args);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({ total: 16, reused: 0, evaluated: 16 });
    for (const p of doc.front) {
      expect(p.quality).toMatch(/^train\(/);
      expect(p.sumRate).toBeGreaterThan(0);
    }
    expect(JSON.parse((await codesign(...args)).stdout)).toMatchObject({ total: 16, reused: 16, evaluated: 0 });
  }, 120_000);

  it('an experiment file declares the space; a bad one lists every problem with its field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codesign-search-'));
    const good = join(dir, 'exp.json');
    writeFileSync(good, JSON.stringify({ name: 'mine', archs: [{ cout: 8, dfcl: 512 }], bitChoices: [4, 16], preset: 'kasalaee2025', quality: { source: 'synthetic', seed: 3 } }));
    const r = await codesign('search', '--db', join(dir, 'r.duckdb'), '--experiment-file', good, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ total: 16, evaluated: 16 });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: '', archs: [{ cout: 0, dfcl: 512 }], bitChoices: [1], preset: 'nope', quality: { source: 'magic' } }));
    const b = await codesign('search', '--db', join(dir, 'r.duckdb'), '--experiment-file', bad);
    expect(b.code).toBe(2);
    for (const field of ['name', 'archs[0].cout', 'bitChoices', 'preset', 'quality.source']) expect(b.stderr).toContain(`  ${field}: got`);
    expect(b.stderr).toMatch(/experiment .*bad\.json: 5 problems/);
  });
});
