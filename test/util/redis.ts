// A private redis-server for the queue tests and bench/scaleout.ts: 127.0.0.1, a free port, a
// temp dir, no persistence; and `sparse-experts worker` processes (the built dist/cli.js) on it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the queue tests cannot run here, or null when redis-server is on PATH. */
export function redisMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error ? `redis-server is not on PATH (${(r.error as NodeJS.ErrnoException).code}); install it: apt-get install -y redis-server` : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once `child` prints a line matching `ready` (on stdout or stderr); rejects if it exits first. */
function waitFor(child: ChildProcess, ready: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk;
      if (ready.test(out)) done(resolve);
    };
    const onExit = (code: number | null, signal: string | null) => done(() => reject(new Error(`${what} exited (${signal ?? code}) before it was ready:\n${out}`)));
    const done = (then: () => void) => {
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sparse-experts-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  drain(child);
  await waitFor(child, /Ready to accept connections/, 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopProcess(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** What it stores on the jobs it takes (BullMQ's processedBy). */
  name: string;
  /** SIGTERM: running jobs finish first (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/** `node dist/cli.js worker --redis url`; resolves once it listens on the queue. */
export async function startWorker(url: string, concurrency = 1): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'worker', '--redis', url, '--concurrency', String(concurrency)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  drain(child);
  await waitFor(child, /ready on queue/, 'sparse-experts worker');
  return {
    child,
    name: `${hostname()}:${child.pid}`,
    stop: (graceMs = 10_000) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      return stopProcess(child, 'SIGTERM').finally(() => clearTimeout(timer));
    },
    kill: () => stopProcess(child, 'SIGKILL'),
  };
}

/** The few ioredis calls killMidJob makes. */
interface RedisReader {
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
}

/**
 * SIGKILLs `worker` once Redis shows it holding an active job that has reported progress (so
 * the kill lands mid-job, not between jobs); resolves false if `over()` comes true first.
 */
export async function killMidJob(redis: RedisReader, queueKey: string, worker: WorkerProcess, over: () => boolean): Promise<boolean> {
  while (!over()) {
    for (const id of await redis.lrange(`${queueKey}:active`, 0, -1)) {
      const [by, progress] = await redis.hmget(`${queueKey}:${id}`, 'pb', 'progress');
      if (by === worker.name && progress !== null) return worker.kill().then(() => true);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

/** Reads the child's output to the end, so a full pipe never blocks it. */
function drain(child: ChildProcess): void {
  child.stdout?.on('data', () => {});
  child.stderr?.on('data', () => {});
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
