/**
 * A fuzz pass over every command that runs quickly: fast-check draws option values (valid,
 * out of range, malformed) and broken files. Every case must end in exit 0 with a parseable
 * result, or exit 1/2 with one readable line (a file's problems: one line each) and no stack
 * trace or control bytes; and nothing outside the test's temp folder may change.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesign, type CliResult } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-fuzz-'));
const gitStatus = () => execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
let before = '';
beforeAll(() => {
  before = gitStatus();
});
afterAll(() => {
  // Nothing the fuzz ran wrote into the repository (datasets go to the ignored cache).
  expect(gitStatus()).toBe(before);
  expect(existsSync('/tmp/codesign-pwned')).toBe(false);
});

/** Sizes: small valid ones (so a valid draw finishes fast) and every kind of bad one. */
const mostly = (valid: fc.Arbitrary<string>, bad: fc.Arbitrary<string>) => fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: bad, weight: 1 });
const size = mostly(fc.constantFrom('1', '2', '3', '4', '8', '16'), fc.constantFrom('0', '-1', '1.5', '1e9', '999999999999', 'NaN', 'abc', '', ' 4', '0x10', '2.24e2', '4,4'));
/** Sizes for solvers, whose work grows fast: valid ones stay tiny. */
const small = mostly(fc.constantFrom('1', '2', '4'), fc.constantFrom('0', '-1', '1.5', '1e9', 'abc', ''));
const real = mostly(fc.constantFrom('0', '10', '-3', '0.5'), fc.constantFrom('1e-9', 'NaN', 'Infinity', 'x', '', '1e400'));
const list = mostly(fc.constantFrom('16,16,16,16', '8,8,8,8', '2,4,8,16', '1,1,1,1'), fc.constantFrom('0,8,8,8', '33,8,8,8', '8,8,8', '8,,8,8', 'a,b,c,d', '16,16,16,16,16', ''));
const name = mostly(fc.constantFrom('precoder', 'csinet', 'crnet', 'cllwcsinet', 'slpdnet'), fc.constantFrom('bogus', '', '../x'));

/** A command line: the command, then each option at most once with a drawn value. */
function line(command: readonly string[], options: Readonly<Record<string, fc.Arbitrary<string>>>, always: readonly string[] = [], required: Readonly<Record<string, fc.Arbitrary<string>>> = {}) {
  const optional = Object.entries(options).map(([flag, value]) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.tuple(fc.constant(flag), value), weight: 1 }));
  const present = Object.entries(required).map(([flag, value]) => fc.tuple(fc.constant(flag), value));
  return fc.tuple(...present, ...optional).map((chosen) => [...command, ...always, ...chosen.flatMap((c) => (c === undefined ? [] : c))]);
}

/** Exit codes seen, so a test can say the fuzz reached real work and not only refusals. */
const seen = new Map<number, number>();

/** Runs one drawn command; FUZZ_LOG names a file that gets each command line first (to find a hang). */
async function run(args: readonly string[]): Promise<CliResult> {
  if (process.env.FUZZ_LOG) appendFileSync(process.env.FUZZ_LOG, `${JSON.stringify(args)}\n`);
  return codesign(...args);
}

function checkOutcome(args: readonly string[], r: CliResult): void {
  const what = JSON.stringify(args);
  seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
  expect([0, 1, 2], what).toContain(r.code);
  // eslint-disable-next-line no-control-regex
  expect(r.stderr, what).not.toMatch(/[\u0000-\u0008\u000b-\u001f]|\n\s+at .*:\d+:\d+/);
  if (r.code === 0) {
    if (args.includes('--json')) expect(() => JSON.parse(r.stdout), what).not.toThrow();
    expect(r.stdout, what).not.toMatch(/\bNaN\b/);
    return;
  }
  expect(r.stderr, what).toMatch(/^codesign: /);
  expect(r.stdout, what).toBe('');
  // A file's problems are listed one per line under their heading; anything else is one line.
  const lines = r.stderr.trim().split('\n');
  if (lines.length > 1) expect(lines.slice(1).every((l) => l.startsWith('  ')), what).toBe(true);
}

// Seeded: the same cases every run (FUZZ_SEED draws others, for exploring by hand).
const runs = (numRuns: number) => ({ numRuns, seed: Number(process.env.FUZZ_SEED ?? 22), endOnFailure: true });

describe('fuzz: every drawn command ends cleanly', () => {
  it('energy and simulate', async () => {
    const common = { '--preset': fc.constantFrom('kasalaee2025', 'iso-area-linear', 'nope'), '--p': size };
    const precoder = { '--cout': size, '--dfcl': size, '--bits': list, '--head': fc.constantFrom('direct', 'structured', 'x'), '--activation-bits': size, '--nt': size, '--nu': size, ...common };
    const codec = { '--cr': fc.constantFrom('4', '5', '64', '0'), '--side': fc.constantFrom('encoder', 'decoder', 'both', 'x'), '--variant': fc.constantFrom('fp', 'bfc', 'q8', 'x'), ...common };
    const slp = { '--m': size, '--k': size, '--qr': real, '--variant': fc.constantFrom('dnet', 'dbnet', 'dsqtnet', 'x'), ...common };
    const baseline = { '--nt': size, '--nu': size, '--iterations': real, '--accounting': fc.constantFrom('paper', 'measured', 'x'), '--samples': fc.constantFrom('1', '3', '0'), '--snr-db': real, ...common };
    const anything = { '--net': name, '--baseline': fc.constantFrom('zf', 'wmmse', 'mmse'), ...precoder, ...codec, ...slp, ...baseline };
    const engine = {
      '--mode': fc.constantFrom('ideal', 'systolic', 'x'),
      '--dataflow': fc.constantFrom('os', 'ws', 'is', 'xs'),
      '--array': fc.constantFrom('8x8', '2x2', '0x4', '8by8'),
      '--bandwidth': fc.constantFrom('unlimited', '2', '0', '-1'),
      '--batch': size,
    };
    const workloads = (command: string, extra: Record<string, fc.Arbitrary<string>>) =>
      fc.oneof(
        line([command, '--net', 'precoder'], { ...precoder, ...extra }, ['--json']),
        line([command, '--net', 'csinet'], { ...codec, ...extra }, ['--json']),
        line([command, '--net', 'slpdnet'], { ...slp, ...extra }, ['--json']),
        line([command], { '--baseline': fc.constantFrom('zf', 'wmmse'), ...baseline, ...extra }, ['--json']),
        line([command], { ...anything, ...extra }, ['--json']),
      );
    const gemm = line(['simulate'], { '--gemm': fc.constantFrom('1,2,3', '4,0,3', '1000000000,1000000000,1000000000', 'a'), ...engine }, ['--json']);
    await fc.assert(
      fc.asyncProperty(fc.oneof(workloads('energy', {}), workloads('simulate', engine), gemm), async (args) => {
        checkOutcome(args, await run(args));
      }),
      runs(200),
    );
    // Both outcomes are exercised: drawn commands that run, and drawn commands that are refused.
    expect(seen.get(0) ?? 0).toBeGreaterThan(20);
    expect(seen.get(2) ?? 0).toBeGreaterThan(20);
  });

  it('baseline', async () => {
    await fc.assert(
      fc.asyncProperty(
        line(['baseline'], {
          '--algo': fc.constantFrom('wmmse', 'zf', 'rzf', 'rzf-ep', 'mrt', 'slp', 'svd'),
          '--nt': small,
          '--nu': small,
          '--snr-db': real,
          '--tol': real,
          '--rule': fc.constantFrom('abs', 'rel', 'x'),
          '--max-iter': small,
          '--init': fc.constantFrom('mrt', 'rzf', 'best', 'x'),
          '--seed': size,
          '--sinr-db': fc.constantFrom('0,10', '10', 'a', ''),
          '--p': size,
          '--export': fc.constantFrom(join(dir, 'b.json'), join(dir, 'no', 'such', 'b.json')),
        }, ['--json'], { '--samples': small }),
        async (args) => checkOutcome(args, await run(args)),
      ),
      runs(40),
    );
  });

  it('scenario files with drawn fields, and search, eval and export on drawn paths', async () => {
    const base = { name: 'fuzz-tiny', model: 'rayleigh', nt: 4, nu: 2, snrDb: 10, seed: 1, split: { train: 4, validation: 4, test: 6 } };
    const field = fc.constantFrom('name', 'model', 'nt', 'nu', 'snrDb', 'seed', 'split');
    const junk = fc.oneof(fc.constantFrom<unknown>('../../../../tmp/codesign-pwned/x', 'a/b', -1, 0, 1.5, 1e9, null, 'x', [], {}, { train: 1e9, validation: 1, test: 1 }), fc.integer({ min: -3, max: 12 }));
    const scenarioCase = fc.tuple(fc.array(fc.tuple(field, junk), { maxLength: 3 }), fc.constantFrom('describe', 'generate')).map(([edits, command]) => {
      const file = join(dir, `s-${Math.abs(JSON.stringify(edits).split('').reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7))}.json`);
      const doc: Record<string, unknown> = { ...base };
      for (const [k, v] of edits) doc[k] = v;
      writeFileSync(file, JSON.stringify(doc));
      return ['scenario', command, file, '--json', ...(command === 'describe' ? ['--samples', '3'] : [])];
    });
    const path = fc.constantFrom(join(dir, 'missing'), dir, join(dir, 'b.json'), '/dev/null', '');
    const otherCase = fc.oneof(
      line(['search'], { '--archs': fc.constantFrom('8x512', 'all', '8y512', ''), '--choices': fc.constantFrom('2,4', '2,2', '0,4', 'a'), '--heads': fc.constantFrom('direct', 'structured', 'x'), '--algo': fc.constantFrom('exhaustive', 'ppso', 'x'), '--budget': real, '--groups': size }, ['--quality', 'synthetic', '--db', join(dir, 'r.duckdb'), '--json']),
      line(['eval'], { '--bits': list, '--samples': size, '--preset': fc.constantFrom('kasalaee2025', 'nope'), '--choices': fc.constantFrom('2,4', '2,2') }, ['--checkpoint', join(dir, 'missing'), '--json']),
      line(['results', 'export'], { '--format': fc.constantFrom('csv', 'parquet', 'xls') }, ['--db', join(dir, 'missing.duckdb'), '--out', join(dir, 'e.csv')]),
      path.map((p) => ['eval', '--checkpoint', p, '--samples', '2']),
      path.map((p) => ['simulate', '--topology', p]),
      path.map((p) => ['search', '--experiment-file', p, '--db', join(dir, 'r2.duckdb')]),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(scenarioCase, otherCase), async (args) => checkOutcome(args, await run(args))),
      runs(90),
    );
  });
});
