import type { Redis } from 'ioredis';
import { PREFIX } from './keys.js';

/**
 * A post claimed by one job run. The same job (same id) may claim again, so a
 * rerun after a crash proceeds; another job must wait until the claim lapses.
 */
export async function claimPost(redis: Redis, guildId: string, what: string, jobId: string, ttlMs = 60_000): Promise<boolean> {
  const key = `${PREFIX}:claim:{${guildId}}:${what}`;
  const taken = await redis.set(key, jobId, 'PX', ttlMs, 'NX');
  return taken === 'OK' || (await redis.get(key)) === jobId;
}
