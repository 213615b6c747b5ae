/**
 * Trainings on a BullMQ queue in Redis: the coordinator (`codesign search --quality train
 * --redis URL`) enqueues the points the store lacks and stores results as they come back; any
 * number of `codesign worker --redis URL` processes, on any machines that reach Redis, run them.
 *
 * A job's id is the content hash the results store keys the point by, so enqueuing a point twice
 * — a coordinator restarted mid-sweep — attaches to the job already queued, running or done
 * instead of adding another. A worker killed mid-job loses its lock; another worker takes the
 * job up again (BullMQ's stalled-job check) and resumes from the job's checkpoint directory.
 * A job whose input is wrong fails once (UnrecoverableError), with its message.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job } from 'bullmq';
import { join } from 'node:path';
import { InputError, ServiceError } from '../core/errors.ts';
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import { PointFailure } from './run.ts';
import { canonicalJson } from './store.ts';
import { INPUT_ERROR_MARK } from './training-job.ts';
import { prepareNativeThreads } from '../train/native-env.ts';

export const TRAINING_QUEUE = 'codesign-trainings';

/** Attempts per job: a worker lost mid-job (or Redis gone away) is retried, an input error is not. */
export const JOB_ATTEMPTS = 5;

export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db?: number;
  readonly username?: string;
  readonly password?: string;
  /** BullMQ's blocking workers need this (commands wait for a reconnection instead of failing). */
  readonly maxRetriesPerRequest: null;
}

/** redis://[user:password@]host[:port][/db], checked before any connection. */
export function redisConnection(url: string, field = 'redis'): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(field, url, 'allowed: a Redis URL, redis://host[:port][/db]');
  }
  if (u.protocol !== 'redis:') throw new InputError(field, url, 'allowed: a Redis URL, redis://host[:port][/db]');
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new InputError(field, url, 'allowed: a database number after the slash, e.g. redis://localhost:6379/0');
  const port = u.port ? Number(u.port) : 6379;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new InputError(field, url, 'allowed: a port from 1 to 65535, e.g. redis://localhost:6379');
  return {
    host: u.hostname || 'localhost',
    port,
    ...(db !== undefined ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    maxRetriesPerRequest: null,
  };
}

/** How long a probe waits for Redis to answer before it says the server is unreachable. */
export const REDIS_PROBE_MS = 5000;

/**
 * Checks that a Redis server answers at the connection's address before BullMQ and ioredis
 * (which would retry forever, or report "Protocol error, got "H"" for an HTTP port) are given
 * it: one TCP connection, an inline PING, the first reply byte read. `+PONG` or a `-` error
 * (NOAUTH: a Redis that wants the URL's password) is Redis; anything else is another service.
 */
export function probeRedis(c: RedisConnection, url: string, timeoutMs = REDIS_PROBE_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: c.host, port: c.port });
    let done = false;
    const finish = (problem?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (problem === undefined) resolve();
      else reject(new ServiceError('Redis', url, problem));
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs / 1000} s (is the host reachable and the port right?)`), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => {
      const first = data.toString('latin1', 0, 1);
      if (first === '+' || first === '-') finish();
      else finish(`the port answers, but not as Redis (its reply starts ${JSON.stringify(data.toString('latin1', 0, 12))}: another service?)`);
    });
    socket.once('end', () => finish('the server closed the connection without a Redis reply'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const words: Record<string, string> = { ECONNREFUSED: 'nothing listens on that port (connection refused)', ENOTFOUND: 'no such host', EHOSTUNREACH: 'the host is unreachable', ECONNRESET: 'the connection was reset' };
      finish((error.code && words[error.code]) ?? error.message.split('\n')[0]);
    });
  });
}

/** A job that ended failed: its input was wrong (no retry) or its attempts ran out. */
export class JobFailed extends PointFailure {
  constructor(
    readonly jobId: string,
    reason: string,
  ) {
    super(`job ${jobId}: ${reason}`);
  }
}

export interface JobQueue {
  /** Enqueues (or attaches to) the job of this id and kind, and waits for its result; `queued` is told once it is in the queue. */
  run<R>(kind: string, id: string, data: unknown, queued?: (state: string) => void): Promise<R>;
  close(): Promise<void>;
}

export async function jobQueue(url: string): Promise<JobQueue> {
  const connection = redisConnection(url);
  await probeRedis(connection, url);
  const queue = new Queue(TRAINING_QUEUE, { connection });
  const events = new QueueEvents(TRAINING_QUEUE, { connection });
  // Every job in flight waits on these emitters; a lost connection is retried by ioredis.
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  queue.on('error', () => {});
  events.on('error', () => {});
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    async run<R>(kind: string, id: string, data: unknown, queued?: (state: string) => void) {
      // Kept after completion so that a coordinator restarted later finds the result there.
      const job = await queue.add(kind, data, { jobId: id, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
      const state = await job.getState();
      queued?.(state);
      if (state === 'completed') return (await queueJob(queue, id)).returnvalue as R;
      if (state === 'failed') throw new JobFailed(id, (await queueJob(queue, id)).failedReason);
      try {
        return (await job.waitUntilFinished(events)) as R;
      } catch (error) {
        throw new JobFailed(id, (error as Error).message);
      }
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}

/** One job for this process (a `train` or `eval` handed to the workers): its id is its content hash. */
export async function submitJob<R>(url: string, kind: string, data: unknown, queued?: (id: string, state: string) => void): Promise<{ id: string; result: R }> {
  const id = createHash('sha256').update(canonicalJson({ kind, data })).digest('hex').slice(0, 32);
  const queue = await jobQueue(url);
  try {
    return { id, result: await queue.run<R>(kind, id, data, (state) => queued?.(id, state)) };
  } finally {
    await queue.close();
  }
}

async function queueJob(queue: Queue, id: string): Promise<Job> {
  const job = await queue.getJob(id);
  if (!job) throw new JobFailed(id, 'the job left the queue');
  return job;
}

export interface WorkerOptions {
  /** The thread module that runs a job: default export ({ kind, data, jobDir }) → result. */
  readonly jobModule: URL;
  readonly concurrency: number;
  /** How long a job's lock lasts without renewal: a worker killed mid-job frees its job after it. */
  readonly lockMs: number;
  /** Where each job keeps its checkpoints (shared storage when workers run on several machines). */
  readonly checkpoints: string;
  readonly log?: (line: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * A worker process: takes jobs and runs each in a thread of its own pool (so the process keeps
 * renewing its locks while a training computes); a job checkpoints under its id, or in the
 * directory its configuration names.
 */
export async function startWorker(url: string, o: WorkerOptions): Promise<RunningWorker> {
  const connection = redisConnection(url);
  prepareNativeThreads(o.concurrency);
  // minThreads = maxThreads: a thread piscina ends when idle would load tsx and tfjs again for the next job.
  const pool = new Piscina({ filename: o.jobModule.href, minThreads: o.concurrency, maxThreads: o.concurrency, execArgv: ['--import', 'tsx'] });
  const worker = new Worker(
    TRAINING_QUEUE,
    async (job) => {
      o.log?.(`job ${job.id} (${job.name}, attempt ${job.attemptsMade + 1})`);
      try {
        return await pool.run({ kind: job.name, data: job.data, jobDir: join(o.checkpoints, String(job.id)) });
      } catch (error) {
        // A wrong input fails the same way on every attempt: once, with its message.
        const message = (error as Error).message;
        if (message.startsWith(INPUT_ERROR_MARK)) throw new UnrecoverableError(message.slice(INPUT_ERROR_MARK.length));
        throw error;
      }
    },
    { connection, concurrency: o.concurrency, lockDuration: o.lockMs, stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)), maxStalledCount: JOB_ATTEMPTS },
  );
  worker.on('completed', (job) => o.log?.(`job ${job.id} done`));
  worker.on('failed', (job, error) => o.log?.(`job ${job?.id} failed: ${error.message}`));
  worker.on('error', (error) => o.log?.(`worker: ${error.message}`));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await pool.destroy();
    },
  };
}
