/**
 * The vitest side of the energy laws: each law of laws/energy.ts (the same values `codesign
 * laws` runs) as a test of an energy model, over random graphs, presets and p.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { graphArb, pArb, presetArb } from '../../laws/arbitraries.ts';
import { ENERGY_LAWS } from '../../laws/energy.ts';
import type { Law, PriceFn } from '../../laws/law.ts';

export type { PriceFn };

/** Runs `laws` as vitest tests: a failure shows fast-check's shrunk counterexample and the law's words. */
export function lawSuite(title: string, laws: readonly Law[], price: PriceFn): void {
  describe(title, () => {
    for (const law of laws) {
      it(`${law.name}: ${law.statement}`, () => {
        const ctx = { price, presets: presetArb, graphs: graphArb, ps: pArb };
        const details = fc.check(law.property(ctx));
        if (details.failed) throw new Error(`${law.name}: ${details.counterexample ? law.explain(details.counterexample, ctx) : ''}\n${fc.defaultReportMessage(details) ?? ''}`);
      });
    }
  });
}

export function energyLaws(modelName: string, price: PriceFn): void {
  lawSuite(`energy laws: ${modelName}`, ENERGY_LAWS, price);
}
