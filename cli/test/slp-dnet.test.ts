import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';
import { buildSlpDnet } from '../../nets/slp.ts';
import { slpAccounting } from '../../nets/slp-accounting.ts';

describe('codesign energy|simulate --net slpdnet', () => {
  it('energy --json reports inferenceMemory_MB and the seed-002 accounting beside the energy', async () => {
    const r = await codesign('energy', '--net', 'slpdnet', '--variant', 'dtnet', '--m', '4', '--k', '4', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.inferenceMemory_MB).toBeCloseTo(slpAccounting(buildSlpDnet({ m: 4, k: 4, variant: 'dtnet' })).inferenceMemory_MB, 12);
    expect(j.energy_uJ.total).toBeGreaterThan(0);
  });

  it('simulate reports cycles and the same memory', async () => {
    const r = await codesign('simulate', '--net', 'slpdnet', '--variant', 'dsqbnet', '--qr', '0.25', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.cycles).toBeGreaterThan(0);
    expect(j.inferenceMemory_MB).toBeCloseTo(slpAccounting(buildSlpDnet({ m: 4, k: 4, variant: 'dsqbnet', qr: 0.25 })).inferenceMemory_MB, 12);
  });

  it('baseline --algo slp: the optimiser beside block-level precoding, exact to 10 dB per 10 dB, with its accuracy', async () => {
    const r = await codesign('baseline', '--algo', 'slp', '--nt', '4', '--nu', '3', '--samples', '20', '--sinr-db', '10,20', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.curve.rows).toHaveLength(2);
    const slp = j.curve.rows.map((row: { power_dB: Record<string, number> }) => row.power_dB['SLP optimiser']);
    expect(slp[1] - slp[0]).toBeCloseTo(10, 9);
    expect(j.worstViolation).toBeLessThan(1e-9);
    expect(j.worstSlackness).toBeLessThan(1e-6);
    const bad = await codesign('baseline', '--algo', 'slp', '--nt', '2', '--nu', '4', '--samples', '5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--nt.*2.*N_T ≥ N_U = 4/);
  });

  it.each([
    [['--qr', '1.5'], /--qr.*1\.5.*0 to 1/],
    [['--variant', 'bfc'], /--variant.*bfc.*dnet, dbnet/],
    [['--m', '0'], /--m.*0/],
  ])('bad input %j is refused with the field, the value and what is allowed', async (args, message) => {
    const r = await codesign('energy', '--net', 'slpdnet', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
