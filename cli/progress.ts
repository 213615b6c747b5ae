/**
 * The CLI's rendering of workflow progress: on a terminal, a bar per running task with counts and
 * ETA (cli-progress); otherwise, when asked (--progress), a line every twentieth of a task; and
 * nothing under --json unless asked. Log lines always go to stderr.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { Progress, ProgressTask } from '../core/progress.ts';
import type { Io } from './io.ts';

export type ProgressMode = 'bars' | 'lines' | 'off';

/** Bars on a terminal unless --json; lines when --progress asks on a pipe; else only log lines. */
export function progressMode(io: Io, options: { readonly json?: boolean; readonly progress?: boolean }): ProgressMode {
  if (io.stderr.isTTY) return options.json && !options.progress ? 'off' : 'bars';
  return options.progress ? 'lines' : 'off';
}

const seconds = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

export function cliProgress(io: Io, mode: ProgressMode): Progress & { stop(): void } {
  const log = (message: string) => void io.stderr.write(`${message}\n`);
  if (mode === 'off') return { task: () => ({ tick() {}, end() {} }), log, stop() {} };
  if (mode === 'lines') {
    return {
      log,
      stop() {},
      task(label, total) {
        const t0 = performance.now();
        const every = Math.max(1, Math.floor(total / 20));
        let done = 0;
        let lastLine = 0;
        return {
          tick(n = 1) {
            done += n;
            if (done - lastLine < every && done < total) return;
            lastLine = done;
            const eta = done > 0 && done < total ? `, ETA ${seconds(((performance.now() - t0) / done) * (total - done))}` : '';
            io.stderr.write(`${done}/${total} ${label}${eta}\n`);
          },
          end() {},
        };
      },
    };
  }
  const bars = new MultiBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    { format: ' {label} [{bar}] {value}/{total} | ETA {eta_formatted} | {detail}', barCompleteChar: '#', barIncompleteChar: '.' },
  );
  // Most work here is synchronous (solvers, sweeps): the bars' own timer cannot fire while it
  // runs, so a tick redraws them itself, at most every 100 ms.
  let lastDraw = 0;
  const redraw = () => {
    const now = performance.now();
    if (now - lastDraw < 100) return;
    lastDraw = now;
    (bars as MultiBar & { update(): void }).update();
  };
  return {
    log: (message) => bars.log(`${message}\n`),
    stop: () => bars.stop(),
    task(label, total): ProgressTask {
      const bar: SingleBar = bars.create(total, 0, { label, detail: '' });
      let ended = false;
      return {
        tick: (n = 1, detail) => {
          bar.increment(n, detail === undefined ? {} : { detail });
          redraw();
        },
        end: () => {
          if (ended) return;
          ended = true;
          bar.stop();
          bars.remove(bar);
        },
      };
    },
  };
}
