/** Where the CLI writes: stdout for results, stderr for logs and progress. Tests pass their own. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

export const PROCESS_IO: Io = { stdout: process.stdout, stderr: process.stderr };

/** Ends a command with an exit code after its output is written (e.g. 1 when a law fails): not an error to print. */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
