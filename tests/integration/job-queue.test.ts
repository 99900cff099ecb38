import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { boardCoalesceKey, newCardsCoalesceKey } from '../../src/jobs/contract.js';
import { jobPrefix, JobQueue, QUEUE } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { connectRedis, createWorkerRedis, type RedisClient } from '../../src/store/redis.js';
import { snowflake } from '../emulator/snowflake.js';

describe('GIVEN the job queue on a real Redis', () => {
  const app = snowflake();
  let redis: RedisClient;
  let jobs: JobQueue;
  let queue: Queue;
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    jobs = new JobQueue(redis, () => createWorkerRedis(inject('redisUrl')), app, createLogger('silent'), Date.now);
    queue = new Queue(QUEUE, { connection: await connectRedis(inject('redisUrl')), prefix: jobPrefix(app) });
  });
  afterAll(async () => {
    await queue.close();
    await redis.quit();
  });

  it('WHEN enqueueAll adds a card run and a delayed board edit THEN both are queued, with their options, and a second call is absorbed by their coalescing keys', async () => {
    const guildId = snowflake();
    const sessionId = 's1';
    const both = () =>
      jobs.enqueueAll([
        {
          name: 'question.cards',
          data: { guildId, sessionId },
          options: { coalesceKey: newCardsCoalesceKey(guildId) },
        },
        undefined,
        {
          name: 'session.board',
          data: { guildId, sessionId },
          options: { coalesceKey: boardCoalesceKey(guildId), delayMs: 60_000 },
        },
      ]);
    await both();
    await both();
    const waiting = await queue.getJobs(['waiting']);
    const delayed = await queue.getJobs(['delayed']);
    expect(waiting.map((j) => [j.name, j.data])).toEqual([['question.cards', { guildId, sessionId }]]);
    expect(delayed.map((j) => [j.name, j.data, j.opts.delay])).toEqual([
      ['session.board', { guildId, sessionId }, 60_000],
    ]);
    expect(waiting[0]!.opts.attempts).toBeGreaterThan(1);
  });

  it('WHEN enqueueAll gets nothing to add THEN it sends nothing and adds nothing', async () => {
    const before = await queue.count();
    await jobs.enqueueAll([undefined, undefined]);
    expect(await queue.count()).toBe(before);
  });
});
