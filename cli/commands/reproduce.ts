/** `codesign reproduce`: seed 000 Tables I–II beside our numbers, under one preset or all. */
import type { Command } from 'commander';
import { DEFAULT_PRESET, PRESETS } from '../../sim/presets.ts';
import type { ReproductionRow } from '../../studies/reproduce.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';
import { presetOf } from '../options.ts';

export function register(program: Command, io: Io): void {
  program
    .command('reproduce')
    .description('seed 000 Tables I–II next to our numbers, under one preset (or all) for every row')
    .option('--preset <name>', 'hardware preset, or "all"', DEFAULT_PRESET.name)
    .option('--json', 'print the rows as JSON')
    .action(async (options: { preset: string; json?: boolean }) => {
      const presets = options.preset === 'all' ? PRESETS : [presetOf(options.preset)];
      const { reproduceSeed000 } = await import('../../studies/reproduce.ts');
      const results = presets.map((preset) => ({ preset: preset.name, rows: reproduceSeed000(preset) }));
      if (options.json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else io.stdout.write(results.map((r) => `${r.preset}\n${reproductionTable(r.rows)}`).join('\n\n') + '\n');
    });
}

export function reproductionTable(rows: readonly ReproductionRow[]): string {
  return table(
    ['row', 'paper µJ', 'ours µJ', 'rel. error', 'E_C', 'E_W', 'E_A'],
    rows.map((r) => [r.row, r.paper_uJ, r.ours_uJ, `${(r.relativeError * 100).toFixed(1)}%`, r.terms_uJ.compute, r.terms_uJ.weight, r.terms_uJ.activation]),
  );
}
