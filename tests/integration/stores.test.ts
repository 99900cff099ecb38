import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RateLimitStore } from '../../src/store/rate-limit-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { exportGuildData } from '../../src/store/guild-export.js';
import { snowflake } from '../emulator/snowflake.js';

describe('stores on a real Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  it('GIVEN no settings THEN the defaults; GIVEN partial updates THEN each keeps the others', async () => {
    const store = new SettingsStore(redis);
    const guild = snowflake();
    expect(await store.get(guild)).toEqual({ reminderOffsets: [86_400, 3_600, 600], voiceEnabled: false });
    await store.update(guild, { hostRoleId: '111111111111111111', pingRoleId: '222222222222222222' });
    await store.update(guild, { reminderOffsets: [60], voiceEnabled: true });
    await store.update(guild, { pingRoleId: null });
    expect(await store.get(guild)).toEqual({ hostRoleId: '111111111111111111', reminderOffsets: [60], voiceEnabled: true });
  });

  it('GIVEN 12 hits in a 5-per-window limit from one user THEN exactly 5 pass, other users unaffected', async () => {
    const limits = new RateLimitStore(redis);
    const guild = snowflake();
    const results = await Promise.all(Array.from({ length: 12 }, () => limits.hit(limits.key(guild, 'u1', 'ask'), 5, 10_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.find((r) => !r.allowed)!.retryAfterMs).toBeGreaterThan(9_000);
    expect((await limits.hit(limits.key(guild, 'u2', 'ask'), 5, 10_000)).allowed).toBe(true);
  });

  it('GIVEN the window passes THEN the user may act again', async () => {
    const limits = new RateLimitStore(redis);
    const guild = snowflake();
    await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100);
    expect((await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100)).allowed).toBe(true);
  });

  it('exports every key of the guild and nothing of other guilds or rate limits', async () => {
    const guild = snowflake();
    await new SettingsStore(redis).update(guild, { hostRoleId: '111111111111111111', reminderOffsets: [600] });
    await new RateLimitStore(redis).hit(new RateLimitStore(redis).key(guild, 'u1', 'ask'), 5, 10_000);
    await new SettingsStore(redis).update(snowflake(), { hostRoleId: '999999999999999999' });
    await redis.rpush(`lectern:{${guild}}:queue`, JSON.stringify({ id: 'p1' }));
    expect(await exportGuildData(redis, guild)).toEqual({
      settings: { hostRoleId: '111111111111111111', reminderOffsets: [600] },
      queue: [{ id: 'p1' }],
    });
  });
});
