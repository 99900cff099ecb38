import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis.js';

/** The first failed command throws. */
export async function execAll(pipeline: ChainableCommander) {
  return ((await pipeline.exec()) ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** Reruns a read-then-write `step` while it returns undefined (data changed in between); ten in a row is a bug. */
export async function retryWhileStale<T>(what: string, step: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const done = await step();
    if (done !== undefined) return done;
  }
  throw new Error(`${what}: the data kept changing between the read and the write`);
}

/** HGETALL of each key, in one round trip. */
export async function readHashes(redis: RedisClient, hashKeys: string[]) {
  if (hashKeys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of hashKeys) pipeline.hgetall(key);
  return (await execAll(pipeline)) as Array<Record<string, string>>;
}
