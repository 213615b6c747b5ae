/** Bits on every network (#19, item 1): one value for all, one per quantizable layer, or by name. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NETWORK_NAMES, buildNetwork, type NetworkSpec } from '../../nets/networks.ts';
import type { CsiNetName } from '../../nets/csi.ts';
import { quantizedLayers } from '../../nets/layers.ts';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-bits-'));
const energy = async (...args: string[]) => {
  const r = await codesign('energy', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { energy_uJ: { total: number }; ops: { name: string; kind: string; weightBits: number; activationBits: number; energy_uJ: { total: number } }[] };
};
/** A registry network at the CLI's default size (the whole autoencoder for a codec). */
function specOf(net: string): NetworkSpec {
  if (net === 'precoder') return { kind: 'precoder', config: { cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [16, 16, 16, 16] } };
  if (net === 'slpdnet') return { kind: 'slpdnet', config: { m: 4, k: 4 } };
  return { kind: 'codec', config: { net: net as CsiNetName, cr: 4 }, side: 'both' };
}
const layersOf = (net: string) => {
  const built = buildNetwork(specOf(net));
  return quantizedLayers(built.full ?? built.graph);
};

describe('--bits on every network', () => {
  it('a CSI codec at 8 bits costs less than at 16, and at 4 less again', async () => {
    const at = async (bits: string) => (await energy('--net', 'crnet', '--cr', '4', '--bits', bits)).energy_uJ.total;
    const [b16, b8, b4] = [await at('16'), await at('8'), await at('4')];
    expect(b8).toBeLessThan(b16);
    expect(b4).toBeLessThan(b8);
    // The default is the variant's own bits (fp: 16): asking for 16 changes nothing.
    expect((await energy('--net', 'crnet', '--cr', '4')).energy_uJ.total).toBe(b16);
  });

  it('the per-layer form and a bits file change only the named layers', async () => {
    const base = await energy('--net', 'csinet', '--cr', '4');
    const file = join(dir, 'bits.json');
    writeFileSync(file, JSON.stringify({ 'enc.fc': 4, 'dec.out': { weightBits: 2, activationBits: 8 } }));
    const named = await energy('--net', 'csinet', '--cr', '4', '--bits-file', file);
    const changed = named.ops.filter((op, i) => op.energy_uJ.total !== base.ops[i].energy_uJ.total).map((op) => op.name);
    expect(changed.length).toBeGreaterThan(0);
    // Only ops of the two named layers (the layer and the ops that follow it, up to the next layer) change.
    expect(changed.sort()).toEqual(['dec.out', 'dec.sigmoid', 'enc.fc']);
    expect(named.ops.find((op) => op.name === 'enc.fc')!.weightBits).toBe(4);
    expect(named.ops.find((op) => op.name === 'dec.out')).toMatchObject({ weightBits: 2, activationBits: 8 });
    const layers = layersOf('csinet');
    const perLayer = layers.map((name) => (name === 'enc.fc' ? 4 : 16)).join(',');
    const listed = await energy('--net', 'csinet', '--cr', '4', '--bits', perLayer);
    expect(listed.ops.find((op) => op.name === 'enc.fc')!.weightBits).toBe(4);
    expect(listed.ops.filter((op) => op.kind === 'conv2d').every((op) => op.weightBits === 16)).toBe(true);
  });

  it.each(NETWORK_NAMES.map((n) => [n]))('%s: the count of --bits is checked, listing its layers', async (net) => {
    const n = layersOf(net).length;
    const wrong = Array.from({ length: n + 1 }, () => '8').join(',');
    const r = await codesign('energy', '--net', net, '--bits', wrong);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(net === 'precoder' ? /--bits: .*exactly 4 comma-separated values/ : new RegExp(`--bits: got "${wrong}"; allowed: one value for every layer, or one per quantizable layer of .* \\(${n}: `));
    expect((await codesign('energy', '--net', net, '--bits', Array.from({ length: n }, () => '8').join(','), '--json')).code).toBe(0);
  });

  it('a bits file naming no layer, or bits out of range, is refused', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ nope: 8 }));
    expect((await codesign('energy', '--net', 'crnet', '--bits-file', file)).stderr).toMatch(/--bits-file: got "nope"; allowed: a quantizable layer of crnet/);
    writeFileSync(file, JSON.stringify({ 'enc.fc': 40, 'dec.fc': { weightBits: 8, color: 'red' } }));
    const r = await codesign('energy', '--net', 'crnet', '--bits-file', file);
    expect(r.stderr).toMatch(/bits .*bad\.json: 2 problems\n {2}enc\.fc: got 40; allowed: an integer from 1 to 32\n {2}dec\.fc: got .*allowed: bits \(a number\)/);
    expect((await codesign('energy', '--baseline', 'zf', '--bits', '8')).stderr).toMatch(/--bits: .*only with --net/);
  });

  it('one energy run sweeps a codec over bits × p: one table, one JSON array', async () => {
    const r = await codesign('energy', '--net', 'crnet', '--cr', '4', '--bits', '16;8;4', '--p', '16,64');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^crnet sweep on kasalaee2025: 6 points/);
    expect(r.stdout.trim().split('\n')).toHaveLength(9);
    const rows = JSON.parse((await codesign('energy', '--net', 'crnet', '--cr', '4', '--bits', '16;8;4', '--p', '16,64', '--json')).stdout) as { bits: string; p: number; energy_uJ: { total: number } }[];
    expect(rows.map((row) => `${row.bits}@${row.p}`)).toEqual(['16@16', '16@64', '8@16', '8@64', '4@16', '4@64']);
    // Each point equals its single run; fewer bits cost less at the same p.
    const single = await energy('--net', 'crnet', '--cr', '4', '--bits', '8', '--p', '64');
    expect(rows[3].energy_uJ.total).toBe(single.energy_uJ.total);
    expect(rows[4].energy_uJ.total).toBeLessThan(rows[2].energy_uJ.total);
    expect(rows[2].energy_uJ.total).toBeLessThan(rows[0].energy_uJ.total);
    // A codec's compression ratios sweep too; a bad value anywhere in a list names it.
    expect(JSON.parse((await codesign('energy', '--net', 'csinet', '--cr', '4,16', '--bits', '8', '--json')).stdout)).toHaveLength(2);
    expect((await codesign('energy', '--net', 'crnet', '--bits', '16;x')).stderr).toMatch(/--bits: got "x"/);
  });
});
