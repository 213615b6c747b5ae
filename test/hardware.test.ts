import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRECISION } from '../nets/graph.ts';
import { ENGINE_DEFAULTS, eachBuffer, type EngineConfig } from '../sim/engine/config.ts';
import { simulateOps } from '../sim/engine/engine.ts';
import { gemmOp } from '../sim/engine/lower.ts';
import { loadHardware } from '../sim/hardware-file.ts';
import { PRESETS, SHIPPED_HARDWARE, accessEnergies, macEnergy, presetByName } from '../sim/presets.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'hardware');

describe('shipped hardware files', () => {
  it('are the presets, loaded by name from hardware/', () => {
    expect(PRESETS.map((p) => p.name)).toEqual([...SHIPPED_HARDWARE]);
    for (const name of SHIPPED_HARDWARE) expect(loadHardware(join(import.meta.dirname, '..', 'hardware', `${name}.json`))).toEqual(presetByName(name));
    for (const p of PRESETS) expect(p.sources?.length, p.name).toBeGreaterThan(0);
  });

  it('horowitz-45nm reproduces the published per-action energies (ISSCC 2014, 45 nm)', () => {
    const h = presetByName('horowitz-45nm');
    const at = (weightBits: number, activationBits: number) => accessEnergies(h, { weightBits, activationBits });
    // A MAC = multiply + add: 8 bit 0.2 + 0.03, 32 bit 3.1 + 0.1 pJ (published); 16 bit: add 0.05 published, multiply on the 8–32 power law.
    expect(macEnergy(h, 8)).toBeCloseTo(0.23, 12);
    expect(macEnergy(h, 32)).toBeCloseTo(3.2, 12);
    expect(macEnergy(h, 16)).toBeCloseTo(0.2 * Math.pow(2, Math.log(15.5) / Math.log(4)) + 0.05, 12);
    expect(at(8, 8).mac).toBeCloseTo(0.23, 12);
    // 64-bit SRAM reads: 8 KB 10 pJ (local buffers), 1 MB 100 pJ (main memory); DRAM 1.3–2.6 nJ, middle 1.95 nJ.
    expect(at(8, 8).weightLocal * 8).toBeCloseTo(10, 12);
    expect(at(16, 16).activationMain * 4).toBeCloseTo(100, 12);
    expect(at(8, 8).weightOffChip * 8).toBeCloseTo(1950, 9);
  });

  it('zigzag-tpu-like keeps its per-access costs (pJ per bit × the access width)', () => {
    const z = presetByName('zigzag-tpu-like');
    const e = accessEnergies(z, { weightBits: 8, activationBits: 8 });
    expect(e.mac).toBeCloseTo(0.04, 12);
    expect(e.activationLocal * 256).toBeCloseTo(416.16, 9); // sram_2MB: 2048-bit read
    expect(e.activationLocalWrite * 256).toBeCloseTo(378.4, 9);
    expect(e.activationMain * 8).toBeCloseTo(700, 9); // dram: 64-bit read and write
    expect(e.activationMainWrite * 8).toBeCloseTo(750, 9);
  });
});

describe('bits in memory', () => {
  const run = (weightBits: number, packing: EngineConfig['packing']) =>
    simulateOps([gemmOp('g', 64, 64, 64, { ...DEFAULT_PRECISION, weightBits, activationBits: 8 })], { ...ENGINE_DEFAULTS, rows: 8, cols: 8, bandwidth: 8, localBufferWords: eachBuffer(64 * 1024), wordBits: 8, packing }, presetByName('kasalaee2025')).ops[0];

  it('packed at their bits, 4-bit weights move half the bits of 8-bit weights', () => {
    const eight = run(8, 'bits');
    const four = run(4, 'bits');
    expect(four.accesses.mainWeightReads * 4).toBe((eight.accesses.mainWeightReads * 8) / 2);
    expect(four.accesses.mainWeightReads).toBe(64 * 64); // every weight once: the buffer holds them all
  });

  it('energy by level (array, local buffers, main memory, off chip) adds up to the energy, with reads and writes priced apart', () => {
    for (const name of SHIPPED_HARDWARE) {
      const preset = presetByName(name);
      const r = simulateOps([gemmOp('g', 48, 40, 56, { weightBits: 4, activationBits: 8 })], { ...ENGINE_DEFAULTS, rows: 8, cols: 8, bandwidth: 4, localBufferWords: eachBuffer(512), mainMemoryBits: 8 * 2048 }, preset).ops[0];
      const l = r.energyByLevel;
      expect(l.compute + l.localBuffer + l.mainMemory + l.offChip, name).toBeCloseTo(r.energy.total, 6);
      expect(l.mainMemory + l.offChip, name).toBeGreaterThan(0);
    }
  });

  it('one word per element (SCALE-Sim) moves the same words at any bits', () => {
    expect(run(4, 'word').accesses.mainWeightReads).toBe(run(8, 'word').accesses.mainWeightReads);
    expect(run(4, 'word').cycles).toBe(run(8, 'word').cycles);
  });

  it('a channel narrower than one element is refused, naming the bandwidth', () => {
    expect(() => simulateOps([gemmOp('g', 8, 8, 8, DEFAULT_PRECISION)], { ...ENGINE_DEFAULTS, rows: 4, cols: 4, bandwidth: 1, wordBits: 8, packing: 'bits' }, presetByName('kasalaee2025'))).toThrow(/bandwidth: got 1; allowed: a whole number ≥ 1 of 16-bit ifmap elements per cycle/);
  });
});

describe('hardware files: JSON or YAML, every problem named', () => {
  it('reads YAML as it reads JSON', () => {
    const h = loadHardware(join(FIXTURES, 'small-array.yaml'));
    expect(h.architecture).toEqual({ rows: 8, cols: 8, dataflow: 'ws', localBuffersKB: { ifmap: 2, filter: 2, output: 2 }, mainMemoryKB: 512, bandwidthWordsPerCycle: 4, clockMHz: 500, wordBits: 8, packing: 'bits' });
  });

  it.each([
    ['missing-size', /architecture\.localBuffersKB\.filter: got nothing; allowed: a number > 0 and to 1,073,741,824/],
    ['negative-size', /architecture\.localBuffersKB\.ifmap: got -8; allowed: a number > 0 and to 1,073,741,824/],
    ['zero-bandwidth', /architecture\.bandwidthWordsPerCycle: got 0; allowed: a number > 0 and to 1,000,000/],
    ['unknown-field', /architecture\.clockGHz: got 1; allowed: one of the fields rows, cols/],
    ['tiny-buffer', /architecture\.localBuffersKB\.output: got 0\.0078125; allowed: a size of whole 8-bit words, at least 16 of them/],
    ['zero-word', /architecture\.wordBits: got 0; allowed: an integer from 1 to 64/],
    ['wrong-p', /parallelism\.atReference: got 256; allowed: the architecture's p = rows × cols = 64/],
  ])('%s', (name, message) => {
    const file = join(FIXTURES, `${name}.json`);
    expect(() => loadHardware(file)).toThrow(message);
    expect(() => loadHardware(file)).toThrow(new RegExp(`hardware ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: [^\\n]+$`));
  });
});
