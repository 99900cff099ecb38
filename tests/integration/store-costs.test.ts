import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { QuestionStore } from '../../src/store/question-store.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';
import { RedisServer } from '../support/redis-server.js';

/**
 * What the board, /question list and autocomplete, /speakers list and
 * /session status cost Redis, counted by Redis itself (INFO commandstats
 * counts the commands scripts run too): the same at 2,000 questions and 300
 * hands as at 80 and 12. A private server, so no other test's commands count.
 */
describe('GIVEN a small and a large live session', () => {
  let server: RedisServer;
  let redis: Redis;
  let sessions: SessionStore;
  let questions: QuestionStore;
  let speakers: SpeakerStore;
  const sizes = { small: { questions: 80, hands: 12 }, large: { questions: 2_000, hands: 300 } };
  const live: Record<keyof typeof sizes, { guild: string; sessionId: string }> = {} as never;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url);
    [sessions, questions, speakers] = [new SessionStore(redis), new QuestionStore(redis), new SpeakerStore(redis)];
    for (const size of ['small', 'large'] as const) {
      const guild = snowflake();
      const { sessionId } = await sessions.start(guild, 'host', 1_000);
      live[size] = { guild, sessionId };
      for (let i = 0; i < sizes[size].questions; i++) {
        const text = `Question ${i} about the ${i % 2 ? 'method' : 'results'} ${'and more '.repeat(20)}`;
        await questions.ask(guild, { id: `q${i}`, sessionId, text, anonymous: true, askedAt: 2_000 + i });
        if (i % 3 === 0) await questions.vote(guild, `q${i}`, 'u1');
        if (i % 10 === 9) await questions.resolveQuestion(guild, `q${i}`, 'answered', 9_000, 'x'.repeat(1_500));
      }
      for (let i = 0; i < sizes[size].hands; i++)
        await speakers.raiseHand(guild, sessionId, `7${String(i).padStart(17, '0')}`, 'a topic', 'command', 3_000);
      for (let i = 0; i < 12; i++) await speakers.callSpeaker(guild, sessionId, `8${i}`, 'host', 4_000, false);
    }
  }, 120_000);
  afterAll(async () => {
    await redis.quit();
    await server.stop();
  });

  /** Commands Redis ran for `read` (and their total count), from its own statistics. */
  async function cost(read: () => Promise<unknown>): Promise<Record<string, number>> {
    await redis.config('RESETSTAT');
    await read();
    const stats = (await redis.info('commandstats')).split('\n');
    const calls: Record<string, number> = {};
    for (const line of stats) {
      const match = /^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/.exec(line);
      if (match && !['config', 'info'].includes(match[1]!)) calls[match[1]!] = Number(match[2]);
    }
    return calls;
  }

  const reads = {
    'the board: top 5 open questions': (s: { guild: string; sessionId: string }) =>
      questions.topQuestions(s.guild, s.sessionId, { status: 'open', limit: 5 }),
    '/question list: top 20 of all': (s: { guild: string; sessionId: string }) =>
      questions.topQuestions(s.guild, s.sessionId, { status: 'all', limit: 20 }),
    '/question autocomplete: 25 matches': (s: { guild: string; sessionId: string }) =>
      questions.searchQuestions(s.guild, s.sessionId, 'method', 25),
    'question counts': (s: { guild: string; sessionId: string }) => questions.counts(s.guild, s.sessionId),
    'the board and /speakers list: 10 hands and speakers': (s: { guild: string; sessionId: string }) =>
      speakers.speakers(s.guild, s.sessionId, 10),
    '/session status': (s: { guild: string; sessionId: string }) => sessions.status(s.guild, s.sessionId),
  };

  it.each(Object.keys(reads) as Array<keyof typeof reads>)(
    'THEN %s runs the same commands at both sizes',
    async (name) => {
      // Once before counting: the first run of a script on a connection sends its body (EVAL), later runs its hash.
      await reads[name](live.small);
      const small = await cost(() => reads[name](live.small));
      const large = await cost(() => reads[name](live.large));
      expect(Object.keys(large).length).toBeGreaterThan(0);
      expect(large).toEqual(small);
    },
  );

  it('THEN each read returns what it shows, and the totals of the large session', async () => {
    const { guild, sessionId } = live.large;
    const top = await questions.topQuestions(guild, sessionId, { status: 'open', limit: 5 });
    expect(top.questions).toHaveLength(5);
    expect(top.total).toBe(1_800);
    expect(top.questions.every((q) => q.votes === 1 && q.status === 'open')).toBe(true);
    expect(await questions.searchQuestions(guild, sessionId, 'method', 25)).toHaveLength(25);
    expect(await speakers.speakers(guild, sessionId, 10)).toMatchObject({ handsUp: 300, speaking: 12 });
    expect(await questions.counts(guild, sessionId)).toEqual({ asked: 2_000, open: 1_800, answered: 200 });
    expect(await redis.zcard(keys.ranked(guild, sessionId, 'all'))).toBe(2_000);
  });
});
