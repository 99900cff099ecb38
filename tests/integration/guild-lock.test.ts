import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withGuildLock } from '../../src/store/guild-lock.js';
import { keys } from '../../src/store/keys.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { snowflake } from '../emulator/snowflake.js';

/** The lock a recap being written and a member's data being deleted share, so neither undoes the other. */
describe('withGuildLock', () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  it('GIVEN two holders at once THEN they take turns, never overlapping, and the lock is gone after', async () => {
    const guild = snowflake();
    const log: string[] = [];
    const hold = (name: string) =>
      withGuildLock(redis, guild, async () => {
        log.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 150));
        log.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([hold('recap'), hold('delete')]);
    expect(results.sort()).toEqual(['delete', 'recap']);
    // Whoever went first left before the other came in.
    const first = log[0]!.split(' ')[0]!;
    const second = first === 'recap' ? 'delete' : 'recap';
    expect(log).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect(await redis.exists(keys.privacyLock(guild))).toBe(0);
  });

  it('GIVEN the lock held longer than the wait THEN `busy`, and a holder that throws still lets go', async () => {
    const guild = snowflake();
    let release!: () => void;
    const held = withGuildLock(redis, guild, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await withGuildLock(redis, guild, async () => 'ran', 300)).toBe('busy');
    release();
    await held;
    await expect(
      withGuildLock(redis, guild, async () => {
        throw new Error('failed inside');
      }),
    ).rejects.toThrow('failed inside');
    expect(await withGuildLock(redis, guild, async () => 'ran', 300)).toBe('ran');
  });
});
