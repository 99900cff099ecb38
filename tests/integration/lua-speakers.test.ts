import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { SessionStore } from '../../src/store/session-store.js';
import { NEXT_CALL_WINDOW_MS, SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';

/** The speaker scripts (raise, lower, call, call first, done, clear, read) on a real Redis, with their refusals. */
describe('speaker scripts on a real Redis', () => {
  let redis: Redis;
  let sessions: SessionStore;
  let speakers: SpeakerStore;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    sessions = new SessionStore(redis);
    speakers = new SpeakerStore(redis);
  });
  afterAll(() => redis.quit());

  const member = (i: number) => `5000000000000000${String(i).padStart(3, '0')}`;
  const events = async (guild: string, sessionId: string) =>
    (await redis.lrange(keys.timeline(guild, sessionId), 1, -1)).map((e) => JSON.parse(e) as Record<string, unknown>);
  async function live() {
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    return { guild, sessionId };
  }

  it('GIVEN a live session THEN hands rise in order with topics; a second raise says where they are; on stage refuses; raise and lower log their events', async () => {
    const { guild, sessionId } = await live();
    expect(await speakers.raiseHand(guild, sessionId, member(1), 'On scaling', 'command', 1_100)).toEqual({
      outcome: 'raised',
      position: 1,
    });
    expect(await speakers.raiseHand(guild, sessionId, member(2), undefined, 'stage', 1_200)).toEqual({
      outcome: 'raised',
      position: 2,
    });
    expect(await speakers.raiseHand(guild, sessionId, member(2), 'again', 'command', 1_300)).toEqual({
      outcome: 'already',
      position: 2,
    });
    await speakers.callSpeaker(guild, sessionId, member(3), 'host', 1_400, false);
    expect(await speakers.raiseHand(guild, sessionId, member(3), undefined, 'command', 1_500)).toEqual({
      outcome: 'on-stage',
      position: 0,
    });
    expect(await speakers.lowerHand(guild, sessionId, member(1), 1_600)).toBe('lowered');
    expect(await speakers.lowerHand(guild, sessionId, member(1), 1_700)).toBe('not-raised');
    expect(await speakers.speakers(guild, sessionId, 10)).toEqual({
      queue: [{ userId: member(2) }],
      handsUp: 1,
      onStage: [member(3)],
      speaking: 1,
    });
    expect(await events(guild, sessionId)).toEqual([
      { type: 'hand.raised', userId: member(1), via: 'command', at: 1_100, topic: 'On scaling' },
      { type: 'hand.raised', userId: member(2), via: 'stage', at: 1_200 },
      { type: 'speaker.called', userId: member(3), by: 'host', at: 1_400 },
      { type: 'hand.lowered', userId: member(1), at: 1_600 },
    ]);
    expect(await redis.hgetall(keys.handTopics(guild, sessionId))).toEqual({});
  });

  it('GIVEN the session ended (or another id) THEN every speaker change is refused as not-live and nothing is written', async () => {
    const { guild, sessionId } = await live();
    await speakers.raiseHand(guild, sessionId, member(1), undefined, 'command', 1_100);
    await speakers.callSpeaker(guild, sessionId, member(2), 'host', 1_200, false);
    await sessions.end(guild, { sessionId, by: 'host', at: 2_000 });
    const before = await redis.llen(keys.timeline(guild, sessionId));
    expect(await speakers.raiseHand(guild, sessionId, member(3), undefined, 'command', 3_000)).toEqual({
      outcome: 'not-live',
      position: 0,
    });
    expect(await speakers.lowerHand(guild, sessionId, member(1), 3_000)).toBe('not-live');
    expect(await speakers.callSpeaker(guild, sessionId, member(1), 'host', 3_000, false)).toEqual({
      outcome: 'not-live',
      boardDirty: false,
    });
    expect(
      await speakers.callFirst(guild, { sessionId, userId: member(1), by: 'host', at: 3_000, windowMs: 2_000 }),
    ).toEqual({ outcome: 'not-live', userId: '', boardDirty: false });
    expect(await speakers.speakerDone(guild, sessionId, member(2), 3_000)).toBe('not-live');
    expect(await speakers.clearHands(guild, sessionId, 3_000)).toBe(-1);
    expect(await speakers.raiseHand(guild, 'another-session', member(3), undefined, 'command', 3_000)).toMatchObject({
      outcome: 'not-live',
    });
    expect(await redis.llen(keys.timeline(guild, sessionId))).toBe(before);
    expect(await speakers.speakers(guild, sessionId, 10)).toEqual({
      queue: [{ userId: member(1) }],
      handsUp: 1,
      onStage: [member(2)],
      speaking: 1,
    });
  });

  it('GIVEN hands up THEN a named call takes the member onto the stage (first in line only when asked) and marks the board once', async () => {
    const { guild, sessionId } = await live();
    await speakers.raiseHand(guild, sessionId, member(1), 'first', 'command', 1_100);
    await speakers.raiseHand(guild, sessionId, member(2), 'second', 'command', 1_200);
    expect(await speakers.callSpeaker(guild, sessionId, member(2), 'host', 1_300, true)).toEqual({
      outcome: 'not-first',
      boardDirty: false,
    });
    expect(await speakers.callSpeaker(guild, sessionId, member(2), 'host', 1_300, false)).toEqual({
      outcome: 'called',
      boardDirty: true,
    });
    expect(await speakers.callSpeaker(guild, sessionId, member(1), 'host', 1_400, true)).toEqual({
      outcome: 'called',
      boardDirty: false,
    });
    expect(await redis.hgetall(keys.handTopics(guild, sessionId))).toEqual({});
    expect(await speakers.speakers(guild, sessionId, 10)).toMatchObject({
      handsUp: 0,
      onStage: [member(1), member(2)],
    });
  });

  it('GIVEN hands up THEN callFirst calls the one read first; refuses one no longer first, an empty queue, and another host within the window', async () => {
    const { guild, sessionId } = await live();
    const next = (userId: string, by: string, at: number) =>
      speakers.callFirst(guild, { sessionId, userId, by, at, windowMs: NEXT_CALL_WINDOW_MS });
    expect(await speakers.firstHand(guild, sessionId)).toBeUndefined();
    expect(await next(member(1), 'host', 2_000)).toEqual({ outcome: 'empty', userId: '', boardDirty: false });
    await speakers.raiseHand(guild, sessionId, member(1), 'topic', 'command', 1_100);
    await speakers.raiseHand(guild, sessionId, member(2), undefined, 'command', 1_200);
    await speakers.raiseHand(guild, sessionId, member(3), undefined, 'command', 1_300);
    expect(await speakers.firstHand(guild, sessionId)).toBe(member(1));
    expect(await next(member(2), 'host', 2_000)).toEqual({
      outcome: 'not-first',
      userId: member(1),
      boardDirty: false,
    });
    expect(await next(member(1), 'host', 2_000)).toEqual({ outcome: 'called', userId: member(1), boardDirty: true });
    // Another host pressing within the window calls nobody and hears whom the first host called.
    expect(await next(member(2), 'other host', 2_000 + NEXT_CALL_WINDOW_MS - 1)).toEqual({
      outcome: 'just-called',
      userId: member(1),
      boardDirty: false,
    });
    // The same host pressing again moves on at once.
    expect(await next(member(2), 'host', 2_100)).toMatchObject({ outcome: 'called', userId: member(2) });
    expect(await next(member(3), 'other host', 2_100 + NEXT_CALL_WINDOW_MS)).toMatchObject({
      outcome: 'called',
      userId: member(3),
    });
    expect(await speakers.speakers(guild, sessionId, 10)).toEqual({
      queue: [],
      handsUp: 0,
      onStage: [member(1), member(2), member(3)],
      speaking: 3,
    });
    expect(await redis.hgetall(keys.handTopics(guild, sessionId))).toEqual({});
    expect((await events(guild, sessionId)).filter((e) => e.type === 'speaker.called')).toEqual([
      { type: 'speaker.called', userId: member(1), by: 'host', at: 2_000 },
      { type: 'speaker.called', userId: member(2), by: 'host', at: 2_100 },
      { type: 'speaker.called', userId: member(3), by: 'other host', at: 2_100 + NEXT_CALL_WINDOW_MS },
    ]);
  });

  it('GIVEN speakers THEN done sends one back (refusing one not on stage), and clear lowers every hand with an event each', async () => {
    const { guild, sessionId } = await live();
    await speakers.callSpeaker(guild, sessionId, member(1), 'host', 1_100, false);
    expect(await speakers.speakerDone(guild, sessionId, member(2), 1_200)).toBe('not-on-stage');
    expect(await speakers.speakerDone(guild, sessionId, member(1), 1_300)).toBe('done');
    expect(await speakers.clearHands(guild, sessionId, 1_400)).toBe(0);
    for (const i of [2, 3, 4]) await speakers.raiseHand(guild, sessionId, member(i), `t${i}`, 'command', 1_500 + i);
    expect(await speakers.clearHands(guild, sessionId, 2_000)).toBe(3);
    expect(await speakers.speakers(guild, sessionId, 10)).toEqual({ queue: [], handsUp: 0, onStage: [], speaking: 0 });
    expect(await redis.exists(keys.handTopics(guild, sessionId))).toBe(0);
    const logged = await events(guild, sessionId);
    expect(logged).toContainEqual({ type: 'speaker.done', userId: member(1), at: 1_300 });
    expect(logged.slice(-3)).toEqual([2, 3, 4].map((i) => ({ type: 'hand.lowered', userId: member(i), at: 2_000 })));
  });

  it('GIVEN 300 hands up and 70 members on stage THEN a read of 10 brings the first 10 of each with their topics, and both counts', async () => {
    const { guild, sessionId } = await live();
    const hands = keys.hands(guild, sessionId);
    await redis.rpush(hands, ...Array.from({ length: 300 }, (_, i) => member(i)));
    await redis.hset(keys.handTopics(guild, sessionId), member(0), 'first topic', member(7), 'eighth topic');
    await redis.zadd(
      keys.stage(guild, sessionId),
      ...Array.from({ length: 70 }, (_, i) => [0, member(999 - i)]).flat(),
    );
    const read = await speakers.speakers(guild, sessionId, 10);
    expect(read.queue).toEqual(
      Array.from({ length: 10 }, (_, i) => ({
        userId: member(i),
        ...(i === 0 ? { topic: 'first topic' } : i === 7 ? { topic: 'eighth topic' } : {}),
      })),
    );
    expect(read.handsUp).toBe(300);
    expect(read.onStage).toEqual(Array.from({ length: 10 }, (_, i) => member(930 + i)));
    expect(read.speaking).toBe(70);
  });
});
