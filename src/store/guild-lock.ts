import { z } from 'zod';
import { newId } from './ids.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** Far longer than a deletion takes; a holder that died frees the guild after it. */
const LOCK_TTL_MS = 5 * 60_000;

/**
 * Runs `fn` while holding the guild's data lock: a member's data being deleted and a recap being written never
 * interleave (the recap would put back what the deletion removed). `busy`: held by another for longer than `waitMs`.
 */
export async function withGuildLock<T>(
  redis: RedisClient,
  guildId: string,
  fn: () => Promise<T>,
  waitMs = 5_000,
): Promise<T | 'busy'> {
  const lock = keys.privacyLock(guildId);
  const token = newId();
  const deadline = Date.now() + waitMs;
  while ((await redis.set(lock, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    if (Date.now() > deadline) return 'busy';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await fn();
  } finally {
    await runScript(redis, 'meta/unlock', [lock], [token], z.object({ released: z.boolean() }));
  }
}
