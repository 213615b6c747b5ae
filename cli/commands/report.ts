/** `codesign report`: the co-design report (HTML, PNG figures, Markdown summary) from the shipped rates. */
import type { Command } from 'commander';
import type { Io } from '../io.ts';
import { hardwareOf, hardwareOption, presetOption, progressOption } from '../options.ts';
import { cliProgress, progressMode } from '../progress.ts';
import { loadScenario } from '../../scenarios/schema.ts';

export function register(program: Command, io: Io): void {
  program
    .command('report')
    .description('the co-design report: Pareto fronts, DNN vs WMMSE vs ZF, per-layer energy, p sweep, engine vs closed form (HTML + PNG + Markdown)')
    .option('--scenario <name>', 'a named MIMO scenario or scenario file', 'udem-nlos')
    .option('--out <dir>', 'output directory', 'out/report')
    .option('--quick', 'skip the engine figures (p sweep, engine vs closed form)')
    .addOption(presetOption())
    .addOption(hardwareOption())
    .option('--model <file.onnx>', 'also price an ONNX model: its energy per layer and, without declared bits, its exact energy-vs-noise front')
    .option('--rates <file>', 'DNN rates from this table instead of the shipped data/rates/<scenario>.csv (write one with codesign rates --supernets DIR)')
    .option('--classical <file>', 'classical results on the same test samples instead of the shipped data/rates/<scenario>.classical.json (codesign rates --classical)')
    .addOption(progressOption())
    .action(async (o: { scenario: string; out: string; quick?: boolean; preset: string; hardware?: string; model?: string; rates?: string; classical?: string; progress?: boolean }, cmd: Command) => {
      const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
      const config = { scenario: loadScenario(o.scenario), out: o.out, quick: o.quick === true, preset: hardwareOf(o, given), ...(o.rates !== undefined ? { rates: o.rates } : {}), ...(o.classical !== undefined ? { classical: o.classical } : {}), ...(o.model !== undefined ? { model: o.model } : {}) };
      const { writeReport } = await import('../../studies/report.ts');
      const progress = cliProgress(io, progressMode(io, o));
      try {
        const r = await writeReport(config, progress);
        io.stdout.write(`report written to ${r.index}\n`);
      } finally {
        progress.stop();
      }
    });
}
