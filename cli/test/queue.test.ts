/**
 * Dedicated trainings on a BullMQ queue with a real Redis server (started here; `.ci/run`
 * installs Debian's redis-server), worker processes started as a user starts them, and the
 * coordinator as `codesign search --quality train --redis URL`. Each point is stored once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultsStore } from '../../search/store.ts';
import { TRAINING_QUEUE, redisConnection } from '../../search/queue.ts';
import { codesign } from './run.ts';

const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!HAS_REDIS) console.warn('cli/test/queue.test.ts skipped: redis-server is not installed (.ci/run installs it from Debian)');

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'codesign-queue-'));
const children: ChildProcess[] = [];
let redis: ChildProcess | undefined;
let url = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * Resolves when a child prints a line matching `pattern` (its start is not timed); rejects with
 * what it printed if it exits first, so that a child that dies says why instead of the test
 * waiting for vitest's timeout.
 */
const printed = (child: ChildProcess, pattern: RegExp) =>
  new Promise<void>((resolve, reject) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before printing ${pattern}:\n${seen}`)));
  });

async function startRedis(port: number): Promise<ChildProcess> {
  const r = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--bind', '127.0.0.1']);
  await printed(r, /Ready to accept connections/);
  return r;
}

/**
 * A worker as a user starts it. Its lock is short only where a test kills a worker (a dead
 * worker's job moves on after it); elsewhere the default, so that a loaded machine delaying a
 * lock renewal does not stall a live worker's job.
 */
async function startWorker(lockMs = 30_000): Promise<ChildProcess> {
  const w = spawn(process.execPath, [join(ROOT, 'bin', 'codesign.js'), 'worker', '--redis', url, '--lock-ms', String(lockMs), '--checkpoints', join(dir, 'checkpoints')], { cwd: ROOT });
  children.push(w);
  await printed(w, /taking jobs from/);
  return w;
}

const stop = (c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill(signal);
  });

const scenario = join(dir, 'tiny64.json');
const sweep = (db: string, archs: string, epochs = 1) => ['search', '--db', db, '--archs', archs, '--choices', '16', '--quality', 'train', '--scenario', scenario, '--epochs', String(epochs), '--batch', '16', '--samples', '8', '--redis', url, '--json'];

/** A finished sweep: exit 0, nothing failed, `n` points stored once each; their hashes. */
async function storedOnce(r: { code: number; stdout: string; stderr: string }, db: string, n: number): Promise<string[]> {
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).failed).toEqual([]);
  const hashes = await storedHashes(db);
  expect(hashes).toHaveLength(n);
  expect(new Set(hashes).size).toBe(n);
  return hashes;
}

async function storedHashes(db: string): Promise<string[]> {
  const store = await ResultsStore.open(db, 'read');
  try {
    return (await store.all()).map((p) => p.hash);
  } finally {
    store.close();
  }
}

describe.skipIf(!HAS_REDIS)('trainings on a BullMQ queue in Redis', () => {
  let queue: Queue;
  let events: QueueEvents;
  beforeAll(async () => {
    writeFileSync(scenario, JSON.stringify({ name: 'tiny64', model: 'rayleigh', nt: 64, nu: 4, snrDb: 10, seed: 2, split: { train: 32, validation: 8, test: 8 } }));
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    queue = new Queue(TRAINING_QUEUE, { connection: redisConnection(url) });
    events = new QueueEvents(TRAINING_QUEUE, { connection: redisConnection(url) });
    // The Redis restart below resets their connections; ioredis reconnects.
    queue.on('error', () => {});
    events.on('error', () => {});
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events?.close();
    await queue?.close();
    await Promise.all(children.map((c) => stop(c, 'SIGKILL')));
    if (redis) await stop(redis, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('two worker processes: every point stored once; a job with a bad configuration fails once, with its message, and the rest go on', async () => {
    const db = join(dir, 'a.duckdb');
    const coordinator = codesign(...sweep(db, '4x64,8x64,12x64,16x64'));
    // Before any worker runs, one queued job gets a configuration no worker can run.
    let waiting: Awaited<ReturnType<Queue['getWaiting']>> = [];
    let ended: { code: number; stderr: string } | undefined;
    void coordinator.then((r) => (ended = r));
    while (waiting.length < 4) {
      // A coordinator that ended before enqueueing its jobs says why here.
      if (ended) expect.fail(`the coordinator ended (exit ${ended.code}) before its 4 jobs were queued:\n${ended.stderr}`);
      waiting = await queue.getWaiting();
      await new Promise((r) => setTimeout(r, 50));
    }
    const bad = waiting[0];
    await bad.updateData({ ...bad.data, scenario: join(dir, 'no-such-scenario.json') });
    await Promise.all([startWorker(), startWorker()]);
    const r = await coordinator;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.evaluated).toBe(3);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0].reason).toMatch(/no-such-scenario\.json/);
    const failed = await queue.getJob(bad.id!);
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1); // not retried: the input is wrong
    const hashes = await storedHashes(db);
    expect(hashes).toHaveLength(3);
    expect(new Set(hashes).size).toBe(3);
    expect(hashes).not.toContain(bad.id);
  });

  it('a worker killed mid-job (SIGKILL): its job goes to another worker, resumes from its checkpoint, every point stored once', async () => {
    for (const c of children) await stop(c);
    const db = join(dir, 'b.duckdb');
    const first = await startWorker(2000);
    const active = new Promise<string>((resolve) => events.once('active', ({ jobId }) => resolve(jobId)));
    const coordinator = codesign(...sweep(db, '4x96,8x96,12x96', 20));
    const jobId = await active;
    // Killed once the job's first epoch is checkpointed (a file the trainer writes).
    while (!existsSync(join(dir, 'checkpoints', jobId, 'latest'))) await new Promise((r) => setTimeout(r, 20));
    await stop(first, 'SIGKILL');
    await startWorker(2000);
    const hashes = await storedOnce(await coordinator, db, 3);
    expect(hashes).toContain(jobId);
    const retried = await queue.getJob(jobId);
    expect(await retried!.getState()).toBe('completed');
    expect(retried!.returnvalue.resumedFromEpoch).toBeGreaterThanOrEqual(1);
  });

  it('the coordinator killed and restarted mid-sweep: it re-attaches to queued and finished jobs, nothing stored twice or lost', async () => {
    const db = join(dir, 'c.duckdb');
    const archs = '4x128,8x128,12x128,16x128,20x128,24x128';
    const run = () => spawn(process.execPath, [join(ROOT, 'bin', 'codesign.js'), ...sweep(db, archs)], { cwd: ROOT });
    const completed = new Promise<void>((resolve) => {
      let n = 0;
      const on = () => {
        if (++n === 2) {
          events.off('completed', on);
          resolve();
        }
      };
      events.on('completed', on);
    });
    const first = run();
    children.push(first);
    await completed;
    await stop(first, 'SIGKILL');
    const again = spawnSync(process.execPath, [join(ROOT, 'bin', 'codesign.js'), ...sweep(db, archs)], { cwd: ROOT, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out.total).toBe(6);
    expect(out.reused + out.evaluated).toBe(6);
    const hashes = await storedHashes(db);
    expect(hashes).toHaveLength(6);
    expect(new Set(hashes).size).toBe(6);
    // One job per point: a restarted coordinator adds none twice.
    const jobs = await queue.getJobs(['completed']);
    expect(jobs.filter((j) => hashes.includes(j.id!))).toHaveLength(6);
  });

  it('Redis restarted mid-sweep (its append-only file kept): coordinator and workers reconnect and the sweep finishes, each point once', async () => {
    const db = join(dir, 'd.duckdb');
    const firstDone = new Promise<void>((resolve) => events.once('completed', () => resolve()));
    const coordinator = codesign(...sweep(db, '4x160,8x160,12x160,16x160,20x160'));
    await firstDone;
    const port = Number(new URL(url).port);
    await stop(redis!, 'SIGKILL');
    redis = await startRedis(port);
    await storedOnce(await coordinator, db, 5);
  });

  it('codesign train --redis: the job runs exactly what the command runs here (same summary as a local run)', async () => {
    const args = ['train', '--net', 'precoder', '--scenario', scenario, '--cout', '4', '--dfcl', '32', '--epochs', '2', '--batch', '16', '--json'];
    const queued = await codesign(...args, '--out', join(dir, 'remote-run'), '--redis', url);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/train-precoder job queued on redis:/);
    const local = await codesign(...args, '--out', join(dir, 'local-run'));
    expect(local.code, local.stderr).toBe(0);
    // Everything but wall times and the checkpoint directory is the same.
    const strip = (s: string) => JSON.parse(s, (key, value) => (['ms', 'trainMs', 'timing', 'checkpointDir'].includes(key) ? undefined : value));
    expect(strip(queued.stdout)).toEqual(strip(local.stdout));
    const refused = await codesign(...args, '--redis', url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--redis: got "redis:.*"; allowed: with --out DIR on storage the workers share/);
  });

  it('search --quality supernet --redis: supernet trainings and their ratings as jobs; the same rates as a local run', async () => {
    const args = (db: string, supernets: string) => ['search', '--db', db, '--archs', '4x48,8x48', '--choices', '4,16', '--quality', 'supernet', '--supernets', supernets, '--scenario', scenario, '--epochs', '1', '--batch', '16', '--samples', '8', '--json'];
    const remote = await codesign(...args(join(dir, 'sn-remote.duckdb'), join(dir, 'sn-remote')), '--redis', url);
    expect(remote.code, remote.stderr).toBe(0);
    const local = await codesign(...args(join(dir, 'sn-local.duckdb'), join(dir, 'sn-local')));
    expect(local.code, local.stderr).toBe(0);
    const rates = async (db: string) => new Map((await (async () => {
      const store = await ResultsStore.open(db, 'read');
      try {
        return await store.all();
      } finally {
        store.close();
      }
    })()).map((p) => [`${p.cout}x${p.dfcl} ${p.bits.join(',')}`, p.sumRate]));
    const [r, l] = await Promise.all([rates(join(dir, 'sn-remote.duckdb')), rates(join(dir, 'sn-local.duckdb'))]);
    expect(r.size).toBe(32);
    expect([...r.entries()].sort()).toEqual([...l.entries()].sort());
    const kinds = (await queue.getJobs(['completed'])).map((j) => j.name);
    expect(kinds.filter((k) => k === 'train-precoder').length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === 'eval-supernet').length).toBeGreaterThanOrEqual(2);

    // The supernets search trained are where `rates` looks: rated there without moving files.
    const table = await codesign('rates', '--supernets', join(dir, 'sn-local'), '--scenario', scenario, '--samples', '8', '--out', join(dir, 'sn-rates.csv'));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout + table.stderr).toMatch(/2 runs rated/);
    // Rated at the widths search trained them on (--choices 4,16): 2 runs × 2⁴ configurations.
    expect(readFileSync(join(dir, 'sn-rates.csv'), 'utf8').trim().split('\n').length - 1).toBe(2 * 16);
  });
});
