import { Redis } from 'ioredis';

/** Raised when Redis cannot be reached at start; the message tells the user what to do. */
export class RedisUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `Cannot connect to Redis at ${redactUrl(url)} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Start one (`docker compose up redis`, or `redis-server`) or point REDIS_URL at yours.',
    );
    this.name = 'RedisUnavailableError';
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}

/**
 * Opens a connection and waits until it is ready. Commands issued while the
 * connection is down fail at once instead of queueing, so an interaction is
 * never left waiting on a Redis that is gone.
 */
export async function connectRedis(
  url: string,
  options: { connectTimeoutMs?: number; name?: string; autoPipelining?: boolean } = {},
): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Commands issued in the same turn of the event loop leave in one write: an
    // interaction's reads and its early work cost one system call and one round trip.
    enableAutoPipelining: options.autoPipelining ?? false,
    // Named, so CLIENT LIST (and an operator) can tell Lectern's processes apart.
    ...(options.name ? { connectionName: options.name } : {}),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(url, error);
  }
}
