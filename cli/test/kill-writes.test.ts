/**
 * A kill at any moment leaves the previous files intact (#35): each writer runs as its own
 * process with a fault point (CODESIGN_FAULT, core/files.ts) that SIGKILLs it between writing
 * and renaming — the moment a non-atomic writer would have left half a file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverSet } from '../../core/files.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'codesign-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], fault?: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'codesign.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...(fault ? { CODESIGN_FAULT: fault } : {}) } });
}

describe('single files: killed before the rename, the previous file is whole', () => {
  it.each([
    ['rates --classical', (f: string) => ['rates', '--classical', '--scenario', 'rayleigh', '--samples', '2', '--out', f]],
    ['simulate --trace', (f: string) => ['simulate', '--trace', f]],
    ['baseline --export', (f: string) => ['baseline', '--algo', 'zf', '--samples', '2', '--export', f]],
    ['export', (f: string) => ['export', '--net', 'precoder', '--cout', '2', '--dfcl', '8', '--nt', '8', '--nu', '2', '--out', f]],
  ])('%s', (name, args) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}${name === 'export' ? '.onnx' : '.json'}`);
    writeFileSync(file, 'the previous result\n');
    const killed = run(args(file), 'before-rename');
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(file, 'utf8')).toBe('the previous result\n');
    // Without the fault the same command replaces it whole.
    const done = run(args(file));
    expect(done.status, done.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toBe('the previous result\n');
  });
});

describe('scenario export: its arrays and sidecar are replaced as one set', () => {
  const out = join(dir, 'set.npy');
  const files = [out, join(dir, 'set.los.npy'), join(dir, 'set.json')];
  const snapshot = () => files.map((f) => readFileSync(f).toString('base64'));
  const leftovers = () => readdirSync(dir).filter((f) => f.startsWith('.set.'));

  it('killed between writing its files, or between renaming them: the previous set, whole', () => {
    expect(run(['scenario', 'export', 'rayleigh', '--split', 'test', '--out', out]).status).toBe(0);
    const previous = snapshot();
    // Between the temporaries: nothing renamed yet.
    expect(run(['scenario', 'export', 'rayleigh', '--split', 'validation', '--out', out], 'between-writes').signal).toBe('SIGKILL');
    expect(snapshot()).toEqual(previous);
    expect(leftovers().length).toBeGreaterThan(0);
    // Between the renames: the journal rolls the set back (every later export does this first).
    expect(run(['scenario', 'export', 'rayleigh', '--split', 'validation', '--out', out], 'between-renames').signal).toBe('SIGKILL');
    expect(recoverSet(files)).toBe(true);
    expect(snapshot()).toEqual(previous);
    // The next export completes the new set and leaves nothing behind.
    expect(run(['scenario', 'export', 'rayleigh', '--split', 'validation', '--out', out], 'between-renames').signal).toBe('SIGKILL');
    const done = run(['scenario', 'export', 'rayleigh', '--split', 'validation', '--out', out]);
    expect(done.status, done.stderr).toBe(0);
    expect((JSON.parse(readFileSync(files[2], 'utf8')) as { split: string }).split).toBe('validation');
    expect(leftovers()).toEqual([]);
  });

  it('a JSON of the user\'s own beside --out is not overwritten without --force', () => {
    const mine = join(dir, 'mine.json');
    writeFileSync(mine, '{"mine": true}\n');
    const r = run(['scenario', 'export', 'rayleigh', '--out', join(dir, 'mine.npy')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/--out: got ".*mine\.npy"; allowed: a name whose companion files are free or from an earlier export \(.*mine\.json exists and was not written by codesign scenario export\); --force replaces them$/);
    expect(readFileSync(mine, 'utf8')).toBe('{"mine": true}\n');
    expect(existsSync(join(dir, 'mine.npy'))).toBe(false);
    expect(run(['scenario', 'export', 'rayleigh', '--out', join(dir, 'mine.npy'), '--force']).status).toBe(0);
    expect(readFileSync(mine, 'utf8')).toMatch(/"writtenBy": "codesign scenario export"/);
  });
});
