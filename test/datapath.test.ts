/**
 * Precision-scalable datapaths: BitFusion's published throughput, the precoder's array cycles on
 * the bit-fusion table falling with bits as that table says, and the MAC energy per fused MAC.
 */
import { describe, expect, it } from 'vitest';
import { buildPrecoder } from '../nets/precoder.ts';
import { DATAPATHS, datapathOf, lanesAndPasses, macsPerCycle } from '../sim/datapath.ts';
import { simulateGraph } from '../sim/engine/engine.ts';
import { priceGraph } from '../sim/energy.ts';
import { machineOf } from '../sim/machine.ts';
import { macEnergyOf, presetByName } from '../sim/presets.ts';

const fusion = DATAPATHS['bit-fusion'];

describe('bit-fusion throughput', () => {
  it('equals the published simulator’s perf factor ⌊8/a⌋·⌊8/w⌋ for a, w ∈ {2, 4, 8}', () => {
    for (const a of [2, 4, 8]) for (const w of [2, 4, 8]) expect(macsPerCycle(fusion, w, a)).toBe(Math.floor(8 / a) * Math.floor(8 / w));
  });

  it('takes temporal passes above 8 bits, rounds odd widths up to a power of two, and never goes below 2 bits', () => {
    expect(lanesAndPasses(fusion, 16, 16)).toEqual({ lanes: 1, passes: 4 });
    expect(lanesAndPasses(fusion, 8, 16)).toEqual({ lanes: 1, passes: 2 });
    expect(lanesAndPasses(fusion, 2, 16)).toEqual({ lanes: 2, passes: 1 });
    expect(macsPerCycle(fusion, 3, 8)).toBe(macsPerCycle(fusion, 4, 8));
    expect(macsPerCycle(fusion, 1, 1)).toBe(16);
  });

  it('a fixed datapath is one MAC a cycle at any bits; packed and bit-serial follow their widths', () => {
    for (const b of [1, 2, 8, 16, 32]) expect(macsPerCycle(DATAPATHS.fixed, b, b)).toBe(1);
    expect(macsPerCycle(DATAPATHS.packed, 4, 4)).toBe(4);
    expect(macsPerCycle(DATAPATHS.packed, 32, 8)).toBe(0.5);
    expect(macsPerCycle(DATAPATHS['bit-serial'], 2, 16)).toBe(8);
    expect(macsPerCycle(DATAPATHS['bit-serial'], 16, 16)).toBe(1);
  });
});

describe('the precoder on bitfusion-45nm (activations at 16 bits)', () => {
  const preset = presetByName('bitfusion-45nm');
  const run = (b: number) => simulateGraph(buildPrecoder({ cout: 64, dfcl: 1024, nt: 64, nu: 4, bits: [b, b, b, b], head: 'direct' }), machineOf(preset), preset);
  const dense = (r: ReturnType<typeof run>) => r.ops.filter((o) => o.opKind === 'dense').reduce((s, o) => s + o.arrayCycles, 0);
  const array = (r: ReturnType<typeof run>) => r.ops.reduce((s, o) => s + o.arrayCycles, 0);
  const [two, eight, sixteen] = [run(2), run(8), run(16)];

  it('array compute cycles at [2,2,2,2] are a quarter of those at [8,8,8,8], at [16,16,16,16] twice (dense layers exactly, the whole net within 1%)', () => {
    expect(dense(two) * 4).toBe(dense(eight));
    expect(dense(sixteen)).toBe(2 * dense(eight));
    expect(array(two) / array(eight)).toBeCloseTo(0.25, 2);
    expect(array(sixteen) / array(eight)).toBeCloseTo(2, 2);
  });

  it('total cycles are at least the array’s, the excess is stall, and weights beyond main memory come from off chip', () => {
    for (const r of [two, eight, sixteen]) {
      expect(r.cycles).toBeGreaterThanOrEqual(array(r));
      expect(r.cycles - r.stallCycles).toBeGreaterThanOrEqual(array(r));
      expect(r.accesses.offChipWeightReads).toBeGreaterThan(0);
    }
  });

  it('a MAC costs the fusion unit’s cycle (0.5835 pJ, the published synthesis) over the MACs it fuses, in the closed form too', () => {
    expect(macEnergyOf(preset, { weightBits: 8, activationBits: 8 })).toBeCloseTo(0.5835, 12);
    expect(macEnergyOf(preset, { weightBits: 2, activationBits: 16 })).toBeCloseTo(0.5835 / 2, 12);
    expect(macEnergyOf(preset, { weightBits: 16, activationBits: 16 })).toBeCloseTo(0.5835 * 4, 12);
    const closed = (b: number) => priceGraph(buildPrecoder({ cout: 8, dfcl: 512, nt: 64, nu: 4, bits: [b, b, b, b], head: 'direct' }), preset).energy.compute;
    expect(closed(8) / closed(2)).toBeGreaterThan(3.5); // MACs dominate E_C; elementwise ops stay at the activations' 16 bits
  });
});

describe('datapath fields', () => {
  it('names the field, the value and what is allowed', () => {
    expect(() => datapathOf({ kind: 'bit-fusion', maxBits: 6 })).toThrow(/datapath.minBits.*power of two/);
    expect(() => datapathOf({ kind: 'warp' })).toThrow(/datapath.kind: got "warp"; allowed: fixed, bit-fusion, bit-serial, packed/);
    expect(() => datapathOf({ kind: 'packed', laneBits: 0 })).toThrow(/datapath.laneBits: got 0; allowed: a positive whole number of bits/);
    expect(() => datapathOf({ kind: 'packed', bricks: 4 })).toThrow(/datapath.bricks: got 4; allowed for packed: laneBits/);
    expect(datapathOf('bit-serial')).toEqual(DATAPATHS['bit-serial']);
  });
});
