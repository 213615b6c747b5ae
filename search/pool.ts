/**
 * Independent training jobs on a piscina worker pool, one thread per core by default. Workers
 * load the TypeScript sources through tsx; each trains and rates one configuration and returns
 * its result, and the coordinator (the caller) owns the results store.
 */
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import { prepareNativeThreads } from '../train/native-env.ts';
import type { TrainingJob, TrainingJobResult } from './training-job.ts';

export interface TrainingPool {
  run(job: TrainingJob): Promise<TrainingJobResult>;
  close(): Promise<void>;
}

export function trainingPool(threads = cpus().length): TrainingPool {
  prepareNativeThreads(threads);
  const pool = new Piscina({
    filename: new URL('./train-worker.ts', import.meta.url).href,
    // All threads for the pool's life: piscina ends a thread above minThreads as soon as it is
    // idle (idleTimeout 0), and each new one loads tsx, tfjs and the wasm backend again (16
    // trainings on two threads took 14.8 s that way, against 6.3 s on one).
    minThreads: threads,
    maxThreads: threads,
    execArgv: ['--import', 'tsx'],
  });
  return {
    run: (job) => pool.run(job) as Promise<TrainingJobResult>,
    close: () => pool.destroy(),
  };
}
