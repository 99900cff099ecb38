import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { z } from 'zod';
import { keys } from '../../src/store/keys.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { runScript } from '../../src/store/scripts.js';
import { sessionEndKeys, SessionStore } from '../../src/store/session-store.js';
import { snowflake } from '../emulator/snowflake.js';

/** The session scripts (start, log, end) on a real Redis, with their refusals. */
describe('session scripts on a real Redis', () => {
  let redis: Redis;
  let sessions: SessionStore;
  let papers: PaperStore;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    sessions = new SessionStore(redis);
    papers = new PaperStore(redis);
  });
  afterAll(() => redis.quit());

  const events = async (guild: string, sessionId: string) =>
    (await redis.lrange(keys.timeline(guild, sessionId), 0, -1)).map((e) => JSON.parse(e) as Record<string, unknown>);

  async function queue(guild: string, ...inputs: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const input of inputs) {
      const ref = parsePaperRef(input);
      const added = await papers.add(
        guild,
        {
          id: newId(),
          ref,
          dedupKey: dedupKey(ref),
          metadataStatus: 'none',
          title: ref.id,
          suggestedById: '111111111111111111',
          addedAt: 1,
        },
        50,
      );
      if (added.outcome !== 'added') throw new Error(added.outcome);
      ids.push(added.paper.id);
    }
    return ids;
  }

  it('GIVEN no live session WHEN one starts THEN it is current in one read, with its start event; a second start is refused', async () => {
    const guild = snowflake();
    expect(await sessions.current(guild)).toBeUndefined();
    const { outcome, sessionId } = await sessions.start(guild, 'host', 1_000);
    expect(outcome).toBe('started');
    expect(await sessions.current(guild)).toEqual({
      id: sessionId,
      status: 'live',
      startedAt: 1_000,
      startedBy: 'host',
    });
    expect(await sessions.start(guild, 'other host', 2_000)).toEqual({ outcome: 'live', sessionId });
    expect(await events(guild, sessionId)).toEqual([{ type: 'session.started', by: 'host', at: 1_000 }]);
    expect(await redis.zrange(keys.sessions(guild), '0', '-1')).toEqual([sessionId]);
  });

  it('GIVEN a live session THEN log appends the event as built; GIVEN it ended or another id THEN not-live and nothing written', async () => {
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const note = { type: 'highlight' as const, text: 'A "quoted" point, with {braces}', by: 'host', at: 2_000 };
    expect(await sessions.log(guild, sessionId, note)).toBe(true);
    expect(await sessions.log(guild, 'another-session', { ...note, at: 2_500 })).toBe(false);
    expect((await redis.lrange(keys.timeline(guild, sessionId), 0, -1))[1]).toBe(JSON.stringify(note));
    await sessions.end(guild, { sessionId, by: 'host', at: 3_000 });
    expect(await sessions.log(guild, sessionId, { ...note, at: 4_000 })).toBe(false);
    expect(await redis.llen(keys.timeline(guild, sessionId))).toBe(3);
    expect(await redis.exists(keys.timeline(guild, 'another-session'))).toBe(0);
  });

  it('GIVEN a live session with a paper on and one covered WHEN it ends THEN one script ends it, covers the paper, logs both events and moves covered papers to history', async () => {
    const guild = snowflake();
    const [first, second, third] = await queue(guild, '2408.06292', '2408.03314', '2408.00118');
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    await papers.start(guild, first!, 1_100);
    await papers.start(guild, second!, 1_200);
    const ended = await sessions.end(guild, { sessionId, by: 'host', at: 5_000, recording: 'https://example.org/r' });
    expect(ended).toEqual({ outcome: 'ended', coveredPaperId: second, toHistory: [first, second] });
    expect(await sessions.current(guild)).toBeUndefined();
    expect(await sessions.get(guild, sessionId)).toMatchObject({
      status: 'ended',
      endedAt: 5_000,
      recording: 'https://example.org/r',
    });
    expect((await events(guild, sessionId)).slice(1)).toEqual([
      { type: 'session.ended', by: 'host', at: 5_000, recording: 'https://example.org/r' },
      { type: 'paper.covered', paperId: second, at: 5_000 },
    ]);
    expect(await papers.currentId(guild)).toBeUndefined();
    expect((await papers.list(guild)).map((p) => [p.id, p.status])).toEqual([[third, 'queued']]);
    expect((await papers.history(guild)).map((p) => p.id)).toEqual([second, first]);
    // The papers read are free to be queued again, with the date they were read.
    expect(await queue(guild, '2408.06292')).toHaveLength(1);
    expect(await redis.hget(keys.paperRead(guild), dedupKey(parsePaperRef('2408.03314')))).toBe('1200');
  });

  it('GIVEN the end script ran but its follow-ups were never confirmed (the process died) WHEN /session end runs again THEN it says resumed, writes nothing more, and not-live once they are confirmed', async () => {
    const guild = snowflake();
    const [paper] = await queue(guild, '2408.06292');
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    await papers.start(guild, paper!, 1_100);
    expect(await sessions.end(guild, { sessionId, by: 'host', at: 5_000 })).toMatchObject({ outcome: 'ended' });
    const timeline = await redis.lrange(keys.timeline(guild, sessionId), 0, -1);
    const history = await redis.zrange(keys.paperHistory(guild), '0', '-1', 'WITHSCORES');

    // Step 2 (posts and jobs) never ran: the rerun is told to run it.
    expect(await sessions.end(guild, { sessionId, by: 'other host', at: 9_000 })).toEqual({
      outcome: 'resumed',
      toHistory: [],
    });
    expect(await redis.lrange(keys.timeline(guild, sessionId), 0, -1)).toEqual(timeline);
    expect(await redis.zrange(keys.paperHistory(guild), '0', '-1', 'WITHSCORES')).toEqual(history);
    expect(await sessions.get(guild, sessionId)).toMatchObject({ status: 'ended', endedAt: 5_000 });

    await sessions.endFollowedUp(guild, sessionId);
    expect(await sessions.end(guild, { sessionId, by: 'host', at: 9_500 })).toEqual({ outcome: 'not-live' });
  });

  it('GIVEN no live session, or another one live WHEN end runs for an id THEN not-live and nothing changes', async () => {
    const guild = snowflake();
    expect(await sessions.end(guild, { sessionId: 'nope', by: 'host', at: 1_000 })).toEqual({ outcome: 'not-live' });
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    expect(await sessions.end(guild, { sessionId: 'nope', by: 'host', at: 2_000 })).toEqual({ outcome: 'not-live' });
    expect(await sessions.current(guild)).toMatchObject({ id: sessionId });
    expect(await redis.exists(keys.session(guild, 'nope'))).toBe(0);
  });

  it('GIVEN the queue or current paper changed since the caller read them WHEN the end script runs THEN it refuses as stale and writes nothing', async () => {
    const guild = snowflake();
    const [first, second] = await queue(guild, '2408.06292', '2408.03314');
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    await papers.start(guild, first!, 1_100);
    const end = (current: string, ids: string[]) =>
      runScript(
        redis,
        'session/end',
        sessionEndKeys(guild, sessionId, ids),
        [sessionId, 2_000, '', '{"type":"session.ended"}', '', current, ...ids],
        z.object({ outcome: z.string() }),
      );
    expect(await end('', [first!, second!])).toEqual({ outcome: 'stale' });
    expect(await end(first!, [first!])).toEqual({ outcome: 'stale' });
    expect(await end(first!, [second!, first!])).toEqual({ outcome: 'stale' });
    expect(await sessions.current(guild)).toMatchObject({ id: sessionId });
    expect(await redis.llen(keys.timeline(guild, sessionId))).toBe(1);
    expect(await papers.currentId(guild)).toBe(first);
    // Read as it is, the end goes through.
    expect(await sessions.end(guild, { sessionId, by: 'host', at: 2_000 })).toMatchObject({
      outcome: 'ended',
      toHistory: [first],
    });
  });
});
