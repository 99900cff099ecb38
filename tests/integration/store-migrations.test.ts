import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { QuestionStore } from '../../src/store/question-store.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';
import { RedisServer } from '../support/redis-server.js';

/**
 * Data written by the previous version, migrated at start-up. A private
 * server: migrations walk every key and keep one version for the whole database.
 */
describe('GIVEN data stored by the previous version', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });
  beforeEach(() => redis.flushall());

  const [guild, other] = [snowflake(), snowflake()];
  const [live, ended] = ['live-session', 'ended-session'];
  const member = (i: number) => `6000000000000000${String(i).padStart(2, '0')}`;

  /** What the previous version wrote: a plain-set stage, the voice mirror, a string pointer, open set and votes sorted set. */
  async function storeOldShape(): Promise<void> {
    const s = keys.session(guild, live);
    await redis.hset(s, { id: live, status: 'live', startedAt: '1000', startedBy: 'host', threadId: 'thread' });
    await redis.set(keys.currentSession(guild), live);
    await redis.sadd(`${s}:stage`, member(3), member(1), member(2));
    await redis.hset(`lectern:voice:{${guild}}`, member(1), 'stage-channel');
    await redis.hset(`lectern:voice:{${other}}`, member(2), 'stage-channel');
    const asked = [
      { id: 'q-a', askedAt: 2_000, status: 'open', text: 'First Question', votes: 1 },
      { id: 'q-b', askedAt: 3_000, status: 'answered', text: 'Answered one', votes: 5 },
      { id: 'q-c', askedAt: 4_000, status: 'open', text: 'Most VOTED', votes: 3 },
      { id: 'q-d', askedAt: 5_000, status: 'open', text: 'never voted', votes: 0 },
      { id: 'q-e', askedAt: 6_000, status: 'dismissed', text: 'Off topic', votes: 2 },
    ];
    for (const q of asked) {
      await redis.hset(keys.question(guild, q.id), {
        id: q.id,
        sessionId: live,
        text: q.text,
        anonymous: 'false',
        askedAt: String(q.askedAt),
        status: q.status,
      });
      await redis.zadd(`${s}:questions`, q.askedAt, q.id);
      if (q.status === 'open') await redis.sadd(`${s}:open`, q.id);
      if (q.votes > 0) await redis.zadd(`${s}:votes`, q.votes, q.id);
    }
    // Another guild's pointer still names a session that has ended.
    await redis.hset(keys.session(other, ended), { id: ended, status: 'ended', startedAt: '1', startedBy: 'h' });
    await redis.set(keys.currentSession(other), ended);
  }

  it('WHEN Lectern starts THEN every migration runs once, the version is recorded, and the stores read and write the new shape', async () => {
    await storeOldShape();
    expect(await migrate(redis)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(await redis.get(keys.schemaVersion())).toBe(String(SCHEMA_VERSION));
    expect(await redis.exists(keys.schemaLock())).toBe(0);

    // 1: the stage is a sorted set, read in id order.
    expect(await redis.type(keys.stage(guild, live))).toBe('zset');
    const speakers = new SpeakerStore(redis);
    expect((await speakers.speakers(guild, live, 10)).onStage).toEqual([member(1), member(2), member(3)]);
    // 2: the voice presence mirror is gone, for every guild.
    expect(await redis.keys('lectern:voice:*')).toEqual([]);
    // 3: the pointer is the live session in one hash; a pointer to an ended session names none.
    const sessions = new SessionStore(redis);
    expect(await sessions.current(guild)).toEqual({ id: live, status: 'live', startedAt: 1_000, startedBy: 'host' });
    expect(await redis.exists(keys.currentSession(other))).toBe(0);
    // 4: rankings by votes per status, votes on each question, search texts; the old keys are gone.
    const questions = new QuestionStore(redis);
    const top = async (status: 'open' | 'answered' | 'dismissed' | 'all') =>
      (await questions.topQuestions(guild, live, { status, limit: 10 })).questions.map((q) => [q.id, q.votes]);
    expect(await top('open')).toEqual([
      ['q-c', 3],
      ['q-a', 1],
      ['q-d', 0],
    ]);
    expect(await top('answered')).toEqual([['q-b', 5]]);
    expect(await top('dismissed')).toEqual([['q-e', 2]]);
    expect((await top('all')).map(([id]) => id)).toEqual(['q-b', 'q-c', 'q-e', 'q-a', 'q-d']);
    expect(await questions.counts(guild, live)).toEqual({ asked: 5, open: 3, answered: 1 });
    expect((await questions.searchQuestions(guild, live, 'voted', 10)).map((q) => q.id)).toEqual(['q-c', 'q-d']);
    expect(await redis.exists(`${keys.session(guild, live)}:open`, `${keys.session(guild, live)}:votes`)).toBe(0);

    // The scripts work on the migrated data.
    expect(await questions.vote(guild, 'q-d', 'u1')).toMatchObject({ outcome: 'added', votes: 1 });
    expect(await questions.resolveQuestion(guild, 'q-c', 'answered', 7_000, 'yes')).toBe('ok');
    expect(await top('open')).toEqual([
      ['q-a', 1],
      ['q-d', 1],
    ]);
    expect(await speakers.speakerDone(guild, live, member(2), 7_100)).toBe('done');
  });

  it('WHEN it starts again THEN nothing runs and nothing changes', async () => {
    await storeOldShape();
    await migrate(redis);
    const dump = async () => {
      const all = (await redis.keys('*')).sort();
      return Promise.all(all.map(async (key) => [key, await redis.type(key), await redis.dump(key)]));
    };
    const before = await dump();
    expect(await migrate(redis)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(await dump()).toEqual(before);
  });

  it('WHEN three processes start at once THEN one migrates, the others wait for it, and no vote is counted twice', async () => {
    await storeOldShape();
    const processes = [new Redis(server.url), new Redis(server.url), new Redis(server.url)];
    try {
      const results = await Promise.all(processes.map((p) => migrate(p, { pollMs: 10 })));
      expect(results.map((r) => r.to)).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    } finally {
      for (const p of processes) p.disconnect();
    }
    const questions = new QuestionStore(redis);
    expect((await questions.topQuestions(guild, live, { status: 'all', limit: 1 })).questions[0]).toMatchObject({
      id: 'q-b',
      votes: 5,
    });
    expect(await redis.zscore(keys.ranked(guild, live, 'all'), '000000000003000:q-b')).toBe('-5');
  });

  it('GIVEN a process died holding the lock WHEN another starts THEN it waits for the lock to lapse and migrates', async () => {
    await storeOldShape();
    await redis.set(keys.schemaLock(), 'a process that died', 'PX', 300);
    const started = Date.now();
    expect(await migrate(redis, { pollMs: 20 })).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await redis.type(keys.stage(guild, live))).toBe('zset');
  });

  it('GIVEN an empty database THEN the migrations find nothing and record the version', async () => {
    expect(await migrate(redis)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(await redis.keys('*')).toEqual([keys.schemaVersion()]);
  });
});
