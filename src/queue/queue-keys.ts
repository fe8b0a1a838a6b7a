// The queue's Redis keys beyond its jobs, and the cancel channel: what callers and workers
// agree on besides BullMQ's own layout (`<prefix>:<queue>:<kind>`).
import type { Redis } from 'ioredis';

/** A caller publishes a job id here to stop the job wherever it runs. */
export function cancelChannel(prefix: string, queue: string): string {
  return `${prefix}:${queue}:cancel`;
}

/** Lists that hold jobs: while any exists, the queue is in use. */
const HOLDING = ['wait', 'active', 'paused', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed', 'repeat'];
/** The queue's bookkeeping, meaningless without jobs (BullMQ makes them again when needed). */
const BOOKKEEPING = ['events', 'meta', 'id', 'marker', 'pc', 'stalled', 'stalled-check', 'limiter', 'de'];

// Atomic, so a job another caller adds meanwhile is never orphaned.
const DROP_IF_EMPTY = `
for i = 1, ${HOLDING.length} do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
for i = ${HOLDING.length + 1}, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`;

/** Deletes the queue's bookkeeping keys when it holds no job of anyone; true if it did. */
export async function dropQueueIfEmpty(redis: Redis, prefix: string, queue: string): Promise<boolean> {
  const keys = [...HOLDING, ...BOOKKEEPING].map((k) => `${prefix}:${queue}:${k}`);
  return (await redis.eval(DROP_IF_EMPTY, keys.length, ...keys)) === 1;
}
