import { keys } from './keys.js';
import type { RedisClient } from './redis.js';

interface RateLimitResult {
  allowed: boolean;
  retryAfterMs: number;
}

/** Fixed-window counters shared by every bot process: Lectern's one rate limiter. */
export class RateLimitStore {
  constructor(private readonly redis: RedisClient) {}

  key(guildId: string, userId: string, bucket: string) {
    return keys.rateLimit(guildId, userId, bucket);
  }

  /**
   * Plain commands, not MULTI, so they ride the auto-pipeline with the router's reads (one round trip). Any
   * interleaving is safe: PEXPIRE NX after INCR always leaves the counter an expiry.
   */
  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const [count, , ttl] = await Promise.all([
      this.redis.incr(key),
      this.redis.pexpire(key, windowMs, 'NX'),
      this.redis.pttl(key),
    ]);
    return { allowed: count <= limit, retryAfterMs: Math.max(ttl, 0) };
  }
}
