/**
 * `codesign regimes` on a tiny site scenario (one cell, one-step trainings): every answer priced,
 * the verdict the rule gives, a resumed run that reuses the finished cell byte for byte, and
 * refusals before any work. The unfolded head through the CLI's pricing commands.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rzfEqualPower, sumRate } from '../../baselines/precoders.ts';
import { CLOSED_FORM_ITERATIONS } from '../../baselines/run.ts';
import { asMimo, channelOf, generateSplit } from '../../scenarios/dataset.ts';
import { loadScenario, type Scenario } from '../../scenarios/schema.ts';
import { cellScenario, cellVerdict, type CellResult, type RegimeAnswer } from '../../studies/regimes.ts';
import { wmmseStepF64 } from '../../test/precoder-f64.ts';
import { codesign } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'codesign-regimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answer = (label: string, sumRate: number, closedForm_uJ: number, vsRzfEp?: { mean: number; ci95: number }): RegimeAnswer => ({
  kind: vsRzfEp ? 'dnn' : 'classical',
  label,
  sumRate,
  ci95: 0.1,
  ...(vsRzfEp ? { vsRzfEp: { ...vsRzfEp, verdict: '' } } : {}),
  closedForm_uJ,
  engine_uJ: 3 * closedForm_uJ,
  latency_us: 1,
});

describe('the regime map', () => {
  it('a cell’s verdict: the cheapest answer at 98% of the best classical rate; a DNN within noise of equal-power RZF claims its rate', () => {
    const classical = [answer('equal-power RZF', 10, 0.01), answer('ZF', 8, 0.005), answer('WMMSE (best start, ε = 0.00001)', 10.5, 1)];
    // Target 10.29: only WMMSE among the classical answers reaches it.
    const gaining = answer('structured 8/512 [4,4,4,4]', 10.4, 0.05, { mean: 0.4, ci95: 0.1 });
    const noisy = answer('structured 8/512 [2,2,2,2]', 10.4, 0.02, { mean: 0.4, ci95: 0.5 });
    const v = cellVerdict([...classical, gaining, noisy]);
    expect(v.target).toBeCloseTo(0.98 * 10.5, 12);
    expect(v.cheapestClassical.label).toMatch(/^WMMSE/);
    expect(v.cheapestDnn!.label).toBe(gaining.label); // the noisy one is cheaper but claims only 10
    expect(v.winner).toBe('dnn');
    expect(v.energyRatio).toBeCloseTo(0.05, 12);
    // The same DNN dearer than the classical answer: classical wins, and the ratio says by how much.
    const dear = cellVerdict([...classical, answer('unfolded 8/512 [16,16,16,16]', 10.4, 2, { mean: 0.4, ci95: 0.1 })]);
    expect(dear.winner).toBe('classical');
    expect(dear.energyRatio).toBeCloseTo(2, 12);
    expect(cellVerdict([...classical, noisy]).cheapestDnn).toBeNull();
  });

  it('runs a cell on held-out positions, prices every answer both ways, resumes without work, and refuses bad grids first', async () => {
    const site = { ...loadScenario('udem-nlos'), name: 'tiny-site', split: { train: 100, validation: 20, test: 10 } };
    const file = join(dir, 'tiny-site.json');
    writeFileSync(file, JSON.stringify(site));
    const out = join(dir, 'map');
    const args = ['regimes', '--sites', file, '--snr-db', '0', '--users', '2', '--heads', 'structured,unfolded', '--bits', '4,16', '--samples', '10', '--min-steps', '1', '--max-epochs', '1', '--out', out, '--json'];
    const first = await codesign(...args);
    expect(first.code, first.stderr).toBe(0);
    const run = JSON.parse(first.stdout) as { cells: CellResult[]; reused: number };
    expect(run.reused).toBe(0);
    const [cell] = run.cells;
    expect([cell.site, cell.snrDb, cell.nu, cell.samples]).toEqual(['tiny-site', 0, 2, 10]);
    // MRT, ZF, RZF, equal-power RZF, WMMSE (best start and each start) at 4 tolerances, closed-form-μ WMMSE at fixed iterations; 2 heads × 2 widths.
    expect(cell.answers.filter((a) => a.kind === 'classical')).toHaveLength(4 + 4 * 4 + CLOSED_FORM_ITERATIONS.length);
    expect(cell.answers.filter((a) => a.kind === 'dnn').map((a) => a.label)).toEqual(['structured 8/512 [4,4,4,4]', 'structured 8/512 [16,16,16,16]', 'unfolded 8/512 [4,4,4,4]', 'unfolded 8/512 [16,16,16,16]']);
    for (const a of cell.answers) {
      expect(a.closedForm_uJ).toBeGreaterThan(0);
      expect(a.engine_uJ).toBeGreaterThan(0);
      expect(a.latency_us).toBeGreaterThan(0);
    }
    // The unfolded head costs more than the structured one at the same bits (its K iterations).
    const energy = (label: string) => cell.answers.find((a) => a.label === label)!.closedForm_uJ;
    expect(energy('unfolded 8/512 [4,4,4,4]')).toBeGreaterThan(energy('structured 8/512 [4,4,4,4]'));
    expect(cell.verdict).toEqual(cellVerdict(cell.answers));
    expect(cell.training.map((t) => t.head)).toEqual(['structured', 'unfolded']);
    const csv = readFileSync(join(out, 'regimes.csv'), 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(2);
    expect(csv).toMatch(/^site,snr_db,users,/);

    // The trained unfolded supernet, evaluated: its structure alone (FCL3 at zero) is WMMSE with the
    // closed-form regulariser, 3 iterations from equal-power RZF, as float64 computes it on the same samples.
    const cellFile = join(dir, 'cell.json');
    writeFileSync(cellFile, JSON.stringify(cellScenario(site as Scenario, 0, 2)));
    const evaluated = await codesign('eval', '--checkpoint', join(out, 'cells', 'tiny-site-0db-2u', 'unfolded'), '--scenario', cellFile, '--bits', '16,16,16,16', '--samples', '10', '--json');
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    const test = asMimo(generateSplit(cellScenario(site as Scenario, 0, 2), 'test'));
    let classical = 0;
    for (let i = 0; i < 10; i++) {
      const ch = channelOf(test, i);
      let v = rzfEqualPower(ch);
      for (let t = 0; t < 3; t++) v = wmmseStepF64(ch.H, v, ch.noiseVar, ch.power, [1, 1], 1);
      classical += sumRate(ch, v).sumRate;
    }
    expect(e.structureAlone.label).toMatch(/closed-form regulariser, 3 iterations from equal-power RZF/);
    expect(e.structureAlone.sumRate).toBeCloseTo(classical / 10, 3);
    expect(e.structureAlone.dnnMinusThis.mean).toBeCloseTo(e.sumRate - e.structureAlone.sumRate, 9);
    // The structure alone costs the head's ops, a fraction of the network's energy.
    expect(e.structureAlone.energy_uJ).toBeGreaterThan(0);
    expect(e.structureAlone.energy_uJ).toBeLessThan(e.energy_uJ.total);

    const again = await codesign(...args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).reused).toBe(1);
    expect(readFileSync(join(out, 'regimes.csv'), 'utf8')).toBe(csv);

    // A cell written before the classical set grew is brought up to date on the same samples; its trainings and DNN rows stay.
    const storedCell = join(out, 'cells', 'tiny-site-0db-2u.json');
    const stale = { ...cell, answers: cell.answers.filter((a) => !a.label.startsWith('WMMSE, closed-form')) };
    writeFileSync(storedCell, JSON.stringify(stale));
    const refreshed = await codesign(...args);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const back = JSON.parse(refreshed.stdout).cells[0] as CellResult;
    expect(back.answers).toEqual(cell.answers);
    expect(back.verdict).toEqual(cell.verdict);

    for (const [flag, value, message] of [
      ['--sites', 'rayleigh', /--sites: got "rayleigh"; allowed: site scenarios/],
      ['--heads', 'direct', /--heads: got "direct"; allowed: structured, unfolded/],
      ['--users', '0', /--users/],
      ['--snr-db', '90', /--snr-db: got "90"; allowed: SNRs from -20 to 40 dB/],
    ] as const) {
      const bad = await codesign(...args.map((a, i) => (args[i - 1] === flag ? value : a)));
      expect(bad.code, flag).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });
});

describe('the unfolded head through the CLI', () => {
  it('energy prices it with --iterations K; --iterations on another head is refused', async () => {
    const args = ['energy', '--net', 'precoder', '--cout', '4', '--dfcl', '16', '--nt', '16', '--nu', '4', '--json'];
    const two = await codesign(...args, '--head', 'unfolded', '--iterations', '2');
    const four = await codesign(...args, '--head', 'unfolded', '--iterations', '4');
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(four.stdout).totals.macs).toBeGreaterThan(JSON.parse(two.stdout).totals.macs);
    const simulated = await codesign('simulate', ...args.slice(1), '--head', 'unfolded', '--iterations', '3');
    expect(simulated.code, simulated.stderr).toBe(0);
    const refused = await codesign(...args, '--head', 'structured', '--iterations', '3');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--iterations.*only with --baseline with --accounting paper, or --net precoder --head unfolded/);
  });
});
