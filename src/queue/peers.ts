// bullmq and ioredis are optional peer dependencies: imported on first use only, so nothing
// else in the library needs them, and a missing one is a typed error with the install line.
import { fail } from '../errors.js';

type Bullmq = typeof import('bullmq');
type IoRedis = { Redis: typeof import('ioredis').Redis };

let bullmq: Promise<Bullmq> | undefined;
let ioredis: Promise<IoRedis> | undefined;

export function loadBullmq(): Promise<Bullmq> {
  return (bullmq ??= load(() => import('bullmq')));
}

export function loadIoredis(): Promise<IoRedis> {
  return (ioredis ??= load(async () => ({ Redis: (await import('ioredis')).Redis })));
}

async function load<M>(importer: () => Promise<M>): Promise<M> {
  try {
    return await importer();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' && (err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    return fail('ERR_BAD_ARGUMENT', 'running experts on a job queue needs the optional peer dependencies bullmq (6.x) and ioredis: npm install bullmq@6 ioredis', err);
  }
}
