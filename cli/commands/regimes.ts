/** `codesign regimes`: the regime map (studies/regimes.ts) — where a learned precoder pays against the cheapest classical answer. */
import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { writableFolder } from '../../core/files.ts';
import { finiteNumber, oneOf, positiveInt, positiveIntList } from '../../core/validate.ts';
import { MAX_BITS } from '../../nets/builder.ts';
import { loadScenario } from '../../scenarios/schema.ts';
import { BACKENDS } from '../../train/defaults.ts';
import type { Io } from '../io.ts';
import { hardwareOf, hardwareOption, presetOption, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';

/** Users per cell: a site scenario's groups hold 1…16 users here (the site model has 500 positions). */
const MAX_USERS = 16;

interface RegimesFlags {
  readonly sites: string;
  readonly snrDb: string;
  readonly users: string;
  readonly heads: string;
  readonly bits: string;
  readonly samples: string;
  readonly minSteps: string;
  readonly maxEpochs: string;
  readonly out: string;
  readonly preset?: string;
  readonly hardware?: string;
  readonly backend: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export function register(program: Command, io: Io): void {
  program
    .command('regimes')
    .description('the regime map: per site × per-antenna SNR × users, the classical frontier, the structured and unfolded heads (8, 512) trained as supernets and rated at each bit width, and the cheapest answer reaching 98% of the best classical rate (resumable: finished cells and trainings are kept in --out)')
    .option('--sites <list>', 'site scenarios (model "site")', 'udem-nlos,okapark-los')
    .option('--snr-db <list>', 'mean per-antenna SNRs (dB)', '0,5,10,15,20')
    .option('--users <list>', `users per group (1–${MAX_USERS})`, '2,4,8')
    .option('--heads <list>', 'learned heads to train in each cell: structured, unfolded', 'structured,unfolded')
    .option('--bits <list>', 'uniform weight widths each supernet trains and is rated at', '2,4,8,16')
    .option('--samples <n>', 'held-out test samples per cell', '200')
    .option('--min-steps <n>', 'each training: steps before the convergence rule may stop it (docs/training.md)', '500')
    .option('--max-epochs <n>', 'each training: at most this many epochs (an epoch is the training split ÷ batch 100 steps: 80 on the shipped site scenarios)', '25')
    .option('--out <dir>', 'where cells, trainings and regimes.csv go', 'out/regimes')
    .addOption(presetOption('the energy table'))
    .addOption(hardwareOption())
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKENDS).default('auto'))
    .option('--json', 'print the cells as one JSON document')
    .addOption(progressOption())
    .action(async (o: RegimesFlags, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      // Everything is checked before the first cell runs.
      const sites = o.sites.split(',').map((s) => s.trim());
      const scenarios = sites.map((s) => {
        const scenario = loadScenario(s);
        if (scenario.model !== 'site') throw new InputError('--sites', s, 'allowed: site scenarios (model "site"), whose positions a cell can hold out');
        return scenario;
      });
      const snrDb = o.snrDb.split(',').map((s) => finiteNumber('--snr-db', s.trim()));
      if (snrDb.some((s) => s < -20 || s > 40)) throw new InputError('--snr-db', o.snrDb, 'allowed: SNRs from -20 to 40 dB');
      const users = positiveIntList('--users', o.users, { max: MAX_USERS });
      const heads = o.heads.split(',').map((h) => oneOf('--heads', h.trim(), ['structured', 'unfolded'] as const));
      const bits = positiveIntList('--bits', o.bits, { max: MAX_BITS });
      const samples = positiveInt('--samples', o.samples, 1000);
      const grid = {
        sites: scenarios,
        snrDb,
        users,
        heads,
        bits,
        samples,
        training: { minSteps: positiveInt('--min-steps', o.minSteps), maxEpochs: positiveInt('--max-epochs', o.maxEpochs) },
        preset: hardwareOf(o, given),
        out: writableFolder(o.out, '--out', 'where the regime map is kept'),
        backend: oneOf('--backend', o.backend, BACKENDS),
      };
      const { runRegimes } = await import('../../studies/regimes.ts');
      const progress = cliProgress(io, progressMode(io, o));
      const started = Date.now();
      try {
        const run = await runRegimes(grid, progress);
        const seconds = Math.round((Date.now() - started) / 1000);
        if (o.json) io.stdout.write(JSON.stringify({ cells: run.cells, reused: run.reused, preset: grid.preset.name }, null, 2) + '\n');
        else {
          io.stdout.write(`${run.cells.length} cells (${run.reused} finished before), ${seconds} s; ${grid.out}/regimes.csv (energies on ${grid.preset.name}, our measured count for the classical answers)\n`);
          for (const c of run.cells) {
            const v = c.verdict;
            const dnn = v.cheapestDnn ? `${v.cheapestDnn.label} ${v.cheapestDnn.sumRate.toFixed(2)}±${v.cheapestDnn.ci95.toFixed(2)} at ${v.cheapestDnn.closedForm_uJ.toPrecision(3)} µJ (×${v.energyRatio!.toPrecision(3)})` : 'no DNN reaches it';
            io.stdout.write(`  ${c.site} ${c.snrDb} dB ${c.nu} users: target ${v.target.toFixed(2)}; ${v.cheapestClassical.label} ${v.cheapestClassical.sumRate.toFixed(2)} at ${v.cheapestClassical.closedForm_uJ.toPrecision(3)} µJ; ${dnn} → ${v.winner}\n`);
          }
        }
      } finally {
        progress.stop();
      }
    });
}
