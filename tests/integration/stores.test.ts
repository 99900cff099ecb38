import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { RateLimitStore } from '../../src/store/rate-limit-store.js';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SpeakerStore } from '../../src/store/speaker-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { PollStore } from '../../src/store/poll-store.js';
import { keys } from '../../src/store/keys.js';
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
    expect(await store.get(guild)).toEqual({
      reminderOffsets: [86_400, 3_600, 600],
      voiceEnabled: false,
      transcriptEnabled: false,
      confirmOffset: 172_800,
      archiveVisibility: 'off',
    });
    await store.update(guild, { hostRoleId: '111111111111111111', pingRoleId: '222222222222222222' });
    await store.update(guild, { reminderOffsets: [60], voiceEnabled: true, pollOffset: 7_200, confirmOffset: 0 });
    await store.update(guild, { pingRoleId: null });
    expect(await store.get(guild)).toEqual({
      hostRoleId: '111111111111111111',
      reminderOffsets: [60],
      voiceEnabled: true,
      transcriptEnabled: false,
      pollOffset: 7_200,
      confirmOffset: undefined,
      archiveVisibility: 'off',
    });
    await store.update(guild, { archiveVisibility: 'link', archiveToken: 'a'.repeat(32) });
    expect(await store.get(guild)).toMatchObject({ archiveVisibility: 'link', archiveToken: 'a'.repeat(32) });
    await store.update(guild, { pollOffset: null, confirmOffset: null });
    expect(await store.get(guild)).toMatchObject({ confirmOffset: 172_800 });
    expect(await store.get(guild)).not.toHaveProperty('pollOffset');
  });

  it('GIVEN an open poll THEN a second is refused, a rerun of the same counts as opened, and a closed one is not revived', async () => {
    const polls = new PollStore(redis);
    const guild = snowflake();
    const poll = (id: string) => ({
      id,
      channelId: '333333333333333333',
      hours: 2,
      closesAt: 1_000,
      paperIds: ['a', 'b'],
      answers: ['A', 'B'],
      leftOff: [],
    });
    expect(await polls.open(guild, poll('c1'))).toEqual({ opened: true, poll: poll('c1') });
    expect(await polls.open(guild, poll('c1'))).toMatchObject({ opened: true });
    expect(await polls.open(guild, poll('c2'))).toEqual({ opened: false, poll: poll('c1') });
    await polls.setMessage(guild, 'c2', '444444444444444444');
    await polls.setMessage(guild, 'c1', '555555555555555555');
    expect(await polls.get(guild)).toEqual({ ...poll('c1'), messageId: '555555555555555555' });
    expect(await polls.clear(guild, 'c2')).toBe(false);
    expect(await polls.clear(guild, 'c1')).toBe(true);
    await polls.setMessage(guild, 'c1', '555555555555555555');
    expect(await polls.get(guild)).toBeUndefined();
    expect(await redis.exists(keys.paperPoll(guild))).toBe(0);
    expect((await polls.open(guild, poll('c2'))).opened).toBe(true);
  });

  it('GIVEN 12 hits in a 5-per-window limit from one user THEN exactly 5 pass, other users unaffected', async () => {
    const limits = new RateLimitStore(redis);
    const guild = snowflake();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => limits.hit(limits.key(guild, 'u1', 'ask'), 5, 10_000)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.find((r) => !r.allowed)!.retryAfterMs).toBeGreaterThan(9_000);
    expect((await limits.hit(limits.key(guild, 'u2', 'ask'), 5, 10_000)).allowed).toBe(true);
  });

  it('GIVEN the window passes THEN the user may act again', async () => {
    const limits = new RateLimitStore(redis);
    const key = limits.key(snowflake(), 'u1', 'add');
    await limits.hit(key, 1, 100);
    expect((await limits.hit(key, 1, 100)).allowed).toBe(false);
    // The window has passed when Redis has expired its counter.
    await vi.waitUntil(async () => (await redis.pttl(key)) === -2, { timeout: 5_000, interval: 10 });
    expect((await limits.hit(key, 1, 100)).allowed).toBe(true);
  });

  it('GIVEN a counter left without an expiry THEN the next use gives it the window, and later uses do not stretch it', async () => {
    const limits = new RateLimitStore(redis);
    const key = limits.key(snowflake(), 'u1', 'ask');
    await redis.set(key, '3');
    const first = await limits.hit(key, 5, 10_000);
    expect(first).toEqual({ allowed: true, retryAfterMs: expect.any(Number) });
    expect(first.retryAfterMs).toBeGreaterThan(9_000);
    // Some of the window has gone by (a stretched window would then report more time left, not less).
    await vi.waitUntil(async () => (await redis.pttl(key)) < first.retryAfterMs, { timeout: 5_000, interval: 1 });
    const second = await limits.hit(key, 5, 10_000);
    expect(second.allowed).toBe(true);
    expect(second.retryAfterMs).toBeLessThan(first.retryAfterMs);
    expect((await limits.hit(key, 5, 10_000)).allowed).toBe(false);
  });

  it('GIVEN a counter left at the limit without an expiry THEN the use is refused, retry-after is the whole window, and the counter gets it', async () => {
    const limits = new RateLimitStore(redis);
    const key = limits.key(snowflake(), 'u1', 'ask');
    await redis.set(key, '2');
    const refused = await limits.hit(key, 2, 10_000);
    expect(refused.allowed).toBe(false);
    // The whole window, less the millisecond Redis's clock may tick between PEXPIRE and PTTL (seen under CI load).
    expect(refused.retryAfterMs).toBeGreaterThanOrEqual(9_995);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(await redis.pttl(key)).toBeGreaterThan(9_000);
  });

  it('GIVEN 3, 60 and 61 members on stage THEN /session status reads the first 60 in id order and counts them all', async () => {
    const sessions = new SessionStore(redis);
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const member = (i: number) => `4000000000000000${String(i).padStart(2, '0')}`;
    const seat = async (from: number, to: number) => {
      for (let i = from; i < to; i++)
        await new SpeakerStore(redis).callSpeaker(guild, sessionId, member(i), 'host', 2_000, false);
    };
    await seat(0, 3);
    expect(await sessions.status(guild)).toMatchObject({ onStage: [member(0), member(1), member(2)], speaking: 3 });
    await seat(3, 60);
    expect(await sessions.status(guild)).toMatchObject({
      onStage: Array.from({ length: 60 }, (_, i) => member(i)),
      speaking: 60,
    });
    await seat(60, 61);
    const full = await sessions.status(guild);
    expect(full?.onStage).toHaveLength(60);
    expect(full?.speaking).toBe(61);
  });

  it('GIVEN a paper on THEN /session status reads its id, title, reference and status, not its abstract or authors', async () => {
    const sessions = new SessionStore(redis);
    const papers = new PaperStore(redis);
    const guild = snowflake();
    await sessions.start(guild, 'host', 1_000);
    const ref = parsePaperRef('2408.03314');
    const id = newId();
    await papers.add(
      guild,
      {
        id,
        ref,
        dedupKey: dedupKey(ref),
        metadataStatus: 'ready',
        title: 'Scaling test-time compute',
        authors: ['A. Author'],
        abstract: 'Long.',
        suggestedById: '111111111111111111',
        addedAt: 1,
      },
      50,
    );
    expect((await papers.start(guild, id, 2_000)).outcome).toBe('started');
    expect((await sessions.status(guild))?.paper).toEqual({
      id,
      title: 'Scaling test-time compute',
      ref,
      metadataStatus: 'ready',
    });
  });

  it('exports every key of the guild and nothing of other guilds, rate limits or the voice presence mirror', async () => {
    const guild = snowflake();
    await new SettingsStore(redis).update(guild, { hostRoleId: '111111111111111111', reminderOffsets: [600] });
    await new RateLimitStore(redis).hit(new RateLimitStore(redis).key(guild, 'u1', 'ask'), 5, 10_000);
    // What the voice presence mirror of earlier versions left: outside the guild's namespace.
    await redis.hset(`lectern:voice:{${guild}}`, '111111111111111112', '111111111111111113');
    await new SettingsStore(redis).update(snowflake(), { hostRoleId: '999999999999999999' });
    await redis.rpush(`lectern:{${guild}}:queue`, JSON.stringify({ id: 'p1' }));
    expect(await exportGuildData(redis, guild)).toEqual({
      settings: { hostRoleId: '111111111111111111', reminderOffsets: [600] },
      queue: [{ id: 'p1' }],
    });
  });
});
