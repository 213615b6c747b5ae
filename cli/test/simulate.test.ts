import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';
import { REFERENCE_DIR } from '../../test/reference.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-sim-'));

describe('codesign simulate', () => {
  it('--json has the documented shape; ideal mode equals the closed form', async () => {
    const r = await codesign('simulate', '--net', 'precoder', '--cout', '8', '--dfcl', '64', '--nt', '8', '--nu', '2', '--mode', 'ideal', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const k of ['cycles', 'stallCycles', 'utilization', 'localBuffer', 'mainMemory', 'energy_uJ', 'ops']) expect(doc).toHaveProperty(k);
    expect(Object.keys(doc.localBuffer)).toEqual(['ifmapReads', 'weightReads', 'outputWrites']);
    expect(doc.energy_uJ.total).toBeCloseTo(doc.closedForm_uJ.total, 12);
    const energy = JSON.parse((await codesign('energy', '--net', 'precoder', '--cout', '8', '--dfcl', '64', '--nt', '8', '--nu', '2', '--json')).stdout);
    expect(doc.energy_uJ.total).toBeCloseTo(energy.energy_uJ.total, 12);
  });

  it('runs a SCALE-Sim topology file and a bare GEMM, and sweeps p', async () => {
    const topo = JSON.parse((await codesign('simulate', '--topology', join(REFERENCE_DIR, 'scalesim/resnet18-topology.csv'), '--array', '32x32', '--json')).stdout);
    expect(topo.ops).toHaveLength(21);
    expect(topo.cycles).toBe(topo.ops.reduce((s: number, o: { cycles: number }) => s + o.cycles, 0));
    const gemm = JSON.parse((await codesign('simulate', '--gemm', '1,512,1024', '--array', '8x8', '--dataflow', 'os', '--json')).stdout);
    expect(gemm.ops[0].scaleSimCycles).toBe(66431);
    const sweep = JSON.parse((await codesign('simulate', '--net', 'precoder', '--cout', '8', '--dfcl', '64', '--p', '4,16,64', '--json')).stdout);
    expect(sweep.sweep.map((s: { p: number }) => s.p)).toEqual([4, 16, 64]);
    for (const s of sweep.sweep) expect(s.energyDelayProduct_uJ_us).toBeGreaterThan(0);
  });

  it('sweeps dataflows × batches × p in one run; each row equals its single run', async () => {
    const sweep = JSON.parse((await codesign('simulate', '--net', 'precoder', '--cout', '8', '--dfcl', '64', '--dataflow', 'ws,os', '--batch', '1,4', '--p', '16,64', '--json')).stdout);
    expect(sweep.sweep.map((s: { dataflow: string; batch: number; p: number }) => `${s.dataflow}/${s.batch}/${s.p}`)).toEqual(['ws/1/16', 'ws/1/64', 'ws/4/16', 'ws/4/64', 'os/1/16', 'os/1/64', 'os/4/16', 'os/4/64']);
    const single = JSON.parse((await codesign('simulate', '--net', 'precoder', '--cout', '8', '--dfcl', '64', '--dataflow', 'os', '--batch', '4', '--p', '64', '--json')).stdout);
    expect(sweep.sweep[7].cycles).toBe(single.cycles);
    expect(sweep.sweep[7].energy_uJ).toEqual(single.energy_uJ);
  });

  it('--trace writes valid Chrome trace-event JSON with named tracks', async () => {
    const file = join(dir, 'trace.json');
    const r = await codesign('simulate', '--net', 'precoder', '--cout', '8', '--dfcl', '32', '--nt', '4', '--nu', '2', '--array', '4x4', '--bandwidth', '2', '--trace', file);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    const names = new Map<number, string>();
    for (const e of doc.traceEvents) if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, e.args.name);
    expect([...names.values()]).toEqual(expect.arrayContaining(['MAC array', 'vector unit']));
    const spans = doc.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    expect(spans.length).toBeGreaterThan(10);
    for (const e of spans) {
      expect(typeof e.ts).toBe('number');
      expect(e.dur).toBeGreaterThanOrEqual(0);
      expect(names.has(e.tid)).toBe(true);
      expect(typeof e.name).toBe('string');
    }
  });

  it.each([
    [['--array', '8x8', '--p', '32'], /--p: got "32"; allowed: p = R·C = 64/],
    [['--bandwidth', '0'], /--bandwidth: got "0"; allowed: a finite number > 0/],
    [['--bandwidth', '-2'], /--bandwidth/],
    [['--batch', '0'], /--batch: got "0"/],
    [['--gemm', '4,0,3'], /--gemm/],
    [['--dataflow', 'xs'], /--dataflow/],
    [['--array', '8by8'], /--array: got "8by8"/],
    [['--topology', '/nonexistent/file.csv'], /--topology: got "\/nonexistent\/file.csv"/],
    [['--gemm', '1,2,3', '--net', 'precoder'], /allowed: one of --net, --baseline, --gemm, --topology/],
  ])('bad input %j: one clear line, exit 2', async (args, message) => {
    const r = await codesign('simulate', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a malformed topology file names the line and field', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'Layer Name, M, N, K,\nfc, 1, x, 3,\n');
    const r = await codesign('simulate', '--topology', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 2, field n: got "x"/);
  });
});
