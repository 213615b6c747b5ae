import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/codesign.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a user would (`npx codesign …` runs this same bin). */
export function codesign(...args: string[]): CliResult {
  // A generous bound only against a hang: a busy machine must not fail a test by its speed.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
