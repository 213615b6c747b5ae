/** Quality from a rates table: a point's rate is the mean over the table's seeds for it. */
import { InputError } from '../core/errors.ts';
import { loadRatesTable, pointKey, ratesByPoint, ratesFile, shippedRateTables, type TableRate } from './rates-table.ts';
import type { QualityEvaluator } from './run.ts';
import { existsSync } from 'node:fs';

export interface TableQuality extends QualityEvaluator {
  readonly rates: ReadonlyMap<string, TableRate>;
}

/** The shipped table of a scenario (data/rates/<scenario>.csv), or `file` when given. */
export function tableQuality(scenario: string, file = ratesFile(scenario)): TableQuality {
  if (!existsSync(file)) {
    const shipped = shippedRateTables();
    throw new InputError('scenario', scenario, `no rates table at ${file}; allowed: a scenario with a shipped table (${shipped.join(', ') || 'none'}), or --quality FILE, or write one with codesign rates`);
  }
  const rates = ratesByPoint(loadRatesTable(file), scenario);
  if (rates.size === 0) throw new InputError('scenario', scenario, `the rates table ${file} has no rows for it`);
  return {
    rates,
    concurrency: 1,
    has: (p) => rates.has(pointKey(p)),
    fn: async (p) => {
      const r = rates.get(pointKey(p));
      if (!r) throw new InputError('point', pointKey(p), `not in the rates table ${file}`);
      return r.sumRate;
    },
    close: async () => {},
  };
}
