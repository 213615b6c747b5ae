/** `codesign worker`: takes dedicated training jobs from the BullMQ queue in Redis until stopped. */
import type { Command } from 'commander';
import { ServiceError } from '../../core/errors.ts';
import { writableFolder } from '../../core/files.ts';
import { positiveInt } from '../../core/validate.ts';
import type { Io } from '../io.ts';
import { redisUrl } from './search.ts';

export function register(program: Command, io: Io): void {
  program
    .command('worker')
    .description('run jobs from the queue in Redis — dedicated and supernet trainings, codec and SLP-DNet trainings, supernet ratings (enqueued by search, train and eval with --redis URL); stops cleanly on SIGINT or SIGTERM')
    .requiredOption('--redis <url>', 'the Redis the coordinator enqueues into, redis://host[:port][/db]')
    .option('--concurrency <n>', 'trainings at once, each in its own thread', '1')
    .option('--checkpoints <dir>', 'where each job checkpoints (shared storage when workers run on several machines: a job taken up again resumes there)', 'out/queue-checkpoints')
    .option('--lock-ms <ms>', 'a job’s lock without renewal: after it, a job whose worker died goes to another worker', '30000')
    .action(async (o: { redis: string; concurrency: string; checkpoints: string; lockMs: string }) => {
      const url = redisUrl(o.redis);
      const options = {
        jobModule: new URL('../../studies/queue-jobs.ts', import.meta.url),
        concurrency: positiveInt('--concurrency', o.concurrency, 256),
        checkpoints: writableFolder(o.checkpoints, '--checkpoints', 'where jobs checkpoint'),
        lockMs: positiveInt('--lock-ms', o.lockMs),
        log: (line: string) => void io.stderr.write(`worker ${process.pid}: ${line}\n`),
      };
      const { probeRedis, redisConnection, startWorker } = await import('../../search/queue.ts');
      // A worker may start before its Redis: it waits, saying so once and then every minute;
      // a port that answers as another service is a wrong URL and ends the worker (exit 1).
      let stopped = false;
      const stopWaiting = () => void (stopped = true);
      process.once('SIGINT', stopWaiting);
      process.once('SIGTERM', stopWaiting);
      for (let attempt = 0, lastTold = -Infinity; ; attempt++) {
        try {
          await probeRedis(redisConnection(url, '--redis'), url);
          break;
        } catch (error) {
          if (!(error instanceof ServiceError) || /not as Redis/.test(error.problem)) throw error;
          if (Date.now() - lastTold >= 60_000) {
            options.log(`waiting for Redis at ${url}: ${error.problem}; trying again every 5 s${attempt > 0 ? ` (${attempt} tries so far)` : ''}`);
            lastTold = Date.now();
          }
        }
        for (let t = 0; t < 50 && !stopped; t++) await new Promise((r) => setTimeout(r, 100));
        if (stopped) {
          options.log('stopped before Redis answered');
          return;
        }
      }
      process.off('SIGINT', stopWaiting);
      process.off('SIGTERM', stopWaiting);
      const worker = await startWorker(url, options);
      io.stderr.write(`worker ${process.pid}: taking jobs from ${url} (concurrency ${options.concurrency}, checkpoints in ${options.checkpoints})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await worker.close();
      io.stderr.write(`worker ${process.pid}: stopped\n`);
    });
}
