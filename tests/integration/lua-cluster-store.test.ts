import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { exportGuildData } from '../../src/store/guild-export.js';
import { newId } from '../../src/store/ids.js';
import { keys } from '../../src/store/keys.js';
import { migrate, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { QuestionStore } from '../../src/store/question-store.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { NEXT_CALL_WINDOW_MS, SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';
import { PrivateRedisCluster } from '../support/redis-cluster.js';

/** Every store script and read on a real 3-master Redis Cluster, for guilds on each master. */
describe('GIVEN the stores on a 3-master Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let redis: RedisClient;
  const guilds: string[] = [];

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start();
    const config = loadConfig({
      DISCORD_TOKEN: 'token',
      DISCORD_APPLICATION_ID: snowflake(),
      REDIS_CLUSTER_NODES: cluster.seedList,
    });
    redis = await connectRedis(config, { name: 'lectern-store-cluster-test', autoPipelining: true });
    guilds.push(...(await onEveryMaster()));
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  /** A guild for each master: guild ids whose hash tags land on three different masters. */
  async function onEveryMaster(): Promise<string[]> {
    const byMaster = new Map<string, string>();
    while (byMaster.size < 3) {
      const guild = snowflake();
      const owner = await masterOf(keys.settings(guild));
      if (!byMaster.has(owner)) byMaster.set(owner, guild);
    }
    return [...byMaster.values()];
  }

  async function masterOf(key: string): Promise<string> {
    const slot = Number(await redis.cluster('KEYSLOT', key));
    const ranges = await redis.cluster('SLOTS');
    const [host, port] = ranges.find(([from, to]) => slot >= from && slot <= to)![2]!;
    return `${host}:${port}`;
  }

  it('THEN a whole session runs through the scripts for each guild: queue, questions, speakers, cards, status and end', async () => {
    expect(redis).toBeInstanceOf(Cluster);
    for (const guild of guilds) {
      const [papers, sessions, questions, speakers] = [
        new PaperStore(redis),
        new SessionStore(redis),
        new QuestionStore(redis),
        new SpeakerStore(redis),
      ];
      const paperIds: string[] = [];
      for (const input of ['2408.06292', '2408.03314']) {
        const ref = parsePaperRef(input);
        const id = newId();
        paperIds.push(id);
        const paper = { id, ref, dedupKey: dedupKey(ref), metadataStatus: 'none' as const, title: ref.id };
        expect(await papers.add(guild, { ...paper, suggestedById: guild, addedAt: 1 }, 50)).toMatchObject({
          outcome: 'added',
        });
      }
      const { sessionId } = await sessions.start(guild, 'host', 1_000);
      expect(await papers.next(guild, 1_100)).toMatchObject({ outcome: 'started', paperId: paperIds[0] });
      await sessions.setBoard(guild, sessionId, { channelId: 'c', messageId: 'm', threadId: 't' });

      const asked = await questions.ask(guild, { id: 'q1', sessionId, text: 'Why?', anonymous: true, askedAt: 2_000 });
      expect(asked).toMatchObject({ outcome: 'asked', question: { paperId: paperIds[0] }, threadId: 't' });
      await questions.ask(guild, { id: 'q2', sessionId, text: 'How?', anonymous: true, askedAt: 2_100 });
      expect(await questions.vote(guild, 'q2', 'u1')).toMatchObject({ outcome: 'added', votes: 1 });
      expect(await questions.resolveQuestion(guild, 'q1', 'answered', 2_200, 'Because.')).toBe('ok');
      expect((await questions.topQuestions(guild, sessionId, { status: 'all', limit: 5 })).questions).toHaveLength(2);
      expect((await questions.searchQuestions(guild, sessionId, 'how', 5)).map((q) => q.id)).toEqual(['q2']);
      const due = await questions.cardsDue(guild, sessionId, 'job', 10);
      expect(due.threadId === undefined ? [] : due.cards.map((c) => [c.question.id, c.claimed])).toEqual([
        ['q1', true],
        ['q2', true],
      ]);

      await speakers.raiseHand(guild, sessionId, 'u1', 'topic', 'command', 3_000);
      await speakers.raiseHand(guild, sessionId, 'u2', undefined, 'stage', 3_100);
      const first = (await speakers.firstHand(guild, sessionId))!;
      const call = { sessionId, userId: first, by: 'host', at: 4_000, windowMs: NEXT_CALL_WINDOW_MS };
      expect(await speakers.callFirst(guild, call)).toMatchObject({ outcome: 'called', userId: 'u1' });
      expect(await speakers.lowerHand(guild, sessionId, 'u2', 4_100)).toBe('lowered');
      expect(await speakers.speakers(guild, sessionId, 10)).toEqual({
        queue: [],
        handsUp: 0,
        onStage: ['u1'],
        speaking: 1,
      });
      expect(await sessions.status(guild)).toMatchObject({ asked: 2, open: 1, onStage: ['u1'] });

      expect(await sessions.end(guild, { sessionId, by: 'host', at: 5_000 })).toEqual({
        outcome: 'ended',
        coveredPaperId: paperIds[0],
        toHistory: [paperIds[0]],
      });
      expect((await papers.queue(guild)).map((p) => p.id)).toEqual([paperIds[1]]);
      expect(Object.keys(await exportGuildData(redis, guild))).toContain(`session:${sessionId}:timeline`);
    }
  });

  it('THEN migrations find the old shapes on every master', async () => {
    const old = await onEveryMaster();
    for (const guild of old) {
      await redis.sadd(`${keys.session(guild, 's')}:stage`, 'b', 'a');
      await redis.hset(`lectern:voice:{${guild}}`, 'u', 'c');
    }
    await redis.del(keys.schemaVersion());
    expect(await migrate(redis)).toEqual({ from: 0, to: SCHEMA_VERSION });
    for (const guild of old) {
      expect(await redis.type(keys.stage(guild, 's'))).toBe('zset');
      expect(await redis.exists(`lectern:voice:{${guild}}`)).toBe(0);
    }
  });
});
