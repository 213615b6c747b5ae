/** `codesign rates`: a scenario's rates table from trained supernets, or its classical results on the same samples. */
import { outputFile } from '../../core/files.ts';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.ts';
import { positiveInt } from '../../core/validate.ts';
import type { Io } from '../io.ts';
import { progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { TABLE_SAMPLES } from '../../search/rates-table.ts';
import { loadScenario } from '../../scenarios/schema.ts';


export function register(program: Command, io: Io): void {
  program
    .command('rates')
    .description('write a scenario’s rates table (data/rates/<scenario>.csv) from trained supernets, or (--classical) its classical results on the same test samples')
    .option('--supernets <dir>', 'runs DIR/<head>/<C_out>x<D_FCL>/seed-<s>/ (bench/train-supernets.sh)')
    .option('--classical', 'the classical precoders (MRT, ZF, RZF, equal-power RZF, WMMSE per start and tolerance) on the same test samples')
    .option('--scenario <name>', 'a named MIMO scenario', 'udem-nlos')
    .option('--samples <n>', 'test samples every rate is measured on', String(TABLE_SAMPLES))
    .option('--out <file>', 'the table to write (default: the shipped data/rates/<scenario>.csv or .classical.json)')
    .addOption(progressOption())
    .action(async (o: { supernets?: string; classical?: boolean; scenario: string; samples: string; out?: string; progress?: boolean }) => {
      const samples = positiveInt('--samples', o.samples);
      if (o.out !== undefined) outputFile(o.out, '--out', 'the table file');
      loadScenario(o.scenario);
      if (o.classical && o.supernets !== undefined) throw new InputError('--supernets', o.supernets, 'allowed: either --supernets or --classical, not both');
      if (!o.classical && o.supernets === undefined) throw new InputError('--supernets', '(none)', 'allowed: a supernet directory, or --classical');
      const { runClassical, runRates } = await import('../../studies/rates.ts');
      const progress = cliProgress(io, progressMode(io, o));
      try {
        if (o.classical) {
          const { file, table } = runClassical({ scenario: o.scenario, samples, out: o.out }, progress);
          io.stdout.write(`${file}: ${table.results.length} classical results on ${table.samples} test samples\n`);
        } else {
          const r = await runRates({ supernets: o.supernets!, scenario: o.scenario, samples, out: o.out }, progress);
          io.stdout.write(`${r.file}: ${r.rows} rows (${r.runs} runs rated or reused)\n`);
        }
      } finally {
        progress.stop();
      }
    });
}
