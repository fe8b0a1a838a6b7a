// Where Redis is: a redis:// or rediss:// URL, or plain ioredis options. Always handed on as
// plain options (never a client), so BullMQ makes its own connections with the settings it
// needs (maxRetriesPerRequest: null on blocking ones) and closes them with the queue.
import { fail } from '../errors.js';

/** Plain ioredis connection options (host, port, password, db, tls, …). */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, unknown>;
  [option: string]: unknown;
}

export type RedisConnection = string | RedisConnectionOptions;

export function connectionOptions(connection: RedisConnection): RedisConnectionOptions {
  if (typeof connection === 'object' && connection !== null && !Array.isArray(connection)) {
    if (typeof (connection as { duplicate?: unknown }).duplicate === 'function') {
      fail('ERR_BAD_ARGUMENT', 'pass Redis connection options or a redis:// URL, not a client: the queue opens and closes its own connections');
    }
    return { ...connection };
  }
  let url: URL;
  try {
    url = new URL(String(connection));
  } catch {
    return fail('ERR_BAD_ARGUMENT', `connection must be a redis://host:port URL or ioredis options, got ${JSON.stringify(connection)}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail('ERR_BAD_ARGUMENT', `a Redis URL starts with redis:// or rediss://, got ${url.protocol}//`);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) fail('ERR_BAD_ARGUMENT', `the Redis URL's path is a database number, got ${url.pathname}`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
