/**
 * OpenBLAS's settings for the native kernels, made through the environment because OpenBLAS reads
 * them once, when the addon first loads it — so they must be in place before then, and in the
 * process's real environment (a worker thread's process.env is its own copy: a pool sets them in
 * the main thread before its workers start). A user's own settings always win.
 */
import { cpus } from 'node:os';

/**
 * `concurrent` trainings will share this process's cores: each gets an equal share of OpenBLAS
 * threads (two trainings on two cores, one each), so that no product starts more threads than
 * there are cores, and the direct convolutions (which use as many threads as OpenBLAS) follow.
 * OpenBLAS's idle workers spin 2^4 cycles instead of 2^28: with the default they held a core
 * while our own threads wanted it (a CRNet step's median 132 ms against 124 ms).
 */
export function prepareNativeThreads(concurrent = 1): void {
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
  if (concurrent > 1) process.env.OPENBLAS_NUM_THREADS ??= String(Math.max(1, Math.floor(cpus().length / concurrent)));
}
