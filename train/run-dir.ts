/**
 * A training run's output directory: checked writable before any work, locked against a second
 * training, and never overwritten when it holds a checkpoint that cannot be resumed (unless the
 * caller asks to restart).
 */
import { alive, makeFolders } from '../core/files.ts';
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, InputError } from '../core/errors.ts';
import { holdsCheckpointFiles, latestCheckpoint } from './checkpoint.ts';

const LOCK = '.codesign-train.lock';

export interface RunDir {
  /** The checkpoint to resume from, if any. */
  readonly latest: string | undefined;
  release(): void;
}

/**
 * Opens `dir` for a training run. `restart`: start from scratch even if `dir` holds a
 * checkpoint that cannot be resumed (it is overwritten by the first epoch's checkpoint).
 */
export function openRunDir(dir: string, restart: boolean): RunDir {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError('out', dir, 'allowed: a directory (this is a file)');
  try {
    makeFolders(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new InputError('out', dir, `allowed: a writable directory (${(error as Error).message.split('\n')[0]})`);
  }
  const lock = join(dir, LOCK);
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && alive(pid)) throw new InputError('out', dir, `another training (process ${pid}) is writing there; allowed: a directory no other run is using`);
  }
  writeFileSync(lock, String(process.pid));
  const release = () => rmSync(lock, { force: true });
  let latest: string | undefined;
  try {
    latest = latestCheckpoint(dir);
    if (latest === undefined && holdsCheckpointFiles(dir) && !restart) {
      throw new CheckpointError(dir, 'holds files of a training run but no complete latest checkpoint; allowed: the same directory with --restart (its files are overwritten), or a new one');
    }
  } catch (error) {
    if (!(error instanceof CheckpointError) || !restart) {
      release();
      throw error instanceof CheckpointError ? new CheckpointError(error.path, `${error.problem}; to train from scratch over it, add --restart`) : error;
    }
    latest = undefined;
  }
  return { latest: restart ? undefined : latest, release };
}
