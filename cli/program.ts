/**
 * The commander program: one file per command under commands/, each parsing its flags into a
 * typed config, calling a workflow (imported only when the command runs, so `energy` never loads
 * tfjs, DuckDB or vega) and rendering the result. Bad input ends in one line on stderr and exit
 * code 2; a failed run in exit code 1.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CheckpointError, FileError, InputError, printable, ServiceError, ShapeError } from '../core/errors.ts';
import { ExitStatus, type Io } from './io.ts';
import { register as baseline } from './commands/baseline.ts';
import { register as energy } from './commands/energy.ts';
import { register as evaluate } from './commands/eval.ts';
import { register as exportModel } from './commands/export.ts';
import { register as worker } from './commands/worker.ts';
import { register as presets } from './commands/presets.ts';
import { register as rates } from './commands/rates.ts';
import { register as regimes } from './commands/regimes.ts';
import { register as link } from './commands/link.ts';
import { register as report } from './commands/report.ts';
import { register as reproduce } from './commands/reproduce.ts';
import { register as scenario } from './commands/scenario.ts';
import { register as search } from './commands/search.ts';
import { register as simulate } from './commands/simulate.ts';
import { register as start } from './commands/start.ts';
import { register as laws } from './commands/laws.ts';
import { register as train } from './commands/train.ts';

/** The package's own version, read from the package.json beside cli/ (shipped with the tool). */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const COMMANDS = [energy, simulate, start, baseline, scenario, train, rates, regimes, link, evaluate, search, report, reproduce, presets, laws, exportModel, worker];

/** Commander's own usage errors look like ours: one `codesign: ` line. */
const output = (io: Io) => ({
  writeOut: (s: string) => void io.stdout.write(s),
  writeErr: (s: string) => void io.stderr.write(s),
  // commander adds "\n(Did you mean --bits?)" to an unknown option: kept on the same line, in words.
  outputError: (s: string, write: (s: string) => void) => write(`codesign: ${printable(s.replace(/^error: /, '').trimEnd().replace(/\n\(Did you mean (.*?)\??\)$/, '; did you mean $1?'))}\n`),
});

export function buildProgram(io: Io): Command {
  const program = new Command()
    .name('codesign')
    .description('Energy, time and memory of quantized precoders and CSI codecs on a MAC-array accelerator')
    .version(VERSION, '-V, --version', 'the version of codesign')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput(output(io));
  for (const register of COMMANDS) register(program, io);
  // Subcommands inherit the output and exit behaviour (commander copies settings at creation only).
  const configure = (cmd: Command) => {
    cmd.exitOverride().configureOutput(output(io));
    cmd.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  return program;
}

/** Errors that are the user's input: a usage error (exit 2), whichever layer found it. */
function isUsageError(error: unknown): error is Error {
  return error instanceof InputError || error instanceof ShapeError || error instanceof FileError || error instanceof CheckpointError;
}

/**
 * A workflow names the config field it rejects ('scenario', 'topology'); the user typed a flag.
 * An InputError whose field is an option of the running command is told with that flag.
 */
function asTyped(error: InputError, command: Command | undefined): InputError {
  const option = command?.options.find((o) => o.attributeName() === error.field);
  return option?.long && !error.field.startsWith('-') ? new InputError(option.long, error.value, error.allowed) : error;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  let running: Command | undefined;
  program.hook('preAction', (_, action) => {
    running = action;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof ExitStatus) return error.code;
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error, already printed.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
    }
    if (isUsageError(error)) {
      io.stderr.write(`codesign: ${printable((error instanceof InputError ? asTyped(error, running) : error).message, '\n')}\n`);
      return 2;
    }
    if (error instanceof ServiceError) {
      io.stderr.write(`codesign: ${printable(error.message)}\n`);
      return 1;
    }
    // A library's own message (tfjs, DuckDB, fs) is cut to its first line, without caret diagrams.
    io.stderr.write(`codesign: run failed: ${printable((error instanceof Error ? error.message : String(error)).split('\n')[0])}\n`);
    return 1;
  }
}
