import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';
import { published } from '../../test/reference.ts';

const ref = published.csi_codecs;

describe('codesign energy|simulate --net crnet', () => {
  it('energy reports the UE encoder and BS decoder separately, with memory', async () => {
    const r = await codesign('energy', '--net', 'crnet', '--cr', '4', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sides.encoder.energy_uJ.total + doc.sides.decoder.energy_uJ.total).toBeCloseTo(doc.energy_uJ.total, 9);
    expect(doc.sides.encoder.macs + doc.sides.decoder.macs).toBe(ref.macs_millions.CRNet['4'] * 1e6 + 2048);
    expect(doc.memory.total_kB).toBeGreaterThan(0);
  });

  it('simulate runs one side', async () => {
    const enc = JSON.parse((await codesign('simulate', '--net', 'crnet', '--cr', '16', '--side', 'encoder', '--json')).stdout);
    const dec = JSON.parse((await codesign('simulate', '--net', 'crnet', '--cr', '16', '--side', 'decoder', '--json')).stdout);
    expect(enc.ops.every((o: { name: string }) => o.name.startsWith('enc.'))).toBe(true);
    expect(dec.ops.every((o: { name: string }) => o.name.startsWith('dec.'))).toBe(true);
    expect(enc.cycles).toBeGreaterThan(0);
    expect(dec.energy_uJ.total).toBeGreaterThan(enc.energy_uJ.total);
  });

  it('a bad CR or side is one clear line, exit 2', async () => {
    const r = await codesign('energy', '--net', 'csinet', '--cr', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cr: got 5; allowed for csinet on a 2×32×32 map: 4, 8, 16, 32, 64/);
  });
});
