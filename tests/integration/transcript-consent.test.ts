import { randomInt } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeRecap } from '../../src/domain/recap/recap.js';
import { wavFile } from '../../src/domain/transcript/audio.js';
import { SUMMARY_WITHDRAWN, type WrittenSummary } from '../../src/domain/transcript/transcript.js';
import type { JobInfo } from '../../src/jobs/contract.js';
import { transcriptNotReady, withCurrentConsent } from '../../src/jobs/handlers/recap-transcript.js';
import { transcribeHandler } from '../../src/jobs/handlers/transcribe.js';
import { transcriptSummaryHandler } from '../../src/jobs/handlers/transcript-summary.js';
import { jobPrefix, JobQueue, QUEUE } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { connectRedis, createWorkerRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { TranscriptStore } from '../../src/store/transcript-store.js';
import { ChatModel, SpeechToText } from '../../src/transcript/providers.js';
import { chatCompletion, FakeLlm, FakeStt } from '../support/providers.js';

/**
 * Consent and the recap's waits, where they meet races: a member leaving while the model writes, a recap composed
 * before a leave and posted after, utterances whose job was lost, a worker without a model, a rerun after silence.
 */
const logger = createLogger('silent');
const snowflake = () => `${randomInt(1, 10)}${Array.from({ length: 17 }, () => randomInt(0, 10)).join('')}`;
const info = (overrides: Partial<JobInfo> = {}): JobInfo => ({
  id: '1',
  attemptsMade: 0,
  finalAttempt: false,
  enqueuedAt: Date.now(),
  ...overrides,
});
const summaryNaming = (userId: string): WrittenSummary => ({
  model: 'm',
  summary: 'They talked.',
  chapters: [],
  heard: [{ question: 'Why?', answer: 'Because.', askedBy: userId }],
  takeaways: [],
});

describe('GIVEN the transcript on a real Redis', () => {
  let redis: RedisClient;
  let transcripts: TranscriptStore;
  let sessions: SessionStore;
  let cleanup: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    transcripts = new TranscriptStore(redis);
    sessions = new SessionStore(redis);
  });
  afterAll(() => redis.quit());
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup = [];
  });

  async function jobQueue(app = snowflake()) {
    const jobs = new JobQueue(redis, () => createWorkerRedis(inject('redisUrl')), app, logger, Date.now);
    const main = new Queue(QUEUE, { connection: redis, prefix: jobPrefix(app) });
    cleanup.push(
      () => jobs.close(),
      () => main.close(),
    );
    return { jobs, recaps: async () => (await main.getJobs(['waiting', 'delayed'])).map((j) => j.name) };
  }

  /** A session with two opted-in members and a line from each. */
  async function spoken() {
    const guildId = snowflake();
    const [a, b] = [snowflake(), snowflake()];
    const { sessionId } = await sessions.start(guildId, a, 1_000);
    await transcripts.start(guildId, sessionId);
    for (const member of [a, b]) await transcripts.join(guildId, member, 0);
    const line = (userId: string, from: number) => ({ id: `${userId}-${from}`, userId, from, to: from + 500 });
    for (const [member, from] of [
      [a, 2_000],
      [b, 3_000],
    ] as const)
      await transcripts.resolve(guildId, sessionId, { ...line(member, from), text: `words of ${member}` });
    return { guildId, sessionId, a, b };
  }

  it('WHEN a member leaves THEN their lines go from every stored transcript, and each summary made with them goes, saying why', async () => {
    const first = await spoken();
    const { guildId, a, b } = first;
    await sessions.end(guildId, { sessionId: first.sessionId, by: a, at: 9_000 });
    const { sessionId: second } = await sessions.start(guildId, a, 10_000);
    await transcripts.resolve(guildId, second, { id: 'x', userId: a, from: 11_000, to: 11_500, text: 'again' });
    await transcripts.saveSummary(guildId, first.sessionId, { summary: summaryNaming(b) });
    await transcripts.saveSummary(guildId, second, { summary: summaryNaming(a) });
    // Sessions are listed by the store's start script.
    expect(await redis.zcard(keys.sessions(guildId))).toBe(2);

    expect(await transcripts.leaveEverywhere(guildId, a)).toEqual({ was: true, removed: 2 });
    expect((await transcripts.entries(guildId, first.sessionId)).map((e) => e.userId)).toEqual([b]);
    expect(await transcripts.entries(guildId, second)).toEqual([]);
    for (const sessionId of [first.sessionId, second])
      expect(await transcripts.state(guildId, sessionId)).toMatchObject({ summaryMissing: SUMMARY_WITHDRAWN.left });
    expect((await transcripts.state(guildId, second)).summary).toBeUndefined();
  });

  it('WHEN a member leaves while the model is writing THEN the summary made with their words is not saved, and the recap still follows', async () => {
    const { guildId, sessionId, a } = await spoken();
    const llm = await FakeLlm.start();
    cleanup.push(() => llm.stop());
    llm.answer = () => ({ delayMs: 800, status: 200, body: chatCompletion('{"summary":"x","chapters":[]}') });
    const { jobs, recaps } = await jobQueue();
    const handler = transcriptSummaryHandler({
      redis,
      transcripts,
      sessions,
      papers: new PaperStore(redis),
      messages: { displayNames: async (_g, ids) => new Map([...ids].map((id) => [id, 'Name'])) },
      jobs,
      chat: new ChatModel({ url: llm.url, model: 'm', timeoutMs: 10_000 }),
      summaryContextChars: 48_000,
      logger,
    });
    const running = handler({ guildId, sessionId, edition: 'first' }, info());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await transcripts.leaveEverywhere(guildId, a);
    await running;
    expect(llm.requests).toHaveLength(1);
    const state = await transcripts.state(guildId, sessionId);
    expect(state.summary).toBeUndefined();
    expect(state.summaryMissing).toBe(SUMMARY_WITHDRAWN.left);
    expect(await recaps()).toEqual(['session.recap']);
  });

  it('WHEN the summary job runs on a worker without a model THEN it says so and the recap follows (never waits forever)', async () => {
    const { guildId, sessionId } = await spoken();
    const { jobs, recaps } = await jobQueue();
    const handler = transcriptSummaryHandler({
      redis,
      transcripts,
      sessions,
      papers: new PaperStore(redis),
      messages: { displayNames: async () => new Map() },
      jobs,
      chat: undefined,
      summaryContextChars: 48_000,
      logger,
    });
    await handler({ guildId, sessionId, edition: 'first' }, info());
    expect((await transcripts.state(guildId, sessionId)).summaryMissing).toBe(
      'no language model is set up (LECTERN_LLM_URL)',
    );
    expect(await recaps()).toEqual(['session.recap']);
  });

  it('GIVEN a recap composed before a member left THEN it is posted without their lines, and without a summary made with them', async () => {
    const { guildId, sessionId, a, b } = await spoken();
    const session = (await sessions.get(guildId, sessionId))!;
    const recap = {
      ...composeRecap({ ...session, status: 'ended', endedAt: 9_000 }, [], [], new Map()),
      transcript: { entries: await transcripts.entries(guildId, sessionId), summary: summaryNaming(b) },
    };
    const { jobs } = await jobQueue();
    const deps = { transcripts, jobs, chat: undefined, now: Date.now };
    expect(await withCurrentConsent(deps, guildId, recap)).toBe(recap);
    await transcripts.leaveEverywhere(guildId, a);
    const posted = await withCurrentConsent(deps, guildId, recap);
    expect(posted.transcript!.entries.map((e) => e.userId)).toEqual([b]);
    expect(posted.transcript!.summary).toBeUndefined();
    expect(posted.transcript!.summaryMissing).toBe(SUMMARY_WITHDRAWN.left);
  });

  it('GIVEN a pending utterance whose job was lost THEN the recap keeps it as a gap instead of waiting; a fresh one is waited for; so is the voice side handing over', async () => {
    const { guildId, sessionId, a } = await spoken();
    const { jobs, recaps } = await jobQueue();
    const deps = { transcripts, jobs, chat: undefined, now: Date.now };
    const wav = wavFile(new Int16Array(1_600));
    const ended = Date.now();
    // The voice side has not handed over yet: the recap waits.
    expect(await transcriptNotReady(deps, guildId, sessionId, 'first', ended)).toBe(true);
    await transcripts.close(guildId, sessionId, ended);
    // Queued a minute ago and its job never added (the process died in between).
    await transcripts.queue(guildId, sessionId, { id: 'lost', userId: a, from: 5_000, to: 5_500, wav }, ended - 60_000);
    expect(await transcriptNotReady(deps, guildId, sessionId, 'first', ended)).toBe(false);
    expect(await transcripts.pending(guildId, sessionId)).toBe(0);
    expect((await transcripts.entries(guildId, sessionId)).find((e) => e.id === 'lost')).toMatchObject({
      gap: 'lost before it was transcribed',
      userId: a,
      from: 5_000,
    });
    // Queued just now: its job may still be on its way, so the recap waits (and runs again shortly).
    await transcripts.queue(guildId, sessionId, { id: 'fresh', userId: a, from: 6_000, to: 6_500, wav });
    expect(await transcriptNotReady(deps, guildId, sessionId, 'first', ended)).toBe(true);
    expect((await recaps()).filter((name) => name === 'session.recap').length).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN a summary asked for long ago that never came THEN the recap goes out without it and says why', async () => {
    const { guildId, sessionId } = await spoken();
    const { jobs } = await jobQueue();
    await transcripts.close(guildId, sessionId, Date.now());
    await transcripts.summaryAsked(guildId, sessionId, Date.now() - 16 * 60_000);
    const deps = { transcripts, jobs, chat: {}, now: Date.now };
    expect(await transcriptNotReady(deps, guildId, sessionId, 'first', Date.now())).toBe(false);
    expect((await transcripts.state(guildId, sessionId)).summaryMissing).toBe('it was not ready in time');
  });

  it('WHEN an utterance with no words is transcribed again (a rerun) THEN nothing shows and no false gap is stored', async () => {
    const { guildId, sessionId, a } = await spoken();
    const stt = await FakeStt.start();
    cleanup.push(() => stt.stop());
    stt.answer = () => ({ status: 200, body: { text: '   ' } });
    const wav = wavFile(new Int16Array(8_000).fill(100));
    await transcripts.queue(guildId, sessionId, { id: 'quiet', userId: a, from: 7_000, to: 7_500, wav });
    const handler = transcribeHandler({
      transcripts,
      stt: new SpeechToText({ url: stt.url, model: 'w', timeoutMs: 5_000 }),
      logger,
    });
    const job = { guildId, sessionId, utteranceId: 'quiet', userId: a, from: 7_000, to: 7_500 };
    await handler(job, info());
    await handler(job, info());
    expect(stt.requests).toHaveLength(1);
    expect((await transcripts.entries(guildId, sessionId)).map((e) => e.id)).not.toContain('quiet');
    expect(await transcripts.pending(guildId, sessionId)).toBe(0);
    // Still removed with the member's other entries (privacy): nothing of theirs stays behind.
    await transcripts.leaveEverywhere(guildId, a);
    expect(JSON.stringify(await redis.hgetall(keys.transcript(guildId, sessionId)))).not.toContain(a);
  });
});
