/**
 * MRT, ZF, RZF, equal-power RZF and WMMSE sum rates on a scenario's test split at other
 * per-antenna SNRs (the scenario's channels, only σ² changed): where on our site the seed-000
 * paper's operating point (ZF 15.3, WMMSE 19.2 bit/s/Hz) falls, how far MRT is from it there,
 * and whether WMMSE's shortfall against equal-power RZF is a matter of iterations
 * (docs/training.md, docs/reproduction.md):
 *   npx tsx bench/baselines-vs-snr.ts [scenario] [samples] [snrDb,...] [WMMSE tol] [WMMSE max iterations]
 * The WMMSE defaults are `scenario describe`'s (1e-5, 2000), so its 15 dB row matches that table.
 */
import { mrt, rzf, sumRate, zf } from '../baselines/precoders.ts';
import { wmmse } from '../baselines/wmmse.ts';
import type { Channel } from '../baselines/channel.ts';
import type { CMatrix } from '../linalg/complex.ts';
import { channelOf, loadDataset, type MimoDataset } from '../scenarios/dataset.ts';
import { loadScenario } from '../scenarios/schema.ts';

const test = loadDataset(loadScenario(process.argv[2] ?? 'udem-nlos'), 'test') as MimoDataset;
const n = Math.min(test.count, Number(process.argv[3] ?? 100));
const snrs = (process.argv[4] ?? '-3,0,3,5,7,9,11,15').split(',').map(Number);
const wmmseOptions = { tol: Number(process.argv[5] ?? 1e-5), rule: 'abs' as const, maxIter: Number(process.argv[6] ?? 2000) };

/** RZF directions with every user's column at power P/N_U (per-user instead of total normalisation). */
function rzfEqualPower(c: Channel): CMatrix {
  const v = rzf(c);
  const re = Float64Array.from(v.re);
  const im = Float64Array.from(v.im);
  for (let k = 0; k < v.cols; k++) {
    let norm2 = 0;
    for (let r = 0; r < v.rows; r++) norm2 += re[r * v.cols + k] ** 2 + im[r * v.cols + k] ** 2;
    const f = Math.sqrt(c.power / v.cols / norm2);
    for (let r = 0; r < v.rows; r++) {
      re[r * v.cols + k] *= f;
      im[r * v.cols + k] *= f;
    }
  }
  return { ...v, re, im };
}

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
