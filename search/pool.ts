/**
 * Independent training jobs on a piscina worker pool, one thread per core by default. Workers
 * load the TypeScript sources through tsx; each trains and rates one configuration and returns
 * its result, and the coordinator (the caller) owns the results store.
 */
import { cpus } from 'node:os';
import { Piscina } from 'piscina';
import type { TrainingJob, TrainingJobResult } from './training-job.ts';

export interface TrainingPool {
  run(job: TrainingJob): Promise<TrainingJobResult>;
  close(): Promise<void>;
}

export function trainingPool(threads = cpus().length): TrainingPool {
  const pool = new Piscina({
    filename: new URL('./train-worker.ts', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    execArgv: ['--import', 'tsx'],
  });
  return {
    run: (job) => pool.run(job) as Promise<TrainingJobResult>,
    close: () => pool.destroy(),
  };
}
