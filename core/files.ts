/**
 * Files written whole: to a temporary name beside the target, then renamed over it, so a crash
 * or a failed write never leaves half a file where a result was (the rename is atomic on one
 * file system). The temporary name carries the process and thread, so parallel writers of the
 * same file never share one.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from './errors.ts';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

/** A temporary path beside `file`, for a writer that cannot take a buffer (e.g. DuckDB's COPY). */
export function temporaryBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${threadId}.tmp`);
}

/** Moves a finished temporary file over `file`; on failure removes it and rethrows. */
export function replaceWith(file: string, temporary: string): void {
  try {
    refuseNonRegular(file);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function writeWhole(file: string, data: string | NodeJS.ArrayBufferView): void {
  refuseNonRegular(file);
  removeStaleTemporaries(file);
  const temporary = temporaryBeside(file);
  try {
    writeFileSync(temporary, data);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  faultPoint('before-rename');
  replaceWith(file, temporary);
}

/**
 * Temporaries of `file` left by a writer that was killed (its pid no longer runs): removed, so a
 * crash leaves no litter beyond the next write. A live writer's temporaries are left alone.
 */
function removeStaleTemporaries(file: string): void {
  const folder = dirname(file);
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    // A set's backups (".previous-i") belong to its journal: recoverSet restores or removes them.
    const m = /^(\d+)-\d+\.tmp$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(folder, name), { force: true });
  }
}

/** Whether a process of this id runs (EPERM: it runs, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A rename over a device, FIFO or folder would replace it (results export over /dev/full did). */
function refuseNonRegular(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  if (!st.isFile()) throw new Error(`${file} is not a regular file (a folder, device, FIFO or socket): it is not replaced`);
}

/**
 * Fault injection for the kill tests (cli/test/kill-writes.test.ts): when CODESIGN_FAULT names this
 * point, the process kills itself here with SIGKILL, as a power cut or `kill -9` would.
 */
export function faultPoint(name: string): void {
  if (process.env.CODESIGN_FAULT === name) process.kill(process.pid, 'SIGKILL');
}

/**
 * An output file a user named (--out, --trace, --export), checked before any work: in an
 * existing folder, and either new or a regular file (never a folder, device or FIFO, which a
 * rename would replace).
 */
export function outputFile(file: string, field: string, what: string): string {
  const dir = dirname(resolve(file));
  let folder;
  try {
    folder = statSync(dir);
  } catch (error) {
    throw new InputError(field, file, `allowed: ${what} in an existing folder (${dir}: ${errnoWords(error)})`);
  }
  if (!folder.isDirectory()) throw new InputError(field, file, `allowed: ${what} in an existing folder (${dir} is a file)`);
  let st;
  try {
    st = statSync(file);
  } catch {
    return file;
  }
  if (!st.isFile()) throw new InputError(field, file, `allowed: ${what}, a new or regular file (this is ${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a device or socket'}, which is never replaced)`);
  return file;
}

/** One file of a set written together. */
export interface SetFile {
  readonly path: string;
  readonly data: string | NodeJS.ArrayBufferView;
}

interface JournalEntry {
  readonly target: string;
  readonly temporary: string;
  /** The previous file's second name (a hard link), when there was one. */
  readonly backup?: string;
}

const journalOf = (files: readonly string[]) => join(dirname(files[0]), `.${basename(files[0])}.set-journal`);

/**
 * Several files replaced as one (an export's arrays and their JSON sidecar): all new or, after a
 * kill at any moment, all old. The temporaries are written first; a journal (written whole)
 * lists each target and a hard link to its previous version; then the renames; removing the
 * journal commits. A journal left by a killed writer is rolled back by `recoverSet`, which the
 * next export of the set runs before anything else (until then the previous files wait, whole,
 * as hard links beside the journal).
 */
export function writeSet(files: readonly SetFile[]): void {
  const targets = files.map((f) => f.path);
  recoverSet(targets);
  targets.forEach(refuseNonRegular);
  targets.forEach(removeStaleTemporaries);
  const entries: JournalEntry[] = files.map((f, i) => ({ target: f.path, temporary: temporaryBeside(f.path), ...(existsSync(f.path) ? { backup: `${temporaryBeside(f.path)}.previous-${i}` } : {}) }));
  try {
    files.forEach((f, i) => {
      if (i === 1) faultPoint('between-writes');
      writeFileSync(entries[i].temporary, f.data);
    });
  } catch (error) {
    entries.forEach((e) => rmSync(e.temporary, { force: true }));
    throw error;
  }
  const journal = journalOf(targets);
  writeWhole(journal, JSON.stringify(entries));
  for (const e of entries) if (e.backup) linkSync(e.target, e.backup);
  entries.forEach((e, i) => {
    if (i === 1) faultPoint('between-renames');
    renameSync(e.temporary, e.target);
  });
  rmSync(journal);
  for (const e of entries) if (e.backup) rmSync(e.backup, { force: true });
}

/** Rolls back a set whose writer was killed between its journal and its commit; true if it did. */
export function recoverSet(targets: readonly string[]): boolean {
  const journal = journalOf(targets);
  if (!existsSync(journal)) return false;
  const entries = JSON.parse(readFileSync(journal, 'utf8')) as JournalEntry[];
  for (const e of entries) {
    if (e.backup === undefined) rmSync(e.target, { force: true });
    else if (existsSync(e.backup)) {
      // Two names of one file when the target was not yet replaced: rename would keep both.
      rmSync(e.target, { force: true });
      renameSync(e.backup, e.target);
    }
    rmSync(e.temporary, { force: true });
  }
  rmSync(journal);
  return true;
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
    throw new InputError(field, file, `allowed: ${what} (${errnoWords(error)})`);
  }
  const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : null;
  if (kind) throw new InputError(field, file, `allowed: ${what}, a regular file (this is ${kind})`);
  if (st.size > maxBytes) throw new InputError(field, file, `allowed: ${what} of at most ${(maxBytes / 2 ** 20).toLocaleString('en-US')} MiB (this is ${(st.size / 2 ** 20).toFixed(1)} MiB)`);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new InputError(field, file, `allowed: ${what} (${errnoWords(error)})`);
  }
}

/** A file system error in words a user reads (not the system's ENOENT/EACCES codes). */
export function errnoWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'there is no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'this is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ELOOP: 'symbolic links loop',
    ENAMETOOLONG: 'the name is too long',
    ENOSPC: 'the disk is full',
    EROFS: 'the file system is read-only',
    EEXIST: 'it already exists',
  };
  return (code && words[code]) ?? (error as Error).message.split('\n')[0];
}

/** Size limits of the files a user hands the tool (stated in the messages). */
export const INPUT_LIMITS = { hardware: 2 ** 20, bits: 2 ** 20, scenario: 2 ** 20, model: 2 ** 31, data: 2 ** 31 } as const;

/** How deep a user's JSON/YAML may nest: far beyond any real file, short of any stack. */
export const MAX_NESTING = 32;

/**
 * Parses a user's JSON or YAML text (`parse` is JSON.parse or yaml's) and checks the result is
 * plain data a validator can walk: nested at most MAX_NESTING deep and free of cycles (a YAML
 * alias inside its own anchor). Every failure names the file and says what is allowed; the
 * parser's own words are kept only where they locate a syntax error.
 */
export function parseDataFile(text: string, file: string, field: string, what: string, parse: (text: string) => unknown): unknown {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const deep = error instanceof RangeError || /call stack/i.test((error as Error).message);
    throw new InputError(field, file, `allowed: ${what} (${deep ? `nested deeper than ${MAX_NESTING} levels` : `a syntax error: ${(error as Error).message.split('\n')[0]}`})`);
  }
  const problem = shapeProblem(raw, 0, new Set());
  if (problem) throw new InputError(field, file, `allowed: ${what} (${problem})`);
  return raw;
}

function shapeProblem(v: unknown, depth: number, open: Set<object>): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (depth >= MAX_NESTING) return `nested deeper than ${MAX_NESTING} levels`;
  if (open.has(v)) return 'a value that contains itself (a YAML alias inside its own anchor)';
  open.add(v);
  for (const x of Array.isArray(v) ? v : Object.values(v)) {
    const p = shapeProblem(x, depth + 1, open);
    if (p) return p;
  }
  open.delete(v);
  return undefined;
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(…, { recursive: true })` never returns for
 * a path under /proc whose parent is missing (it retries ENOENT forever).
 */
export function makeFolders(dir: string): void {
  const full = resolve(dir);
  const missing: string[] = [];
  for (let d = full; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d);
}

/**
 * A folder the tool will write into (checkpoints, outputs): created if missing, refused when it
 * is a file, or a folder this process cannot write (e.g. /proc), before any work starts.
 */
export function writableFolder(dir: string, field: string, what: string): string {
  try {
    makeFolders(dir);
  } catch (error) {
    const file = (error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOTDIR';
    throw new InputError(field, dir, `allowed: ${what}, a folder this process can create (${file ? 'a file is in the way' : errnoWords(error)})`);
  }
  if (!statSync(dir).isDirectory()) throw new InputError(field, dir, `allowed: ${what}, a folder this process can create (a file is in the way)`);
  // Tried, not asked: access(W_OK) says yes to root for /proc, where no file can be made.
  try {
    rmSync(mkdtempSync(join(dir, '.codesign-write-check-')), { recursive: true });
  } catch (error) {
    throw new InputError(field, dir, `allowed: ${what}, a folder this process can write (${errnoWords(error)})`);
  }
  return dir;
}
