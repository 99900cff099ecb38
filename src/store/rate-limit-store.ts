import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/** A limit a store script counts for itself, in the same step as the write it limits. */
export interface RateCount {
  key: string;
  limit: number;
  windowSeconds: number;
}

/** A limit as a script's arguments: counter key ('' for none), limit, window in ms (luaGuards' overLimit). */
export function rateCountArgs(limit: RateCount | undefined): [string, number, number] {
  return limit ? [limit.key, limit.limit, limit.windowSeconds * 1000] : ['', 0, 0];
}

export interface RateLimitResult {
  allowed: boolean;
  /** When the caller may try again, in milliseconds from now. */
  retryAfterMs: number;
}

/** Fixed-window counters per guild, user and bucket, shared by every bot process. */
export class RateLimitStore {
  constructor(private readonly redis: Redis) {}

  key(guildId: string, userId: string, bucket: string): string {
    return keys.rateLimit(guildId, userId, bucket);
  }

  /**
   * Counts one use on `key` (from `key()`): three plain commands in one round
   * trip, far cheaper for Redis than a script. The window's expiry is set by
   * the first use (PEXPIRE NX on every use sets it whenever it is missing, so
   * a counter is never left without one).
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
