import type { Redis } from 'ioredis';
import { PREFIX } from './keys.js';

/** Where claims live: `claimKey(guildId, what)`; scripts that claim append `what` to `claimKey(guildId, '')`. */
export const claimKey = (guildId: string, what: string) => `${PREFIX}:claim:{${guildId}}:${what}`;

/** How long a claim keeps other jobs out when its run died before posting. */
export const CLAIM_TTL_MS = 60_000;

/**
 * A post claimed by one job run. The same job (same id) may claim again, so a
 * rerun after a crash proceeds; another job must wait until the claim lapses.
 */
export async function claimPost(
  redis: Redis,
  guildId: string,
  what: string,
  jobId: string,
  ttlMs = CLAIM_TTL_MS,
): Promise<boolean> {
  const key = claimKey(guildId, what);
  const taken = await redis.set(key, jobId, 'PX', ttlMs, 'NX');
  return taken === 'OK' || (await redis.get(key)) === jobId;
}
