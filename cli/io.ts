/** Where the CLI writes: stdout for results, stderr for logs and progress. Tests pass their own. */
export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

export const PROCESS_IO: Io = { stdout: process.stdout, stderr: process.stderr };
