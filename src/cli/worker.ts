// `sparse-experts worker --redis redis://host:port [--concurrency N]`: a queue worker process
// for fits run with bullmqExecutor (src/queue/). It runs until SIGINT/SIGTERM: the first lets
// running jobs finish, a second stops at once (those jobs go back to the queue as stalled).
import { parseArgs } from 'node:util';
import { SparseExpertsError } from '../errors.js';
import { startQueueWorker } from '../queue/queue-worker.js';

const HELP = `usage: sparse-experts worker --redis redis://host:port[/db] [--concurrency N] [--queue NAME] [--prefix P]

Takes expert jobs from the Redis queue that bullmqExecutor({ connection }) fills, on this or
any machine that reaches Redis. Run the same sparse-experts version as the caller (the queue
name carries it). --concurrency: jobs at once, each in its own thread (default 1).`;

export async function workerCommand(args: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args,
    options: { redis: { type: 'string' }, concurrency: { type: 'string' }, queue: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (v.help) return void console.log(HELP);
  if (!v.redis) throw new SparseExpertsError('ERR_BAD_ARGUMENT', `--redis is required\n\n${HELP}`);
  const concurrency = v.concurrency === undefined ? 1 : Number(v.concurrency);
  // Listening before the worker starts: a signal during start-up stops it as soon as it is up.
  let signals = 0;
  let onSignal = () => {};
  const handler = () => (signals++, onSignal());
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const worker = await startQueueWorker({ connection: v.redis, concurrency, queue: v.queue, prefix: v.prefix });
  console.error(`sparse-experts worker ${worker.name}: ready on queue ${worker.queue}, concurrency ${concurrency}`);
  await new Promise<void>((resolve, reject) => {
    onSignal = () => {
      const force = signals > 1;
      console.error(`sparse-experts worker ${worker.name}: ${force ? 'stopping now' : 'finishing running jobs'}`);
      worker.close(force).then(resolve, reject);
    };
    if (signals) onSignal();
  });
}
