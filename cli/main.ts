/** The `codesign` executable: the program on this process's arguments and streams. */
import { PROCESS_IO } from './io.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2), PROCESS_IO);
