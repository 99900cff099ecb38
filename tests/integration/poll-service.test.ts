import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePaperRef, dedupKey } from '../../src/domain/papers/paper-ref.js';
import { jobPrefix, JobQueue, QUEUE } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { PollService } from '../../src/papers/poll-service.js';
import { newId } from '../../src/store/ids.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { PollStore } from '../../src/store/poll-store.js';
import { connectRedis, createWorkerRedis, type RedisClient } from '../../src/store/redis.js';
import { snowflake } from '../emulator/snowflake.js';

/** Deciding a poll on a real Redis: one at a time, its jobs queued, an abandoned one not blocking the next. */
describe('PollService', () => {
  let redis: RedisClient;
  let jobs: JobQueue;
  let queue: Queue;
  let papers: PaperStore;
  let polls: PollService;
  const app = snowflake();
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    jobs = new JobQueue(redis, () => createWorkerRedis(inject('redisUrl')), app, createLogger('silent'), Date.now);
    queue = new Queue(QUEUE, { connection: await connectRedis(inject('redisUrl')), prefix: jobPrefix(app) });
    papers = new PaperStore(redis);
    polls = new PollService(papers, new PollStore(redis), jobs, { agendaChanged: async () => {} });
  });
  afterAll(async () => {
    await jobs.close();
    await queue.close();
    redis.disconnect();
  });

  async function guildWithPapers(count: number) {
    const guild = snowflake();
    for (let i = 0; i < count; i++) {
      const ref = parsePaperRef(`https://example.org/p${i}`);
      await papers.add(
        guild,
        {
          id: newId(),
          ref,
          dedupKey: dedupKey(ref),
          addedAt: i,
          suggestedById: '1',
          metadataStatus: 'none',
          title: ref.url,
        },
        50,
      );
    }
    return guild;
  }
  const request = (id: string, now: number) => ({
    id,
    channelId: snowflake(),
    hours: 1,
    closesAt: now + 3_600_000,
    now,
  });

  it('GIVEN a poll open THEN a second is refused; GIVEN it abandoned (an hour past its close) THEN the next opens', async () => {
    const guild = await guildWithPapers(3);
    const now = Date.now();
    const first = await polls.start(guild, request('c1', now));
    expect(first.outcome).toBe('started');
    const ids = (await queue.getJobs(['waiting', 'delayed'])).filter((j) => j.data.guildId === guild).map((j) => j.id);
    expect(ids.sort()).toEqual([`poll-close-${guild}-c1`, `poll-post-${guild}-c1`]);
    expect((await polls.start(guild, request('c2', now + 1_000))).outcome).toBe('open');
    // Its close job gave up long ago: two hours past its close, a new poll replaces it.
    const later = now + 3 * 3_600_000;
    const next = await polls.start(guild, request('c3', later));
    expect(next.outcome).toBe('started');
    expect((await polls.current(guild))!.id).toBe('c3');
  });

  it('GIVEN one queued paper THEN too few, and nothing stored', async () => {
    const guild = await guildWithPapers(1);
    expect(await polls.start(guild, request('c1', Date.now()))).toEqual({ outcome: 'too-few', queued: 1 });
    expect(await polls.current(guild)).toBeUndefined();
  });
});
