/**
 * MRT, ZF, RZF and WMMSE sum rates on a scenario's test split at other per-antenna SNRs (the
 * scenario's channels, only σ² changed): where on our site the seed-000 paper's operating point
 * (ZF 15.3, WMMSE 19.2 bit/s/Hz) falls, and how far MRT is from it there (docs/training.md).
 *   npx tsx bench/baselines-vs-snr.ts [scenario] [samples] [snrDb,...]
 */
import { mrt, rzf, sumRate, zf } from '../baselines/precoders.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { channelOf, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const test = loadDataset(loadScenario(process.argv[2] ?? 'udem-nlos'), 'test') as MimoDataset;
const n = Math.min(test.count, Number(process.argv[3] ?? 100));
const snrs = (process.argv[4] ?? '-3,0,3,5,7,9,11,15').split(',').map(Number);
const rows = snrs.map((snrDb) => {
  const noiseVar = 10 ** (-snrDb / 10);
  const mean = { mrt: 0, zf: 0, rzf: 0, wmmse: 0 };
  for (let i = 0; i < n; i++) {
    const c = { ...channelOf(test, i), noiseVar };
    mean.mrt += sumRate(c, mrt(c)).sumRate / n;
    mean.zf += sumRate(c, zf(c)).sumRate / n;
    mean.rzf += sumRate(c, rzf(c)).sumRate / n;
    // The cap of `scenario describe`, so the 15 dB row matches its table.
    mean.wmmse += wmmse(c, { tol: 1e-5, rule: 'abs', maxIter: 2000 }).sumRate / n;
  }
  return { snrDb, ...mean, mrtOverWmmse: mean.mrt / mean.wmmse, zfOverWmmse: mean.zf / mean.wmmse };
});
process.stdout.write(JSON.stringify({ scenario: test.scenario, samples: n, rows }, null, 2) + '\n');
