/**
 * Progress of long work, as a typed sink the workflows report to and the CLI renders (a bar with
 * counts and ETA on a terminal, nothing under --json). Library code never writes to stderr itself.
 */
export interface ProgressTask {
  /** `done` more units finished; `detail` replaces the task's status text. */
  tick(done?: number, detail?: string): void;
  /** The task ended (also when it stopped before its total). */
  end(): void;
}

export interface Progress {
  /** A stage of `total` units (configurations, samples, steps). */
  task(label: string, total: number): ProgressTask;
  /** A line worth keeping in the log (a cache hit, an epoch's figures). */
  log(message: string): void;
}

const NO_TASK: ProgressTask = { tick() {}, end() {} };

/** Reports nothing: the default of every workflow. */
export const SILENT: Progress = { task: () => NO_TASK, log() {} };

/**
 * Adapts a `(done, total)` callback (what loops over configurations report) to a task that is
 * opened on the first call and ended when `done` reaches `total`.
 */
export function doneOfTotal(progress: Progress, label: string): (done: number, total: number) => void {
  let task: ProgressTask | undefined;
  let reported = 0;
  return (done, total) => {
    task ??= progress.task(label, total);
    task.tick(done - reported);
    reported = done;
    if (done >= total) task.end();
  };
}
