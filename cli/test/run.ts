/**
 * The CLI in process, as a user calls it: arguments in, exit code and both streams out. The CLI's
 * own tests live beside it (nothing outside cli/ imports cli/); library logic is tested in test/.
 */
import { runCli } from '../program.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function codesign(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}
