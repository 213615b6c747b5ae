import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'hardware');
const SHIPPED = ['kasalaee2025', 'kasalaee-per-operand', 'iso-area-linear', 'horowitz-45nm', 'zigzag-tpu-like', 'bitfusion-45nm'];

describe('--hardware', () => {
  it.each(SHIPPED)('%s on energy and simulate', async (name) => {
    const energy = await codesign('energy', '--hardware', name, '--net', 'precoder', '--cout', '8', '--dfcl', '32', '--nt', '4', '--nu', '2', '--json');
    expect(energy.code, energy.stderr).toBe(0);
    expect(JSON.parse(energy.stdout).preset).toBe(name);
    const sim = await codesign('simulate', '--hardware', name, '--gemm', '32,16,64', '--json');
    expect(sim.code, sim.stderr).toBe(0);
    const doc = JSON.parse(sim.stdout);
    expect(doc.preset).toBe(name);
    expect(doc.clockMHz).toBeGreaterThan(0);
    expect(doc.time_us).toBeCloseTo(doc.cycles / doc.clockMHz, 12);
  });

  it('report --hardware takes a YAML file as search and simulate do (was: resolved by its name as a --preset)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'codesign-report-yaml-'));
    try {
      const r = await codesign('report', '--quick', '--hardware', join(FIXTURES, 'small-array.yaml'), '--out', out);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { preset: string; machine: string };
      expect(summary.preset).toBe('small-array');
      expect(summary.machine).toMatch(/^8×8 WS array, 4 words\/cycle, 500 MHz, .* — the architecture in small-array's file$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('a file’s machine is what simulate runs; a typed flag replaces one field', async () => {
    const file = join(FIXTURES, 'small-array.yaml');
    const doc = JSON.parse((await codesign('simulate', '--hardware', file, '--gemm', '64,32,64', '--json')).stdout);
    expect(doc.array).toEqual({ rows: 8, cols: 8, p: 64 });
    expect(doc.dataflow).toBe('ws');
    expect(doc.bandwidth).toBe(4);
    expect(doc.clockMHz).toBe(500);
    expect(doc.memory.localBufferWords).toEqual({ ifmap: 2048, filter: 2048, output: 2048 });
    expect(doc.memory.model).toBe('streaming buffers (FIFO, partial sums on chip)');
    const wider = JSON.parse((await codesign('simulate', '--hardware', file, '--gemm', '64,32,64', '--bandwidth', '16', '--json')).stdout);
    expect(wider.bandwidth).toBe(16);
    expect(wider.array).toEqual(doc.array);
    expect(wider.cycles).toBeLessThanOrEqual(doc.cycles);
  });

  it.each([
    ['missing-size', /architecture\.localBuffersKB\.filter: got nothing/],
    ['negative-size', /architecture\.localBuffersKB\.ifmap: got -8/],
    ['zero-bandwidth', /architecture\.bandwidthWordsPerCycle: got 0/],
    ['unknown-field', /architecture\.clockGHz: got 1; allowed: one of the fields/],
    ['tiny-buffer', /architecture\.localBuffersKB\.output: got 0\.0078125/],
    ['zero-word', /architecture\.wordBits: got 0/],
  ])('bad file %s: exit 2, the field named, nothing simulated', async (name, message) => {
    for (const command of ['simulate', 'energy']) {
      const r = await codesign(command, '--hardware', join(FIXTURES, `${name}.json`), '--net', 'precoder', '--cout', '8', '--dfcl', '32', '--nt', '4', '--nu', '2');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses --preset with --hardware, and an unknown name', async () => {
    const both = await codesign('energy', '--preset', 'kasalaee2025', '--hardware', 'horowitz-45nm');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--preset: got "kasalaee2025"; allowed: not with --hardware horowitz-45nm/);
    const unknown = await codesign('simulate', '--hardware', 'tpu-v9', '--gemm', '8,8,8');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/allowed: a shipped table \(kasalaee2025, .*zigzag-tpu-like, bitfusion-45nm\) or a JSON\/YAML hardware file/);
  });

  it('presets lists the shipped tables with their form and machine', async () => {
    const r = await codesign('presets');
    for (const name of SHIPPED) expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/horowitz-45nm\s+absolute\s+0\.230/);
  });
});
