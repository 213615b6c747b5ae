import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

describe('codesign train --net slpdnet', () => {
  it('codesign train --net slpdnet runs end to end and refuses bad input with the field named', async () => {
    const r = await codesign('train', '--net', 'slpdnet', '--variant', 'dbnet', '--samples', '200', '--epochs', '1', '--test-samples', '10', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.curve).toHaveLength(8);
    expect(j.curve[0].power_dB['learned dbnet']).toBeGreaterThan(j.curve[0].power_dB['SLP optimiser']);
    expect(j.inferenceMemory_MB).toBeGreaterThan(0);
    const bad = await codesign('train', '--net', 'slpdnet', '--m', '2', '--k', '4', '--samples', '10');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--m.*2.*M ≥ K = 4/);
  }, 120_000);
});
