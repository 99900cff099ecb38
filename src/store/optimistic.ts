import { Cluster, type ChainableCommander } from 'ioredis';
import { retryWhileStale } from './pipeline.js';
import type { RedisClient } from './redis.js';

/** What a read under WATCH decided: its result, and the writes to make if nothing watched changed meanwhile. */
export interface Plan<T> {
  result: T;
  write?: (multi: ChainableCommander) => void;
}

/**
 * A connection for optimistic transactions, to close after use. WATCH belongs to a connection, and an EXEC by any
 * caller sharing it (the auto-pipelined one every request uses) would drop the watch unseen.
 */
export async function watchingConnection(redis: RedisClient): Promise<RedisClient> {
  const own =
    redis instanceof Cluster
      ? redis.duplicate([], { enableAutoPipelining: false })
      : redis.duplicate({ enableAutoPipelining: false, connectionName: 'lectern-watch' });
  await own.connect();
  return own;
}

/**
 * Reads under WATCH (`plan`, on `own` only), then writes in MULTI/EXEC; if a watched key changed in between, reads
 * again. Every key must share one hash tag. For JSON a script could only rewrite as text.
 */
export async function optimistic<T>(
  own: RedisClient,
  what: string,
  watched: string[],
  plan: () => Promise<Plan<T>>,
): Promise<T> {
  const done = await retryWhileStale(what, async () => {
    await own.watch(...watched);
    const planned = await plan();
    if (!planned.write) {
      await own.unwatch();
      return planned;
    }
    const multi = own.multi();
    planned.write(multi);
    const replies = await multi.exec();
    if (replies === null) return undefined;
    for (const [error] of replies) if (error) throw error;
    return planned;
  });
  return done.result;
}
