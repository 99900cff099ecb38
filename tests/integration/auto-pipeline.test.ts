import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';

/**
 * The bot's connection auto-pipelines: commands issued in one tick leave in
 * one write. A script used for the first time in the same tick as a plain
 * command must still run (ioredis builds the pipeline from the commands
 * defined when it starts one).
 */
describe('GIVEN the app connection (auto-pipelining) on a real Redis', () => {
  let redis: RedisClient;
  let other: RedisClient;
  beforeAll(async () => {
    [redis, other] = await Promise.all([
      connectRedis(inject('redisUrl'), { autoPipelining: true }),
      connectRedis(inject('redisUrl')),
    ]);
  });
  afterAll(() => Promise.all([redis.quit(), other.quit()]));

  it('WHEN its first commands are a plain read and a script in one tick THEN both answer', async () => {
    const guild = snowflake();
    const { sessionId } = await new SessionStore(other).start(guild, 'host', Date.now());
    const speakers = new SpeakerStore(redis);
    const [settings, raised] = await Promise.all([
      redis.hgetall(`lectern:{${guild}}:settings`),
      speakers.raiseHand(guild, sessionId, 'u1', undefined, 'command', Date.now()),
    ]);
    expect(settings).toEqual({});
    expect(raised).toEqual({ outcome: 'raised', position: 1 });
    const read = await speakers.speakers(guild, sessionId, 10);
    expect(read.queue).toEqual([{ userId: 'u1' }]);
  });
});
