import { keys } from './keys.js';
import { execAll } from './pipeline.js';
import type { RedisClient } from './redis.js';

export interface RateLimitResult {
  allowed: boolean;
  /** When the caller may try again, in milliseconds from now. */
  retryAfterMs: number;
}

/** Fixed-window counters per guild, user and bucket, shared by every bot process: Lectern's one rate limiter. */
export class RateLimitStore {
  constructor(private readonly redis: RedisClient) {}

  key(guildId: string, userId: string, bucket: string): string {
    return keys.rateLimit(guildId, userId, bucket);
  }

  /**
   * Counts one use on `key` (from `key()`) in one transaction: the count, the
   * window's expiry set by the first use (PEXPIRE NX also gives one to a
   * counter found without it), and the time left in the window.
   */
  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const [count, , ttl] = (await execAll(this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key))) as [
      number,
      number,
      number,
    ];
    return { allowed: count <= limit, retryAfterMs: Math.max(ttl, 0) };
  }
}
