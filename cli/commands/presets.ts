/** `codesign presets`: the hardware presets. */
import type { Command } from 'commander';
import { PRESETS } from '../../sim/presets.ts';
import { table } from '../format.ts';
import type { Io } from '../io.ts';

export function register(program: Command, io: Io): void {
  program
    .command('presets')
    .description('list the hardware presets')
    .option('--json', 'print the presets as JSON')
    .action((options: { json?: boolean }) => {
      if (options.json) io.stdout.write(JSON.stringify(PRESETS, null, 2) + '\n');
      else io.stdout.write(table(['preset', 'summary'], PRESETS.map((p) => [p.name, p.summary])) + '\n');
    });
}
