/**
 * Files written whole: to a temporary name beside the target, then renamed over it, so a crash
 * or a failed write never leaves half a file where a result was (the rename is atomic on one
 * file system). The temporary name carries the process and thread, so parallel writers of the
 * same file never share one.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from './errors.ts';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** A temporary path beside `file`, for a writer that cannot take a buffer (e.g. DuckDB's COPY). */
export function temporaryBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${threadId}.tmp`);
}

/** Moves a finished temporary file over `file`; on failure removes it and rethrows. */
export function replaceWith(file: string, temporary: string): void {
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function writeWhole(file: string, data: string | NodeJS.ArrayBufferView): void {
  const temporary = temporaryBeside(file);
  try {
    writeFileSync(temporary, data);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  replaceWith(file, temporary);
}

/**
 * Reads a file a user named: a regular file (not a directory, a device such as /dev/zero or a
 * FIFO that would block) of at most `maxBytes`, checked before a byte is read.
 */
export function readInput(file: string, field: string, maxBytes: number, what: string): Buffer {
  let st;
  try {
    st = statSync(file);
  } catch (error) {
    throw new InputError(field, file, `allowed: ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : null;
  if (kind) throw new InputError(field, file, `allowed: ${what}, a regular file (this is ${kind})`);
  if (st.size > maxBytes) throw new InputError(field, file, `allowed: ${what} of at most ${(maxBytes / 2 ** 20).toLocaleString('en-US')} MiB (this is ${(st.size / 2 ** 20).toFixed(1)} MiB)`);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError(field, file, `allowed: ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Size limits of the files a user hands the tool (stated in the messages). */
export const INPUT_LIMITS = { hardware: 2 ** 20, bits: 2 ** 20, model: 2 ** 31, data: 2 ** 31 } as const;
