/**
 * The queue's figures (`npm run bench:queue`, JSON out): a sweep of 16 short dedicated trainings
 * on one worker process against two (parallel efficiency = T₁ / (2·T₂)), and the queue's
 * overhead per job — enqueue to start, measured one job at a time on an idle worker.
 * Starts its own redis-server on a free local port (Debian's redis-server must be installed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { TRAINING_QUEUE, jobQueue, redisConnection } from '../search/queue.ts';
import type { TrainingJob } from '../search/training-job.ts';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'codesign-bench-queue-'));
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const url = `redis://127.0.0.1:${port}`;
const started = (child: ChildProcess, pattern: RegExp) =>
  new Promise<void>((resolve) => {
    let seen = '';
    const look = (c: Buffer) => ((seen += c.toString()), pattern.test(seen) && resolve());
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
  });
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir]);
await started(redis, /Ready to accept connections/);
const workers: ChildProcess[] = [];
const startWorker = async () => {
  const w = spawn(process.execPath, [join(root, 'bin', 'codesign.js'), 'worker', '--redis', url, '--checkpoints', join(dir, 'checkpoints')], { cwd: root });
  workers.push(w);
  await started(w, /taking jobs from/);
};
const stopWorkers = async () => {
  await Promise.all(workers.splice(0).map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.kill('SIGTERM')))));
};

writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ name: 'tiny', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 2, split: { train: 64, validation: 16, test: 16 } }));
const job = (i: number, seed: number): TrainingJob => ({ scenario: join(dir, 'tiny.json'), head: 'direct', cout: 8, dfcl: 64 + 8 * i, bits: [8, 8, 8, 8], epochs: 2, batchSize: 16, learningRate: 1e-3, seed, testSamples: 16 });
const queue = await jobQueue(url);
const sweep = async (seed: number) => {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, (_, i) => queue.run('train-point', `bench-${seed}-${i}`, job(i, seed))));
  return performance.now() - t0;
};

await startWorker();
await sweep(100); // warm-up: the worker's thread loads tfjs and the dataset cache
const one = await sweep(1);
// Overhead: one job at a time on the idle worker, enqueue → processing start (Redis timestamps).
const inspect = new Queue(TRAINING_QUEUE, { connection: redisConnection(url) });
const latencies: number[] = [];
for (let i = 0; i < 8; i++) {
  await queue.run('train-point', `bench-latency-${i}`, job(i, 7));
  const j = await inspect.getJob(`bench-latency-${i}`);
  latencies.push(j!.processedOn! - j!.timestamp);
}
await startWorker();
await sweep(101); // warm-up of the second worker
const two = await sweep(2);
await stopWorkers();
await inspect.close();
await queue.close();
redis.kill('SIGKILL');
rmSync(dir, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify(
    {
      machine: { cores: cpus().length, loadAverage_1_5_15min: loadavg() },
      sweep: '16 dedicated trainings (precoder 8/64…8/184, 2 epochs, 64 training samples)',
      one_worker_s: one / 1000,
      two_workers_s: two / 1000,
      speedup: one / two,
      parallel_efficiency: one / (2 * two),
      enqueue_to_start_ms: { median: latencies[4], min: latencies[0], max: latencies[7] },
    },
    null,
    2,
  ) + '\n',
);
