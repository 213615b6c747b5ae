import { describe, expect, it } from 'vitest';
import { codesign } from './run.ts';

describe('measured baseline traces on the engine', () => {
  it('folds WMMSE’s shaped products onto the array and prices them as activations', async () => {
    const r = await codesign('simulate', '--baseline', 'wmmse', '--accounting', 'measured', '--nt', '16', '--nu', '4', '--samples', '3', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const product = doc.ops.find((o: { name: string }) => o.name === 'precoder.product');
    expect(product.unit).toBe('gemm');
    expect(product.folds).toBeGreaterThan(0);
    expect(product.localBuffer.weightReads).toBe(0);
    expect(product.energy_uJ.weight).toBe(0);
    expect(product.energy_uJ.activation).toBeGreaterThan(0);
    const paper = JSON.parse((await codesign('simulate', '--baseline', 'wmmse', '--nt', '16', '--nu', '4', '--json')).stdout);
    expect(paper.ops.map((o: { unit: string }) => o.unit)).toEqual(['trace']);
  });
});
