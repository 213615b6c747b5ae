/** `codesign start` (npm start): the main job on embedded defaults, then the co-design report. */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { table } from '../format.ts';
import { checkDeterministic, deterministicOption, jsonDocument, presetOf, presetOption, refuseGiven, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { reproductionTable } from './reproduce.ts';
import { loadScenario } from '../../scenarios/schema.ts';

export function register(program: Command, io: Io): void {
  program
    .command('start')
    .description('the main job: price all 2048 seed-000 design points and the baselines, print a summary, and write the co-design report from the shipped rates of trained networks')
    .addOption(presetOption())
    .option('--scenario <name>', 'scenario of the report (one with a shipped rates table: data/rates/)', 'udem-nlos')
    .option('--out <dir>', 'where the report goes', 'out/report')
    .option('--no-report', 'skip the report')
    .option('--json', 'print the summary (and where the report went) as JSON')
    .addOption(deterministicOption())
    .addOption(progressOption())
    .action(async (options: { preset: string; scenario: string; out: string; report: boolean; json?: boolean; deterministic?: boolean; progress?: boolean }, cmd: Command) => {
      checkDeterministic(options);
      if (!options.report) refuseGiven(options, (name) => cmd.getOptionValueSource(name) === 'cli', ['scenario', 'out'], () => 'allowed: only with the report (--no-report writes none)');
      const preset = presetOf(options.preset);
      const scenario = options.report ? loadScenario(options.scenario) : undefined;
      const { runStart } = await import('../../studies/start.ts');
      const summary = runStart(preset);
      if (!options.json) {
        const { reproduceSeed000 } = await import('../../studies/reproduce.ts');
        const points = summary.points;
        const archRows = [...new Set(points.map((p) => `${p.config.cout}/${p.config.dfcl}`))].map((arch) => {
          const mine = points.filter((p) => `${p.config.cout}/${p.config.dfcl}` === arch);
          const min = mine.reduce((a, b) => (b.energy_uJ < a.energy_uJ ? b : a));
          const max = mine.reduce((a, b) => (b.energy_uJ > a.energy_uJ ? b : a));
          return [arch, mine[0].macs, min.energy_uJ, min.config.bits.join(','), max.energy_uJ, max.config.bits.join(',')];
        });
        io.stdout.write(
          [
            `Priced ${points.length} seed-000 design points and 2 baselines on ${summary.preset} in ${summary.timing.elapsed_ms.toFixed(1)} ms.`,
            '',
            table(['C_out/D_FCL', 'MACs', 'min µJ', 'at bits', 'max µJ', 'at bits'], archRows),
            '',
            'Seed 000 Tables I–II (N_T=64, N_U=4):',
            reproductionTable(reproduceSeed000(preset)),
            '',
            'Per-op breakdown: npx codesign energy --net precoder --bits 8,8,8,8   (docs/reproduction.md explains the gaps)',
          ].join('\n') + '\n',
        );
      }
      let report: { readonly index: string; readonly summaryLine: string } | undefined;
      if (scenario) {
        const { writeReport } = await import('../../studies/report.ts');
        const progress = cliProgress(io, progressMode(io, options));
        try {
          const r = await writeReport({ scenario, out: options.out, quick: false, preset }, progress);
          report = { index: r.index, summaryLine: r.headline.summaryLine };
        } finally {
          progress.stop();
        }
      }
      if (options.json) {
        io.stdout.write(jsonDocument({ ...summary, report: report ?? null }, options) + '\n');
      } else if (report) {
        io.stdout.write(`\n${report.summaryLine}\nReport written to ${report.index} (open it in a browser; summary.md beside it).\n`);
      }
    });
}
