import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { runLua } from './lua.js';

// INCR and set the window's expiry in one round trip; returns [count, ms left].
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;

/** A rate-limit counter a store script checks before it writes (see Command.early). */
export interface RateGuard {
  key: string;
  limit: number;
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

  /** Counts one use on `key` (from `key()`). */
  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    const [count, ttl] = (await runLua(this.redis, HIT, [key], [windowMs])) as [number, number];
    return { allowed: count <= limit, retryAfterMs: Math.max(ttl, 0) };
  }
}
