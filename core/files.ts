/**
 * Files written whole: to a temporary name beside the target, then renamed over it, so a crash
 * or a failed write never leaves half a file where a result was (the rename is atomic on one
 * file system). The temporary name carries the process and thread, so parallel writers of the
 * same file never share one.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
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
