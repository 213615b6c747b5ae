import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';
import { published } from '../../test/reference.ts';

describe('codesign energy', () => {
  it('--json prints exactly one JSON document of the documented shape, near Table I', async () => {
    const r = await codesign('energy', '--net', 'precoder', '--cout', '64', '--dfcl', '1024', '--bits', '16,16,16,16', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc.energy_uJ).sort()).toEqual(['activation', 'compute', 'total', 'weight']);
    expect(Object.keys(doc.totals)).toEqual(expect.arrayContaining(['macs', 'weights', 'activations']));
    for (const op of doc.ops) expect(op).toMatchObject({ name: expect.any(String), kind: expect.any(String), macs: expect.any(Number), weights: expect.any(Number), activations: expect.any(Number), energy_uJ: { total: expect.any(Number) } });
    const sum = doc.ops.reduce((s: number, op: { energy_uJ: { total: number } }) => s + op.energy_uJ.total, 0);
    expect(sum).toBeCloseTo(doc.energy_uJ.total, 9);
    const paper = published.kasalaee_precoder.table1[1].energy_uJ;
    expect(Math.abs(doc.energy_uJ.total - paper) / paper).toBeLessThan(0.1);
  });

  it('prices the baselines with the paper’s counts', async () => {
    const zf = JSON.parse((await codesign('energy', '--baseline', 'zf', '--nt', '64', '--nu', '4', '--json')).stdout);
    expect(Math.abs(zf.energy_uJ.total - 0.008) / 0.008).toBeLessThan(0.05);
    const w = JSON.parse((await codesign('energy', '--baseline', 'wmmse', '--nt', '64', '--nu', '4', '--iterations', '92.8', '--json')).stdout);
    expect(Math.abs(w.energy_uJ.total - 296) / 296).toBeLessThan(0.15);
  });

  it('prints a per-op table by default', async () => {
    const r = await codesign('energy', '--bits', '8,8,8,8', '--preset', 'iso-area-linear');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fc1\s+dense\s+8\/16/);
    expect(r.stdout).toMatch(/E_C µJ/);
  });

  it.each([
    [['--net', 'foo'], /--net/],
    [['--preset', 'nope'], /preset: got "nope"; allowed: kasalaee2025/],
    [['--bits', '16,16,0,16'], /--bits: got "16,16,0,16"; allowed: comma-separated positive integers ≤ 32/],
    [['--bits', '16,16,16'], /--bits: .*exactly 4/],
    [['--bits', '64,16,16,16'], /--bits/],
    [['--cout', '2.5'], /--cout: got "2.5"; allowed: a positive integer/],
    [['--nt', '-4'], /--nt: got "-4"/],
    [['--p', '0'], /--p: got "0"; allowed: a positive integer/],
    [['--p', '1.5'], /--p: got "1.5"; allowed: a positive integer/],
    [['--baseline', 'wmmse', '--iterations', 'NaN'], /--iterations: got "NaN"/],
    [['--baseline', 'zf', '--net', 'precoder'], /either --net or --baseline/],
  ])('bad input %j: one clear line, exit 2, no stack trace', async (args, message) => {
    const r = await codesign('energy', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stdout).toBe('');
  });
});

describe('codesign CLI', () => {
  it.each([[[]], [['energy']], [['start']], [['presets']]])('--help works for %j', async (cmd) => {
    const r = await codesign(...cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: codesign/);
  });

  it('start prices the 2048 points and the baselines and writes the report from the shipped rates table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'codesign-start-'));
    const r = await codesign('start', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Priced 2048 seed-000 design points/);
    expect(r.stdout).toMatch(/WMMSE \(I = 92.8\)/);
    expect(r.stdout).toMatch(/Report written to .*index\.html/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const figure of ['verdict', 'pareto-architectures', 'layer-energy', 'p-sweep-energy', 'p-sweep-latency', 'engine-vs-closed']) {
      expect(html).toContain(`${figure}.png`);
      expect(html).toContain(`id="fig-${figure}"`);
      expect(existsSync(join(out, `${figure}.png`))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, `${figure}.vl.json`), 'utf8')).$schema).toMatch(/vega-lite/);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    // Every DNN rate is a trained network's, from the shipped table; the classical side is on the same samples.
    expect(summary.quality).toBe('rates table data/rates/udem-nlos.csv (udem-nlos test split, trained networks)');
    expect(summary.points).toBeGreaterThan(0);
    expect(summary.classical.every((c: { samples: number }) => c.samples === summary.samples)).toBe(true);
    for (const file of ['summary.md', 'summary.json', 'index.html']) expect(readFileSync(join(out, file), 'utf8')).not.toMatch(/synthetic/i);
    expect(r.stdout + r.stderr).not.toMatch(/synthetic/i);
    // The paper's comparison: where a DNN front reaches a WMMSE point's rate, the gain there is not zero.
    for (const g of summary.paperComparison.measured) {
      const reaches = summary.headFronts.some((h: { bestRate: { sumRate: number } }) => h.bestRate.sumRate >= g.sumRate);
      if (reaches) expect(g.gain).toBeGreaterThan(0);
      else expect(g.gain).toBeNull();
    }
    // The verdict leads: per shipped table the cheapest answer, and the headline names the cheapest classical answer when no DNN beats the frontier.
    expect(summary.verdict).toHaveLength(6);
    expect(summary.summaryLine).toMatch(/the best classical rate is/);
    if (summary.frontier.measured.best === null) expect(summary.summaryLine).toMatch(/No trained DNN beats the classical frontier anywhere.*the cheapest classical answer/);
    else expect(summary.frontier.measured.best.gain).toBeGreaterThan(1);
    expect(existsSync(join(out, 'lib', 'vega-embed.min.js'))).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/npx codesign report --scenario udem-nlos --out/);
  });

  it('search --groups runs PSO over bits per group of output channels, within the budget, beside the per-layer optimum', async () => {
    const r = await codesign('search', '--algo', 'gcpso', '--groups', '4', '--budget', '12', '--quality', 'synthetic', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dimensions).toBe(16);
    expect(j.quality).toMatch(/^synthetic\(seed=1\) — a seeded formula, not a trained network$/);
    // Per-group rates have no trained source: the default (the rates table) is refused, naming the option.
    const table = await codesign('search', '--algo', 'gcpso', '--groups', '4', '--budget', '12');
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/--quality: got "table"; allowed with --groups: synthetic/);
    expect(j.bits).toHaveLength(16);
    expect(j.evaluation.cost).toBeLessThanOrEqual(12);
    expect(j.perLayerOptimum.cost).toBeLessThanOrEqual(12);
    const bad = await codesign('search', '--groups', '4', '--budget', '12');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--groups.*4.*ppso or gcpso/);
  });

  it('reproduce and presets print their tables and JSON', async () => {
    const rows = JSON.parse((await codesign('reproduce', '--json')).stdout);
    expect(rows[0].preset).toBe('kasalaee2025');
    expect(rows[0].rows.length).toBeGreaterThan(4);
    for (const r of rows[0].rows) expect(Math.abs(r.relativeError)).toBeLessThan(0.5);
    expect((await codesign('reproduce', '--preset', 'all')).stdout).toMatch(/iso-area-linear/);
    const presets = JSON.parse((await codesign('presets', '--json')).stdout);
    expect(presets.map((p: { name: string }) => p.name)).toContain('kasalaee2025');
  });

  it.each([
    [['energy', '--baseline', 'zf', '--cout', '8'], /--cout: got "8"; allowed: only with --net precoder \(--baseline zf does not read it\)/],
    [['energy', '--net', 'csinet', '--bits', '8,8,8,8'], /--bits: got "8,8,8,8"; allowed: one value for every layer, or one per quantizable layer of csinet\(cr=4\) \(10: /],
    [['energy', '--variant', 'bfc'], /--variant: got "bfc"; allowed: only with a CSI codec or --net slpdnet/],
    [['simulate', '--gemm', '1,2,3', '--head', 'structured'], /--head: .*only with --net or --baseline \(--gemm does not read it\)/],
    [['train', '--net', 'slpdnet', '--scenario', 'rayleigh'], /--scenario: .*only with --net precoder or --net csinet/],
    [['train', '--net', 'csinet', '--head', 'structured'], /--head: .*only with --net precoder/],
    [['baseline', '--algo', 'slp', '--tol', '1e-3'], /--tol: .*not with --algo slp/],
    [['baseline', '--scenario', 'rayleigh', '--nt', '8'], /--nt: .*only with --channel/],
    [['eval', '--checkpoint', 'x', '--choices', '2,4'], /--choices: .*only with --all-bits/],
  ])('an option the command would not read is refused, naming it: %j', async (args, message) => {
    const r = await codesign(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
