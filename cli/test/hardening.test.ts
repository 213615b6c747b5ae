/**
 * The findings of the fuzz pass (issue #22), one test each: every one failed before its fix.
 * Every case ends in exit 0 with what was asked, or exit 2 naming the field, before any work
 * and without touching a stored result or a file outside its folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { cachePath, DEFAULT_CACHE_DIR } from '../../scenarios/dataset.ts';
import { loadScenario } from '../../scenarios/schema.ts';
import { codesign } from './run.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'codesign-hard-'));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const oneLine = (stderr: string) => stderr.trim().split('\n').length === 1;

/** A tiny MIMO scenario file: quick to generate and to train on. */
function tinyScenario(dir: string, name = 'tiny-hard'): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, model: 'rayleigh', nt: 8, nu: 2, snrDb: 10, seed: 5, split: { train: 60, validation: 20, test: 20 } }));
  return file;
}

async function trainTiny(dir: string, out: string, ...extra: string[]) {
  return codesign('train', '--scenario', tinyScenario(dir), '--cout', '4', '--dfcl', '16', '--bits', '8,8,8,8', '--epochs', '1', '--batch', '20', '--backend', 'wasm', '--out', out, ...extra);
}

describe('1. names from files never leave their folder', () => {
  it.each([['../../../../tmp/codesign-pwned/PWNED'], ['sub/dir/x'], ['..'], ['.hidden']])('a scenario named %j is refused, naming the field', async (name) => {
    const dir = temp();
    const file = join(dir, 'evil.json');
    writeFileSync(file, JSON.stringify({ name, model: 'rayleigh', nt: 4, nu: 2, snrDb: 10, seed: 1, split: { train: 2, validation: 2, test: 2 } }));
    const r = await codesign('scenario', 'generate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/(\n {2}|: )name: got .*allowed: a name matching/);
    expect(existsSync('/tmp/codesign-pwned')).toBe(false);
  });

  it('every cache path resolves inside the cache folder, whatever the caller passes', () => {
    const forged = { ...loadScenario('rayleigh'), name: '../../escape' };
    expect(() => cachePath(forged, 'test')).toThrow(/name: got "\.\.\/\.\.\/escape"; allowed: a name that keeps the cache file inside/);
    expect(dirname(cachePath(loadScenario('rayleigh'), 'test'))).toBe(resolve(DEFAULT_CACHE_DIR));
  });
});

describe('2. a typo never replaces a result with less', () => {
  it('export from a store that does not exist is an error naming the stores nearby; the old export is kept', async () => {
    const dir = temp();
    const db = join(dir, 'results.duckdb');
    expect((await codesign('search', '--db', db, '--archs', '8x512', '--quality', 'synthetic', '--json')).code).toBe(0);
    const csv = join(dir, 'results.csv');
    expect((await codesign('results', 'export', '--db', db, '--out', csv)).stdout).toMatch(/exported 256 points/);
    const before = sha(csv);
    const storeBefore = sha(db);
    const typo = await codesign('results', 'export', '--db', join(dir, 'resluts.duckdb'), '--out', csv);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--db: got ".*resluts\.duckdb"; no results store there; allowed: an existing store \(in .*: results\.duckdb\)/);
    expect(existsSync(join(dir, 'resluts.duckdb'))).toBe(false);
    expect(sha(csv)).toBe(before);
    // Exporting reads the store and leaves it byte-identical; a failed export leaves no temp file.
    expect((await codesign('results', 'export', '--db', db, '--out', join(dir, 'again.csv'))).code).toBe(0);
    expect(sha(db)).toBe(storeBefore);
    expect((await codesign('results', 'export', '--db', db, '--out', join(dir, 'no', 'such', 'x.csv'))).stderr).toMatch(/--out: .*allowed: the export file in an existing folder/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('3–4. every checkpoint byte is checked; a broken checkpoint is reported, never overwritten', () => {
  it('an edited or bit-flipped model.json is refused; a missing file is named; train keeps the old weights unless --restart', async () => {
    const dir = temp();
    const out = join(dir, 'run');
    const trained = await trainTiny(dir, out);
    expect(trained.code, trained.stderr).toBe(0);
    const scenario = join(dir, 'tiny-hard.json');
    expect((await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10')).code).toBe(0);

    const model = join(out, 'best', 'latest', 'model.json');
    const original = readFileSync(model, 'utf8');
    writeFileSync(model, original.replace('"weightBits":8', '"weightBits":2'));
    let r = await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.json: checksum mismatch/);
    const flipped = Buffer.from(original);
    flipped[40] ^= 0x04;
    writeFileSync(model, flipped);
    expect((await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10')).stderr).toMatch(/model\.json: (checksum mismatch|unreadable)/);
    writeFileSync(model, '{}');
    expect((await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10')).stderr).toMatch(/model\.json: format \(none\); allowed: a model\.json written by codesign train/);

    // best/ lost its model.json: named, no silent fallback to latest/.
    rmSync(model);
    r = await codesign('eval', '--checkpoint', out, '--scenario', scenario, '--samples', '10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/best\/latest\/model\.json: missing \(weights\.bin is there\)/);

    // The run's latest/ lost its model.json: train refuses to start over on top of its weights.
    const weights = join(out, 'latest', 'weights.bin');
    const kept = sha(weights);
    rmSync(join(out, 'latest', 'model.json'));
    r = await trainTiny(dir, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/latest\/model\.json: missing .*add --restart/);
    expect(sha(weights)).toBe(kept);
    r = await trainTiny(dir, out, '--restart');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'latest', 'model.json'))).toBe(true);
  });

  it('a run directory is locked against a second training, and a file or unwritable path is refused before any work', async () => {
    const dir = temp();
    const out = join(dir, 'run');
    mkdirSync(out);
    // A live process (the test runner's parent) holds the lock.
    writeFileSync(join(out, '.codesign-train.lock'), String(process.ppid));
    let r = await trainTiny(dir, out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--out: .*another training \\(process ${process.ppid}\\) is writing there`));
    // A stale lock (a process that is gone) is taken over.
    writeFileSync(join(out, '.codesign-train.lock'), '999999999');
    expect((await trainTiny(dir, out)).code).toBe(0);
    expect(existsSync(join(out, '.codesign-train.lock'))).toBe(false);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    r = await trainTiny(dir, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: .*allowed: a directory \(this is a file\)/);
  });
});

describe('5. sizes that would exhaust time or memory are refused before the work', () => {
  it.each([
    [['simulate', '--cout', '1000000'], /--cout: got 1000000; allowed: a positive integer ≤ 4096/],
    [['simulate', '--gemm', '1000000000,1000000000,1000000000'], /workload: got ".* folds on a 8×8 array"; allowed: at most 10,000,000 folds/],
    [['simulate', '--cout', '4096', '--dfcl', '65536'], /--dfcl: .*would need \d+ GB in float32/],
    [['baseline', '--nu', '1000000'], /--nu: got 1000000; allowed: a positive integer ≤ 256/],
    [['baseline', '--nt', '4096', '--nu', '256', '--samples', '1000'], /--samples: .*would need 31\.3 GB/],
  ])('%j', async (args, message) => {
    const r = await codesign(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it('a topology row past the limits, or written in hex or exponent form, is refused naming line and field', async () => {
    const dir = temp();
    const rows: [string, RegExp][] = [
      ['fc, 1000000000, 1000000000, 1000000000,', /workload: .*folds/],
      ['fc, 1000000000000000, 8, 8,', /line 2, field m: got "1000000000000000"; allowed: a positive decimal integer ≤ 2147483647/],
      ['fc, 0xE0, 8, 8,', /line 2, field m: got "0xE0"/],
      ['fc, 8, 2.24e2, 8,', /line 2, field n: got "2\.24e2"/],
    ];
    for (const [row, message] of rows) {
      const file = join(dir, 'topo.csv');
      writeFileSync(file, `Layer Name, M, N, K,\n${row}\n`);
      const r = await codesign('simulate', '--topology', file);
      expect(r.code, row).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('a scenario whose splits or site would exhaust memory or time names the field before generating', async () => {
    const dir = temp();
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ name: 'big', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 1, split: { train: 10, validation: 10, test: 1e9 } }));
    let r = await codesign('scenario', 'generate', big);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/split\.test: got 1000000000; allowed: at most 1,000,000 samples/);
    expect(r.stderr).toMatch(/split: got 1000000020; allowed: splits that fit in 4 GB; .* would need \d+\.\d GB/);
    const site = JSON.parse(readFileSync(new URL('../../scenarios/named/udem-nlos.json', import.meta.url), 'utf8'));
    site.name = 'fine-rings';
    site.site.rings.step_m = 1e-9;
    const fine = join(dir, 'fine.json');
    writeFileSync(fine, JSON.stringify(site));
    r = await codesign('scenario', 'generate', fine);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/site\.rings\.step_m: got 1e-9; allowed: a step giving at most 200,000 candidate positions/);
  });
});

describe('6. every option is checked before the work, and none is ignored', () => {
  it.each([
    [['train', '--lr-decay', 'abc'], /--lr-decay: got "abc"/],
    [['eval', '--checkpoint', 'none', '--snr-db', 'a'], /--snr-db: got "a"; allowed: a finite number/],
    [['eval', '--checkpoint', 'none', '--snr-db', '10'], /--snr-db: .*only for a codec checkpoint/],
    [['eval', '--checkpoint', 'none', '--preset', 'bogus'], /--preset: got "bogus"/],
    [['energy', '--p', '1.5'], /--p: got "1\.5"; allowed: a positive integer/],
    [['search', '--choices', '2,2,2', '--quality', 'synthetic'], /--choices: got "2,2,2"; allowed: distinct bit widths/],
    // Under a synthetic rate the scenario sets the precoders' size: an unknown one is named before any work.
    [['search', '--quality', 'synthetic', '--scenario', 'bogus'], /scenario bogus: \(file\): got "bogus"; allowed: a named scenario/],
    [['energy', '--variant', 'q8'], /--variant: got "q8"; allowed: only with a CSI codec or --net slpdnet/],
    [['start', '--deterministic'], /--deterministic: .*only with --json/],
    [['train', '--restart'], /--restart: .*only with --out/],
    [['start', '--no-report', '--scenario', 'okapark-los'], /--scenario: .*only with the report/],
    [['laws', '--replay', 'r.json', '--runs', '5'], /--runs: .*not with --replay/],
    [['search', '--experiment-file', 'e.json', '--archs', '8x512'], /--archs: .*not with --experiment-file/],
    [['search', '--quality', 'synthetic', '--seed', '3'], /--seed: .*only with --algo ppso or gcpso, or --quality train/],
    [['search', '--quality', 'synthetic', '--algo', 'ppso', '--budget', '10', '--throttle-ms', '5'], /--throttle-ms: .*only with --algo exhaustive/],
  ])('%j', async (args, message) => {
    const r = await codesign(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('eval --bits on a checkpoint trained at other bits is refused (only a supernet evaluates other bits)', async () => {
    const dir = temp();
    const out = join(dir, 'run');
    expect((await trainTiny(dir, out)).code).toBe(0);
    const r = await codesign('eval', '--checkpoint', out, '--scenario', join(dir, 'tiny-hard.json'), '--bits', '4,4,4,4', '--samples', '10');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bits: got "4,4,4,4"; allowed: 8,8,8,8 \(.* was trained at those bits/);
  });

  it('start --json writes the report it is asked for and says where', async () => {
    const out = join(temp(), 'report');
    const r = await codesign('start', '--json', '--deterministic', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.report.index).toBe(join(resolve(out), 'index.html'));
    expect(existsSync(doc.report.index)).toBe(true);
    expect(doc.timing).toBeUndefined();
  });
});

describe('7. messages name the file or option, never a library’s internals', () => {
  it('a precoder checkpoint on a CSI scenario is refused by its input shape', async () => {
    const dir = temp();
    const out = join(dir, 'run');
    expect((await trainTiny(dir, out)).code).toBe(0);
    const r = await codesign('eval', '--checkpoint', out, '--scenario', 'cost2100-indoor', '--samples', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--checkpoint: .*reads \[2×8×2\] inputs; allowed: a network for cost2100-indoor's \[2×32×32\] CSI images/);
    expect(r.stderr).not.toMatch(/matMul|inner shapes/);
  });

  it('a foreign or truncated store, a cache path that is a directory, a binary file: one readable line each', async () => {
    const dir = temp();
    const foreign = join(dir, 'foreign.duckdb');
    const instance = await DuckDBInstance.create(foreign);
    const c = await instance.connect();
    await c.run("CREATE TABLE codesign_meta (format VARCHAR); INSERT INTO codesign_meta VALUES ('codesign-results-2'); CREATE TABLE points (x INTEGER)");
    c.closeSync();
    instance.closeSync();
    const before = sha(foreign);
    let r = await codesign('results', 'export', '--db', foreign, '--out', join(dir, 'x.csv'));
    expect(r.stderr).toMatch(/--db: .*its points table lacks hash, experiment/);
    expect(sha(foreign)).toBe(before);

    const good = join(dir, 'good.duckdb');
    expect((await codesign('search', '--db', good, '--archs', '8x512', '--quality', 'synthetic', '--json')).code).toBe(0);
    const bytes = readFileSync(good);
    const truncated = join(dir, 'truncated.duckdb');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    r = await codesign('results', 'export', '--db', truncated, '--out', join(dir, 'y.csv'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/--db: .*could not be (opened|read) as one/);

    const scenario = tinyScenario(dir, 'cache-dir-hard');
    const blocked = cachePath(loadScenario(scenario), 'test');
    mkdirSync(blocked, { recursive: true });
    try {
      r = await codesign('scenario', 'generate', scenario);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cache: got ".*"; allowed: a cache file path; a directory is in its place/);
    } finally {
      rmSync(blocked, { recursive: true });
    }

    const binary = join(dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0x0f, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x00, 0xff]));
    r = await codesign('search', '--experiment-file', binary, '--db', join(dir, 'z.duckdb'));
    expect(r.code).toBe(2);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stderr).toMatch(/\\u001b/);
  });
});

describe('8. same seed, same bytes', () => {
  it('seeded JSON outputs leave timing out under --deterministic', async () => {
    const a = await codesign('baseline', '--algo', 'slp', '--nt', '4', '--nu', '2', '--samples', '5', '--json', '--deterministic');
    const b = await codesign('baseline', '--algo', 'slp', '--nt', '4', '--nu', '2', '--samples', '5', '--json', '--deterministic');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).timing).toBeUndefined();
    expect(JSON.parse((await codesign('baseline', '--algo', 'slp', '--nt', '4', '--nu', '2', '--samples', '5', '--json')).stdout).timing.msPerSolve).toBeGreaterThan(0);
  });
});
