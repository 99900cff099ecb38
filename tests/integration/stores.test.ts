import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RateLimitStore } from '../../src/store/rate-limit-store.js';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { keys } from '../../src/store/keys.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { NEXT_CALL_WINDOW_MS, SessionStore } from '../../src/store/session-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { VoicePresenceStore } from '../../src/store/voice-presence-store.js';
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
    expect(await store.get(guild)).toEqual({
      hostRoleId: '111111111111111111',
      reminderOffsets: [60],
      voiceEnabled: true,
    });
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
    const guild = snowflake();
    await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100);
    expect((await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await limits.hit(limits.key(guild, 'u1', 'add'), 1, 100)).allowed).toBe(true);
  });

  it('GIVEN a counter left without an expiry THEN the next use gives it the window, and later uses do not stretch it', async () => {
    const limits = new RateLimitStore(redis);
    const key = limits.key(snowflake(), 'u1', 'ask');
    await redis.set(key, '3');
    const first = await limits.hit(key, 5, 10_000);
    expect(first).toEqual({ allowed: true, retryAfterMs: expect.any(Number) });
    expect(first.retryAfterMs).toBeGreaterThan(9_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = await limits.hit(key, 5, 10_000);
    expect(second.allowed).toBe(true);
    expect(second.retryAfterMs).toBeLessThan(first.retryAfterMs);
    expect((await limits.hit(key, 5, 10_000)).allowed).toBe(false);
  });

  it('GIVEN /ask counted by its own script THEN the limit holds, the window is set by the first use, and a counter without one gets it', async () => {
    const sessions = new SessionStore(redis);
    const limits = new RateLimitStore(redis);
    const guild = snowflake();
    await sessions.start(guild, 'host', 1_000);
    const limit = { key: limits.key(guild, 'member', 'ask:'), limit: 2, windowSeconds: 10 };
    const ask = (id: string) =>
      sessions.ask(guild, { id, text: `question ${id}`, anonymous: false, askerId: 'member', askedAt: 2_000 }, limit);
    expect(await ask('lim-1')).toMatchObject({ outcome: 'asked' });
    const ttl = await redis.pttl(limit.key);
    expect(ttl).toBeGreaterThan(9_000);
    expect(await ask('lim-2')).toMatchObject({ outcome: 'asked' });
    const refused = await ask('lim-3');
    expect(refused).toMatchObject({ outcome: 'limited' });
    expect(refused.outcome === 'limited' && refused.retryAfterMs).toBeGreaterThan(8_000);
    expect(await redis.exists(keys.question(guild, 'lim-3'))).toBe(0);
    expect(await redis.pttl(limit.key)).toBeLessThanOrEqual(ttl);
    // A counter an earlier version left at the limit without an expiry: refused, and given the window.
    await redis.set(limit.key, '2');
    const stuck = await ask('lim-4');
    expect(stuck).toMatchObject({ outcome: 'limited' });
    expect(stuck.outcome === 'limited' && stuck.retryAfterMs).toBe(10_000);
    expect(await redis.pttl(limit.key)).toBeGreaterThan(9_000);
  });

  it('GIVEN a paper on THEN a question and its timeline event name it; GIVEN none THEN neither does', async () => {
    const sessions = new SessionStore(redis);
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    await sessions.ask(guild, { id: 'no-paper', text: 'Before any paper?', anonymous: true, askedAt: 2_000 });
    await redis.set(`${keys.guildPrefix(guild)}papers:current`, 'paper-7');
    const asked = await sessions.ask(guild, {
      id: 'on-paper',
      text: 'About this one?',
      anonymous: false,
      askerId: 'member',
      askedAt: 3_000,
    });
    expect(asked).toMatchObject({ outcome: 'asked', question: { paperId: 'paper-7', votes: 0 } });
    const events = (await redis.lrange(keys.timeline(guild, sessionId), 0, -1)).map(
      (e) => JSON.parse(e) as Record<string, unknown>,
    );
    expect(events.slice(1)).toEqual([
      { type: 'question.asked', questionId: 'no-paper', at: 2_000 },
      { type: 'question.asked', questionId: 'on-paper', at: 3_000, paperId: 'paper-7' },
    ]);
    expect(await redis.hgetall(keys.question(guild, 'no-paper'))).toEqual({
      id: 'no-paper',
      sessionId,
      text: 'Before any paper?',
      anonymous: 'true',
      askedAt: '2000',
      status: 'open',
    });
    expect((await sessions.question(guild, 'on-paper'))?.votes).toBe(0);
  });

  it('GIVEN questions without a card THEN cardsDue brings them oldest first, claimed for one job only, and clears the cards mark', async () => {
    const sessions = new SessionStore(redis);
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const ask = (id: string, at: number) =>
      sessions.ask(guild, { id, text: `question ${id}`, anonymous: false, askerId: 'member', askedAt: at });
    expect(await ask('q-late', 3_000)).toMatchObject({ outcome: 'asked', cardsDirty: true });
    expect(await ask('q-early', 2_000)).toMatchObject({ outcome: 'asked', cardsDirty: false });
    // No thread yet: nothing to post into, and how many wait.
    expect(await sessions.cardsDue(guild, sessionId, 'job-a', 10)).toEqual({ threadId: undefined, waiting: 2 });
    await sessions.setBoard(guild, sessionId, {
      channelId: 'board-channel',
      messageId: 'board-message',
      threadId: 'thread',
    });

    const first = await sessions.cardsDue(guild, sessionId, 'job-a', 1);
    expect(first.threadId).toBe('thread');
    const firstCards = first.threadId === undefined ? [] : first.cards;
    expect(firstCards.map((c) => [c.question.id, c.question.text, c.claimed])).toEqual([
      ['q-early', 'question q-early', true],
    ]);
    const second = await sessions.cardsDue(guild, sessionId, 'job-b', 10);
    const secondCards = second.threadId === undefined ? [] : second.cards;
    // job-a holds q-early's claim; job-b may post only q-late. job-a may take its own claim again (a rerun).
    expect(secondCards.map((c) => [c.question.id, c.claimed])).toEqual([
      ['q-early', false],
      ['q-late', true],
    ]);
    const rerun = await sessions.cardsDue(guild, sessionId, 'job-a', 1);
    expect(rerun.threadId === undefined ? [] : rerun.cards.map((c) => c.claimed)).toEqual([true]);
    // The read cleared the mark: the next question queues a run.
    expect(await ask('q-next', 4_000)).toMatchObject({ cardsDirty: true });
    await sessions.setQuestionCard(guild, { id: 'q-early', sessionId }, { channelId: 'thread', messageId: 'card' });
    expect(await redis.zrange(keys.uncarded(guild, sessionId), '0', '-1')).toEqual(['q-late', 'q-next']);
    // A question that has its card already is dropped from the set, not posted again.
    await redis.hset(keys.question(guild, 'q-late'), 'cardChannelId', 'thread', 'cardMessageId', 'card-late');
    const last = await sessions.cardsDue(guild, sessionId, 'job-c', 10);
    expect(last.threadId === undefined ? [] : last.cards.map((c) => c.question.id)).toEqual(['q-next']);
    expect(await redis.zrange(keys.uncarded(guild, sessionId), '0', '-1')).toEqual(['q-next']);
  });

  it('GIVEN a stage stored as a plain set by an earlier version THEN it is read in id order, changed, and kept as a sorted set', async () => {
    const sessions = new SessionStore(redis);
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const stage = `${keys.session(guild, sessionId)}:stage`;
    await redis.sadd(stage, '300000000000000003', '300000000000000001', '300000000000000002');
    expect((await sessions.status(guild))?.onStage).toEqual([
      '300000000000000001',
      '300000000000000002',
      '300000000000000003',
    ]);
    expect(await redis.type(stage)).toBe('zset');
    expect(await sessions.speakerDone(guild, sessionId, '300000000000000002', 2_000)).toBe('done');
    expect(await sessions.raiseHand(guild, sessionId, '300000000000000001', undefined, 'command', 3_000)).toEqual({
      outcome: 'on-stage',
      position: 0,
    });
    expect((await sessions.speakers(guild, sessionId)).onStage).toEqual(['300000000000000001', '300000000000000003']);
  });

  it('GIVEN 3, 60 and 61 members on stage THEN /session status reads the first 60 in id order and counts them all', async () => {
    const sessions = new SessionStore(redis);
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const member = (i: number) => `4000000000000000${String(i).padStart(2, '0')}`;
    const seat = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await sessions.callSpeaker(guild, sessionId, member(i), 'host', 2_000, false);
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

  it('GIVEN the voice presence mirror THEN /speakers next calls the first hand only when the mirror has them in the stage channel', async () => {
    const sessions = new SessionStore(redis);
    const presence = new VoicePresenceStore(redis);
    const guild = snowflake();
    const [stage, lounge, first, second] = [snowflake(), snowflake(), snowflake(), snowflake()];
    const host = { standing: { hasManageGuild: true, roleIds: [] }, by: 'host', at: 2_000 };
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    await sessions.raiseHand(guild, sessionId, first, undefined, 'command', 1_100);
    await sessions.raiseHand(guild, sessionId, second, undefined, 'command', 1_200);
    expect(await sessions.callFirst(guild, host)).toEqual({ outcome: 'no-stage', userId: '', boardDirty: false });
    await new SettingsStore(redis).update(guild, { stageChannelId: stage });
    // Rebuilt whole (a shard became ready), then single moves: the first hand is in another channel.
    await presence.replace(guild, [
      [first, stage],
      [second, stage],
    ]);
    await presence.moved(guild, first, lounge);
    expect(await sessions.callFirst(guild, host)).toEqual({ outcome: 'absent', userId: first, boardDirty: false });
    expect((await sessions.speakers(guild, sessionId)).queue.map((s) => s.userId)).toEqual([first, second]);
    await presence.moved(guild, first, stage);
    expect(await sessions.callFirst(guild, host)).toMatchObject({ outcome: 'called', userId: first });
    await presence.moved(guild, second, null);
    expect(await sessions.callFirst(guild, host)).toEqual({ outcome: 'absent', userId: second, boardDirty: false });
    await presence.replace(guild, [[second, stage]]);
    expect(await redis.hmget(keys.voicePresence(guild), first, second)).toEqual([null, stage]);
    expect(await sessions.callFirst(guild, host)).toMatchObject({ outcome: 'called', userId: second });
    expect(await sessions.callFirst(guild, host)).toEqual({ outcome: 'empty', userId: '', boardDirty: false });
    expect(await sessions.speakers(guild, sessionId)).toEqual({ queue: [], onStage: [first, second].sort() });
    // Another host within the window of the last call calls nobody; after it, the next hand; a button names its session.
    const third = snowflake();
    await sessions.raiseHand(guild, sessionId, third, undefined, 'command', 2_100);
    await presence.moved(guild, third, stage);
    const other = { ...host, by: 'other host' };
    expect(await sessions.callFirst(guild, { ...other, at: 2_000 + NEXT_CALL_WINDOW_MS - 1 })).toEqual({
      outcome: 'just-called',
      userId: second,
      boardDirty: false,
    });
    expect(
      await sessions.callFirst(guild, { ...other, at: 2_000 + NEXT_CALL_WINDOW_MS, sessionId: 'an-ended-session' }),
    ).toEqual({ outcome: 'not-live', userId: '', boardDirty: false });
    expect((await sessions.speakers(guild, sessionId)).queue.map((s) => s.userId)).toEqual([third]);
    expect(await sessions.callFirst(guild, { ...other, at: 2_000 + NEXT_CALL_WINDOW_MS, sessionId })).toMatchObject({
      outcome: 'called',
      userId: third,
    });
  });

  it('exports every key of the guild and nothing of other guilds, rate limits or the voice presence mirror', async () => {
    const guild = snowflake();
    await new SettingsStore(redis).update(guild, { hostRoleId: '111111111111111111', reminderOffsets: [600] });
    await new RateLimitStore(redis).hit(new RateLimitStore(redis).key(guild, 'u1', 'ask'), 5, 10_000);
    await new VoicePresenceStore(redis).moved(guild, '111111111111111112', '111111111111111113');
    await new SettingsStore(redis).update(snowflake(), { hostRoleId: '999999999999999999' });
    await redis.rpush(`lectern:{${guild}}:queue`, JSON.stringify({ id: 'p1' }));
    expect(await exportGuildData(redis, guild)).toEqual({
      settings: { hostRoleId: '111111111111111111', reminderOffsets: [600] },
      queue: [{ id: 'p1' }],
    });
  });
});
