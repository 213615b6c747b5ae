/**
 * The third hardening pass (#35): the doors added last — hardware files, ONNX files, bits files,
 * reproducers, Redis, output files, sizes — each reproducer of the issue ends in one line and
 * exit 2 (exit 1 for a server that is not there), or works where it should.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel, floatTensor, type Model } from '../../nets/onnx/proto.ts';
import { codesign, type CliResult } from './run.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'codesign-doors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shipped = (name: string) => JSON.parse(readFileSync(join(ROOT, 'hardware', `${name}.json`), 'utf8')) as Record<string, unknown>;
/** A copy of a shipped table with one field set (a path of keys and indices). */
function edited(name: string, path: readonly (string | number)[], value: unknown, file = `${name}-${path.join('.')}-${String(value)}.json`): string {
  const t = shipped(name);
  let o = t as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = value;
  const out = join(dir, file.replace(/[^\w.-]/g, '_'));
  writeFileSync(out, JSON.stringify(t));
  return out;
}

/** One clean line on stderr, the exit code, and no NaN, Infinity or null where a number goes. */
function oneLine(r: CliResult, code: number, message: RegExp): void {
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(message);
  expect(r.code).toBe(code);
  expect(r.stdout).not.toMatch(/NaN|Infinity|∞|null/);
}

describe('hardware files: bounded numbers, never a NaN printed', () => {
  it.each([
    ['kasalaee2025', ['mac', 'alpha_pJ'], 1e308, /mac\.alpha_pJ: got 1e\+308; allowed: a number from −1,000,000 to 1,000,000 pJ/],
    ['kasalaee2025', ['mac', 'referenceBits'], 0, /mac\.referenceBits: got 0; allowed: an integer from 1 to 64/],
    ['kasalaee2025', ['mac', 'referenceBits'], -8, /mac\.referenceBits: got -8/],
    ['kasalaee2025', ['parallelism', 'atReference'], 0, /parallelism\.atReference: got 0; allowed: an integer from 1 to 1,048,576/],
    ['kasalaee2025', ['parallelism', 'atReference'], -1, /parallelism\.atReference: got -1/],
    ['kasalaee2025', ['parallelism', 'atReference'], 1e308, /parallelism\.atReference: got 1e\+308/],
    ['kasalaee2025', ['mainMemory', 'relativeToMac'], 1e308, /mainMemory\.relativeToMac: got 1e\+308/],
    ['kasalaee2025', ['mac', 'alpha_pJ'], -1, /mac\.alpha_pJ: got -1; allowed: an energy ≥ 0 \(a negative energy cannot be priced; `codesign laws --hardware .*` says which laws it breaks\)/],
    ['horowitz-45nm', ['absolute', 'multiply', 0, 'pJ'], 1e308, /absolute\.multiply\[0\]\.pJ: got 1e\+308/],
    ['horowitz-45nm', ['absolute', 'exponent'], 1e308, /absolute\.exponent: got 1e\+308; allowed: a number from −8 to 8/],
    ['horowitz-45nm', ['absolute', 'add', 1], { bits: 8, pJ: 0.5 }, /absolute\.add\[1\]\.bits: got 8; allowed: a width not already in the table \(each width once\)/],
  ] as const)('%s %j = %j', async (name, path, value, message) => {
    const file = edited(name, path, value);
    for (const command of ['energy', 'simulate', 'search'] as const) {
      oneLine(await codesign(command, '--hardware', file, ...(command === 'search' ? ['--quality', 'synthetic'] : [])), 2, message);
    }
  });

  it('a typo in a field is one problem, not a cascade of NaN', async () => {
    const t = shipped('horowitz-45nm') as { architecture: Record<string, unknown> };
    t.architecture.rowz = t.architecture.rows;
    delete t.architecture.rows;
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify(t));
    const r = await codesign('simulate', '--hardware', file);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/2 problems\n {2}architecture\.rowz: got 16; allowed: one of the fields rows, .*\n {2}architecture\.rows: got nothing; allowed: an integer from 1 to 4,096$/);
    expect(r.stderr).not.toMatch(/NaN/);
  });

  it('fuzz: any single numeric field set to an extreme either prices finitely or is refused in one line', async () => {
    const paths = [['mac', 'alpha_pJ'], ['mac', 'beta'], ['mac', 'referenceBits'], ['mainMemory', 'relativeToMac'], ['localBuffer', 'relativeToMac'], ['offChip', 'relativeToMac'], ['parallelism', 'atReference']] as const;
    const extremes = [0, -0, -1, 1e-300, 1e308, -1e308, 0.5, 1e6, 1e7, 2 ** 31, Number.MAX_SAFE_INTEGER, '8', null, true, [], {}] as const;
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom(...extremes), async (path, value) => {
        const file = edited('kasalaee2025', path, value, `fuzz-${i++}.json`);
        const r = await codesign('energy', '--hardware', file, '--json');
        if (r.code === 0) {
          const doc = JSON.parse(r.stdout) as unknown;
          const numbers: number[] = [];
          JSON.stringify(doc, (_, v) => (typeof v === 'number' && numbers.push(v), v));
          return !/null/.test(r.stdout) && numbers.every(Number.isFinite);
        }
        return r.code === 2 && r.stderr.trim().split('\n').length === 1;
      }),
      { seed: 35, numRuns: 40 },
    );
  });
});

describe('JSON and YAML that a reader cannot walk', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  it.each([
    ['hardware', 'deep.json', `{"name":${deep(200_000)}}`, /--hardware: got ".*deep\.json"; allowed: a readable JSON hardware description \(nested deeper than 32 levels\)/],
    ['hardware', 'deep.yaml', `name: ${deep(20_000)}\n`, /--hardware: got ".*deep\.yaml"; allowed: a readable YAML hardware description \(nested deeper than 32 levels\)/],
    ['hardware', 'cycle.yaml', 'a: &x\n  b: *x\nname: x\n', /a value that contains itself \(a YAML alias inside its own anchor\)/],
    ['bits-file', 'deep-bits.json', `{"a":${deep(200_000)}}`, /--bits-file: got ".*deep-bits\.json"; allowed: a readable JSON object of layer → bits \(nested deeper than 32 levels\)/],
  ])('--%s %s', async (flag, name, text, message) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    oneLine(await codesign('energy', ...(flag === 'bits-file' ? ['--net', 'precoder'] : []), `--${flag}`, file), 2, message);
  });

  it('a value too long or too deep to print is cut, not thrown', async () => {
    const file = join(dir, 'long-name.json');
    writeFileSync(file, JSON.stringify({ ...shipped('kasalaee2025'), name: [[[['x'.repeat(10_000)]]]] }));
    const r = await codesign('energy', '--hardware', file);
    oneLine(r, 2, /name: got \[\[\[\[…\]\]\]\]; allowed: a non-empty string/);
  });
});

describe('file system errors in words', () => {
  it.each([
    [['energy', '--hardware', join(dir, 'missing.json')], /\(file\): got ".*missing\.json"; allowed: a shipped table .* or a JSON\/YAML hardware file/],
    [['energy', '--model', join(dir, 'missing.onnx')], /--model: got ".*missing\.onnx"; allowed: a readable ONNX file \(there is no such file or folder\)/],
    [['energy', '--hardware', dir], /--hardware: got ".*"; allowed: a readable JSON hardware description, a regular file \(this is a directory\)/],
    [['simulate', '--trace', dir], /--trace: got ".*"; allowed: a trace file, a new or regular file \(this is a folder, which is never replaced\)/],
    [['simulate', '--trace', '/dev/full'], /--trace: got "\/dev\/full"; allowed: a trace file, a new or regular file \(this is a device or socket, which is never replaced\)/],
    [['results', 'export', '--out', '/dev/full'], /--out: got "\/dev\/full"; allowed: the export file, a new or regular file/],
    [['baseline', '--algo', 'zf', '--export', join(dir, 'no', 'such', 'x.json')], /--export: got ".*x\.json"; allowed: the export file in an existing folder \(.*: there is no such file or folder\)/],
    [['export', '--net', 'precoder', '--out', join(dir, 'nope', 'a.onnx')], /--out: got ".*a\.onnx"; allowed: the ONNX file in an existing folder/],
  ])('%j', async (args, message) => {
    const r = await codesign(...args);
    oneLine(r, 2, message);
    expect(r.stderr).not.toMatch(/ENOENT|EISDIR|EACCES/);
  });
});

describe('accepted nonsense, refused', () => {
  it.each([
    [['search', '--quality', 'synthetic', '--archs', '0x512'], /--archs: got "0x512"; allowed: "all" or comma-separated C_outxD_FCL with 1 ≤ C_out ≤ 4096/],
    [['search', '--quality', 'synthetic', '--archs', '8x0'], /--archs: got "8x0"/],
    [['search', '--quality', 'synthetic', '--archs', '100000x100000'], /--archs: got "100000x100000"/],
    [['worker', '--redis', 'redis://127.0.0.1:1', '--checkpoints', join(ROOT, 'package.json')], /--checkpoints: got ".*package\.json"; allowed: where jobs checkpoint, a folder this process can create \(a file is in the way\)/],
    [['worker', '--redis', 'redis://127.0.0.1:1', '--checkpoints', '/proc/codesign/x'], /--checkpoints: got "\/proc\/codesign\/x"; allowed: where jobs checkpoint, a folder this process can create/],
  ])('%j', async (args, message) => oneLine(await codesign(...args), 2, message));

  it.each([
    [{ law: 'sum-of-ops', path: '0', seed: 1, runs: 0 }, /reproducer .*: runs: got 0; allowed: an integer from 1 to 100,000/],
    [{ law: 'sum-of-ops', path: '0', seed: 2 ** 40, runs: 10 }, /seed: got 1099511627776; allowed: an integer from −2147483648 to 4294967295/],
    [{ law: 'sum-of-ops', path: 'zz', seed: 1, runs: 10 }, /path: got "zz"; allowed: a fast-check path as printed/],
    [{ law: 'sum-of-ops', path: '0:0:999:5', seed: 1, runs: 100 }, /--replay: got "0:0:999:5"; allowed: a path law sum-of-ops's cases reach at seed 1 \(this one does not: the reproducer is damaged/],
  ])('laws --replay %j', async (reproducer, message) => {
    const file = join(dir, 'reproducer.json');
    writeFileSync(file, JSON.stringify(reproducer));
    oneLine(await codesign('laws', '--replay', file), 2, message);
  });

  it('a law holds on a valid two-layer dense model (was: duplicate-doubles failed, no counterexample)', async () => {
    const w = (name: string, dims: number[]) => floatTensor(name, dims, Array.from({ length: dims.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(i)));
    const m: Model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'doors test',
      graph: {
        name: 'dense-ok',
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 16 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: 1 } } }],
        initializer: [w('w1', [32, 16]), w('b1', [32]), w('w2', [4, 32]), w('b2', [4])],
        node: [
          { name: 'fc1', opType: 'Gemm', input: ['x', 'w1', 'b1'], output: ['h'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
          { name: 'relu', opType: 'Relu', input: ['h'], output: ['r'] },
          { name: 'fc2', opType: 'Gemm', input: ['r', 'w2', 'b2'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
        ],
      },
    };
    const file = join(dir, 'dense-ok.onnx');
    writeFileSync(file, encodeModel(m));
    const r = await codesign('laws', '--model', file, '--runs', '20');
    expect(r.stdout).toMatch(/duplicate-doubles\s+passed/);
    expect(r.code).toBe(0);
  });

  it('a failing law names the table entry behind it first', async () => {
    const file = edited('horowitz-45nm', ['absolute', 'add', 0], { bits: 8, pJ: -0.5 }, 'negative-add.json');
    const r = await codesign('laws', '--hardware', file, '--only', 'terms-sound', '--runs', '20');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[1]).toBe('the table itself: absolute.add[0].pJ = -0.5, but only an energy ≥ 0 can be priced — the failures below are expected to follow from it');
    expect(r.stdout).toMatch(/1 law fail \(root cause: absolute\.add\[0\]\.pJ = -0\.5/);
  });
});

describe('sizes refused up front with what they would need', () => {
  it.each([
    [['export', '--net', 'precoder', '--cout', '8', '--dfcl', '65536', '--out', join(dir, 'big.onnx')], /network: got "precoder\(cout=8,dfcl=65536,.*\)"; allowed: a network whose inference needs at most 1\.0 GiB; this one's 4,463,133,352 weights need 16\.6 GiB/],
    [['export', '--net', 'precoder', '--cout', '4096', '--dfcl', '1024', '--out', join(dir, 'big.onnx')], /allowed: a network whose inference needs at most 1\.0 GiB; this one's [\d,]+ weights need [\d.]+ GiB/],
    [['train', '--net', 'precoder', '--cout', '8', '--dfcl', '65536', '--scenario', 'rayleigh'], /allowed: a network whose training needs at most 2\.0 GiB; this one's 4,463,133,352 weights and [\d,]+ activations a sample at batch \d+ need [\d.]+ GiB/],
    [['baseline', '--algo', 'wmmse', '--nt', '4096', '--nu', '256', '--samples', '1'], /--nt: got "4096 antennas × 256 users"; allowed: a solve of at most 1e\+10 multiply-adds; WMMSE here may need 8\.6e\+11/],
    [['energy', '--baseline', 'wmmse', '--accounting', 'measured', '--nt', '4096', '--nu', '256'], /allowed: a solve of at most 1e\+10 multiply-adds/],
  ])('%j', async (args, message) => {
    const r = await codesign(...args);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
    expect(r.code).toBe(2);
  });
});

describe('Redis that is not there, or is not Redis', () => {
  let http: Server;
  let httpPort = 0;
  let closedPort = 0;
  beforeAll(async () => {
    // A port that answers like a web server, and one with nothing listening (bound, then closed).
    http = createServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  afterAll(() => http.close());

  it('a port beyond 65535 is refused before a connection', async () => {
    oneLine(await codesign('search', '--quality', 'train', '--redis', 'redis://127.0.0.1:65536'), 2, /--redis: got "redis:\/\/127\.0\.0\.1:65536"; allowed: a port from 1 to 65535/);
  });
  it('nothing listening: exit 1 in one line, and train never says it queued', async () => {
    const url = `redis://127.0.0.1:${closedPort}`;
    for (const args of [['search', '--quality', 'train', '--redis', url, '--db', join(dir, 'r.duckdb')], ['train', '--net', 'precoder', '--redis', url, '--out', join(dir, 'job')]]) {
      const r = await codesign(...args);
      oneLine(r, 1, new RegExp(`^codesign: Redis at ${url}: nothing listens on that port \\(connection refused\\)$`));
      expect(r.stderr).not.toMatch(/queued/);
    }
  });
  it('an HTTP port: exit 1, "not as Redis", never a protocol error from the client library', async () => {
    const r = await codesign('train', '--net', 'precoder', '--redis', `redis://127.0.0.1:${httpPort}`, '--out', join(dir, 'job'));
    oneLine(r, 1, /Redis at redis:\/\/127\.0\.0\.1:\d+: the port answers, but not as Redis \(its reply starts "HTTP\/1\.1 400"/);
    expect(r.stderr).not.toMatch(/Protocol error/);
  });
  it('npm run demo:cluster refuses a port something listens on, and leaves it running', () => {
    const r = spawnSync('bash', [join(ROOT, 'bench', 'cluster-demo.sh'), String(httpPort)], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`demo:cluster: port: got ${httpPort}; allowed: a free port \\(something already listens on 127\\.0\\.0\\.1:${httpPort}`));
    expect(http.listening).toBe(true);
  });
});

describe('newcomer papercuts', () => {
  it('a mistyped option is one line with its suggestion, no escaped newline', async () => {
    const r = await codesign('energy', '--bitz', '4');
    expect(r.stderr).toBe("codesign: unknown option '--bitz'; did you mean --bits?\n");
    expect(r.code).toBe(2);
  });
  it("the README's seed-002 example runs", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('npx codesign baseline --algo slp'))!;
    const r = await codesign(...line.replace('npx codesign ', '').split(' '));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  it('simulate --p 4,16 --trace traces both runs, one process each', async () => {
    const file = join(dir, 'trace.json');
    const r = await codesign('simulate', '--p', '4,16', '--trace', file);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: { pid: number; name: string; args?: { name?: string } }[]; otherData: { runs: unknown[] } };
    const processes = doc.traceEvents.filter((e) => e.name === 'process_name');
    expect(processes.map((e) => e.pid)).toEqual([1, 2]);
    expect(processes[1].args?.name).toMatch(/run 2 of 2/);
    expect(doc.otherData.runs).toHaveLength(2);
  });
  it('npx codesign --version prints the version and nothing on stderr (no npm warning)', () => {
    const r = spawnSync('npx', ['codesign', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
