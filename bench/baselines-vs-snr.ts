/**
 * MRT, ZF, RZF, equal-power RZF and WMMSE sum rates on a scenario's test split at other
 * per-antenna SNRs (the scenario's channels, only σ² changed): where on our site the seed-000
 * paper's operating point (ZF 15.3, WMMSE 19.2 bit/s/Hz) falls, how far MRT is from it there,
 * and whether WMMSE's shortfall against equal-power RZF is a matter of iterations
 * (docs/training.md, docs/reproduction.md):
 *   npx tsx bench/baselines-vs-snr.ts [scenario] [samples] [snrDb,...] [WMMSE tol] [WMMSE max iterations] [WMMSE init]
 * The WMMSE tolerance and cap default to `scenario describe`'s (1e-5, 2000); its start defaults
 * to MRT (the textbook start, which the docs' figures from this script use), --init's choices.
 */
import { mrt, rzf, rzfEqualPower, sumRate, zf } from '../baselines/precoders.ts';
import { wmmse, WMMSE_INITS, type WmmseInit } from '../baselines/wmmse.ts';
import { asMimo, channelOf, loadDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const test = asMimo(loadDataset(loadScenario(process.argv[2] ?? 'udem-nlos'), 'test'));
const n = Math.min(test.count, Number(process.argv[3] ?? 100));
const snrs = (process.argv[4] ?? '-3,0,3,5,7,9,11,15').split(',').map(Number);
const init = (process.argv[7] ?? 'mrt') as WmmseInit;
if (!(WMMSE_INITS as readonly string[]).includes(init)) throw new Error(`WMMSE init: got ${init}; allowed: ${WMMSE_INITS.join(', ')}`);
const wmmseOptions = { tol: Number(process.argv[5] ?? 1e-5), rule: 'abs' as const, maxIter: Number(process.argv[6] ?? 2000), init };

const rows = snrs.map((snrDb) => {
  const noiseVar = 10 ** (-snrDb / 10);
  const mean = { mrt: 0, zf: 0, rzf: 0, rzfEqualPower: 0, wmmse: 0, wmmseIterations: 0 };
  let wmmseConverged = 0;
  for (let i = 0; i < n; i++) {
    const c = { ...channelOf(test, i), noiseVar };
    mean.mrt += sumRate(c, mrt(c)).sumRate / n;
    mean.zf += sumRate(c, zf(c)).sumRate / n;
    mean.rzf += sumRate(c, rzf(c)).sumRate / n;
    mean.rzfEqualPower += sumRate(c, rzfEqualPower(c)).sumRate / n;
    const w = wmmse(c, wmmseOptions);
    mean.wmmse += w.sumRate / n;
    mean.wmmseIterations += w.iterations / n;
    if (w.converged) wmmseConverged++;
  }
  return { snrDb, ...mean, wmmseConverged, mrtOverWmmse: mean.mrt / mean.wmmse, zfOverWmmse: mean.zf / mean.wmmse };
});
process.stdout.write(JSON.stringify({ scenario: test.scenario, samples: n, wmmse: wmmseOptions, rows }, null, 2) + '\n');
