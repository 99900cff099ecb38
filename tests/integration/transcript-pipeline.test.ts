import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { wavFile } from '../../src/domain/transcript/audio.js';
import type { TranscriptEntry } from '../../src/domain/transcript/transcript.js';
import { jobPayloads, type JobHandlers, type JobInfo, type JobName } from '../../src/jobs/contract.js';
import { transcribeHandler } from '../../src/jobs/handlers/transcribe.js';
import { transcriptSummaryHandler, type SummaryDeps } from '../../src/jobs/handlers/transcript-summary.js';
import { jobPrefix, JobQueue, QUEUE, type LaneOptions } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { newId } from '../../src/store/ids.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { connectRedis, createWorkerRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { TranscriptStore } from '../../src/store/transcript-store.js';
import { ChatModel, SpeechToText } from '../../src/transcript/providers.js';
import { chatCompletion, FakeLlm, FakeStt } from '../support/providers.js';

/**
 * The opt-in transcript from the store's Lua up: utterances queued in a real Redis, `transcribe` jobs run by real
 * BullMQ workers in the speech-to-text lane, the real openai client talking to a local server speaking OpenAI's
 * protocols, and the written summary asked of a local chat completions server.
 */

const logger = createLogger('silent');
const LANES: { stt: LaneOptions } = { stt: { concurrency: 2, attempts: 4, backoffMs: 100 } };

/** A Discord-shaped id (17–20 digits), random so tests and runs never share keys or queues. */
function randomSnowflake() {
  const rest = Array.from({ length: 16 + randomInt(0, 4) }, () => randomInt(0, 10)).join('');
  return `${randomInt(1, 10)}${rest}`;
}

/** Random 16 kHz mono samples: any change to the bytes on the way to the provider shows. */
function someWav(ms = 500) {
  const bytes = randomBytes(ms * 16 * 2);
  return wavFile(new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2));
}

const info = (overrides: Partial<JobInfo> = {}): JobInfo => ({
  id: '1',
  attemptsMade: 0,
  finalAttempt: false,
  enqueuedAt: Date.now(),
  ...overrides,
});

/** Every job name answered by a no-op, as startWorker requires a handler for each. */
function noOpHandlers(): JobHandlers {
  const noOp = async () => {};
  return Object.fromEntries(
    (Object.keys(jobPayloads) as JobName[]).map((name) => [name, noOp]),
  ) as unknown as JobHandlers;
}

describe('GIVEN the transcript pipeline on a real Redis and real BullMQ workers', () => {
  let redis: RedisClient;
  let transcripts: TranscriptStore;
  let sessions: SessionStore;
  let papers: PaperStore;
  let cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    transcripts = new TranscriptStore(redis);
    sessions = new SessionStore(redis);
    papers = new PaperStore(redis);
  });
  afterAll(() => redis.quit());
  afterEach(async () => {
    // Newest first: job queues close before the servers their jobs talk to. Every step runs, even after a failure.
    const steps = cleanup.reverse();
    cleanup = [];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
  });

  async function fakeStt() {
    const stt = await FakeStt.start();
    cleanup.push(() => stt.stop());
    return stt;
  }

  async function fakeLlm() {
    const llm = await FakeLlm.start();
    cleanup.push(() => llm.stop());
    return llm;
  }

  /** A JobQueue as one worker process has it: its own producer connection, worker connections per lane. */
  async function jobQueue(app: string) {
    const producer = await connectRedis(inject('redisUrl'));
    const jobs = new JobQueue(producer, () => createWorkerRedis(inject('redisUrl')), app, logger, Date.now, LANES);
    cleanup.push(
      () => producer.quit(),
      () => jobs.close(),
    );
    return jobs;
  }

  /** A worker process running the real `transcribe` handler; `attempts` records the JobInfo of each run. */
  async function transcribeWorker(stt: SpeechToText | undefined, app = randomSnowflake()) {
    const jobs = await jobQueue(app);
    const transcribe = transcribeHandler({ transcripts, stt, logger });
    const attempts: JobInfo[] = [];
    jobs.startWorker({
      ...noOpHandlers(),
      transcribe: async (data, job) => {
        attempts.push(job);
        await transcribe(data, job);
      },
    });
    return { jobs, attempts, app };
  }

  /** A Queue of the app's main lane, to see the jobs a handler enqueued. */
  function mainQueue(app: string) {
    const queue = new Queue(QUEUE, { connection: redis, prefix: jobPrefix(app) });
    cleanup.push(() => queue.close());
    return queue;
  }

  const sttFor = (url: string, extra: { apiKey?: string; language?: string } = {}) =>
    new SpeechToText({ url, model: 'whisper-test', timeoutMs: 10_000, ...extra });

  /** An opted-in member's utterance waiting for its text, and its job enqueued. */
  async function utterance(
    jobs: JobQueue,
    where: { guildId: string; sessionId: string },
    userId: string,
    from: number,
    options: { prompt?: string; paperId?: string; wav?: Buffer } = {},
  ) {
    const id = newId();
    const wav = options.wav ?? someWav();
    const to = from + 500;
    await transcripts.queue(where.guildId, where.sessionId, { id, userId, from, to, wav });
    await jobs.enqueue('transcribe', {
      ...where,
      utteranceId: id,
      userId,
      from,
      to,
      ...(options.paperId && { paperId: options.paperId }),
      ...(options.prompt && { prompt: options.prompt }),
    });
    return { id, userId, from, to, wav };
  }

  /** Waits until every job of the queue is done (completed or failed) and none is left pending in the session. */
  async function settled(jobs: JobQueue, where: { guildId: string; sessionId: string }, total: number) {
    await vi.waitFor(
      async () => {
        const counts = await jobs.counts();
        expect((counts.completed ?? 0) + (counts.failed ?? 0)).toBe(total);
        expect(await transcripts.pending(where.guildId, where.sessionId)).toBe(0);
      },
      { timeout: 20_000, interval: 50 },
    );
    return jobs.counts();
  }

  async function optedIn(guildId: string, userId: string, at: number) {
    expect(await transcripts.join(guildId, userId, at)).toBe(true);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. The store and its Lua
  // ---------------------------------------------------------------------------------------------------------------

  it('GIVEN an opted-in member WHEN the same utterance is resolved twice THEN it is stored once, the first entry kept, and its pending id and audio are gone', async () => {
    const guildId = randomSnowflake();
    const sessionId = newId();
    const member = randomSnowflake();
    const t0 = Date.now();
    await optedIn(guildId, member, t0 - 1_000);
    const id = newId();
    await transcripts.queue(guildId, sessionId, { id, userId: member, from: t0, to: t0 + 500, wav: someWav() });
    expect(await transcripts.pending(guildId, sessionId)).toBe(1);
    expect(await transcripts.audio(guildId, id)).toBeInstanceOf(Buffer);

    const first: TranscriptEntry = { id, userId: member, from: t0, to: t0 + 800, text: 'first words' };
    expect(await transcripts.resolve(guildId, sessionId, first)).toBe('stored');
    expect(await transcripts.pending(guildId, sessionId)).toBe(0);
    expect(await transcripts.audio(guildId, id)).toBeUndefined();

    // A rerun (its audio queued again meanwhile) finds the line there: the second entry changes nothing.
    await transcripts.queue(guildId, sessionId, { id, userId: member, from: t0, to: t0 + 500, wav: someWav() });
    const second: TranscriptEntry = { id, userId: member, from: t0, to: t0 + 800, gap: 'a later gap' };
    expect(await transcripts.resolve(guildId, sessionId, second)).toBe('exists');
    expect(await transcripts.entries(guildId, sessionId)).toEqual([first]);
    expect(await transcripts.pending(guildId, sessionId)).toBe(0);
    expect(await transcripts.audio(guildId, id)).toBeUndefined();
  });

  it('GIVEN a member not opted in, one opted in only after the utterance began and one opted in exactly then WHEN their utterances resolve THEN the first two are dropped, the third stored, and every pending id and audio is gone', async () => {
    const guildId = randomSnowflake();
    const sessionId = newId();
    const [never, late, onTime] = [randomSnowflake(), randomSnowflake(), randomSnowflake()];
    const from = Date.now();
    await optedIn(guildId, late, from + 1);
    await optedIn(guildId, onTime, from);
    const entries = [never, late, onTime].map((userId): TranscriptEntry => ({
      id: newId(),
      userId,
      from,
      to: from + 700,
      text: `said by ${userId}`,
    }));
    for (const entry of entries)
      await transcripts.queue(guildId, sessionId, {
        id: entry.id,
        userId: entry.userId,
        from,
        to: from + 500,
        wav: someWav(),
      });
    expect(await transcripts.pending(guildId, sessionId)).toBe(3);

    const outcomes = [];
    for (const entry of entries) outcomes.push(await transcripts.resolve(guildId, sessionId, entry));

    expect(outcomes).toEqual(['dropped', 'dropped', 'stored']);
    expect(await transcripts.entries(guildId, sessionId)).toEqual([entries[2]]);
    expect(await transcripts.pending(guildId, sessionId)).toBe(0);
    for (const entry of entries) expect(await transcripts.audio(guildId, entry.id)).toBeUndefined();
  });

  it('GIVEN two members with lines in three sessions WHEN one leaves naming two of them THEN their consent and their lines there are gone, their line in the third and the other member’s lines stay, and a job finishing after the leave cannot bring a line back', async () => {
    const guildId = randomSnowflake();
    const [s1, s2, s3] = [newId(), newId(), newId()];
    const [leaver, stayer] = [randomSnowflake(), randomSnowflake()];
    const t0 = Date.now();
    await optedIn(guildId, leaver, t0 - 5_000);
    await optedIn(guildId, stayer, t0 - 5_000);
    const line = (sessionId: string, userId: string, from: number) => {
      const entry: TranscriptEntry = { id: newId(), userId, from, to: from + 900, text: `${userId} in ${sessionId}` };
      return { sessionId, entry };
    };
    const lines = [
      line(s1, leaver, t0),
      line(s1, stayer, t0 + 1_000),
      line(s2, leaver, t0 + 2_000),
      line(s3, leaver, t0 + 3_000),
    ];
    for (const { sessionId, entry } of lines)
      expect(await transcripts.resolve(guildId, sessionId, entry)).toBe('stored');
    // Their utterance still being transcribed when they leave.
    const inFlight = newId();
    await transcripts.queue(guildId, s1, {
      id: inFlight,
      userId: leaver,
      from: t0 + 4_000,
      to: t0 + 4_500,
      wav: someWav(),
    });

    expect(await transcripts.leave(guildId, leaver, [s1, s2], 'left')).toEqual({ was: true, removed: 2 });

    expect([...(await transcripts.members(guildId)).keys()]).toEqual([stayer]);
    expect(await transcripts.consentedAt(guildId, leaver, t0)).toBe(false);
    expect(await transcripts.entries(guildId, s1)).toEqual([lines[1]!.entry]);
    expect(await transcripts.entries(guildId, s2)).toEqual([]);
    expect(await transcripts.entries(guildId, s3)).toEqual([lines[3]!.entry]);

    const late: TranscriptEntry = { id: inFlight, userId: leaver, from: t0 + 4_000, to: t0 + 4_500, text: 'too late' };
    expect(await transcripts.resolve(guildId, s1, late)).toBe('dropped');
    expect(await transcripts.entries(guildId, s1)).toEqual([lines[1]!.entry]);
    expect(await transcripts.pending(guildId, s1)).toBe(0);
    expect(await transcripts.audio(guildId, inFlight)).toBeUndefined();
    // Opting in again does not cover speech from before.
    await optedIn(guildId, leaver, t0 + 10_000);
    expect(await transcripts.resolve(guildId, s1, late)).toBe('dropped');
    expect(await transcripts.leave(guildId, randomSnowflake(), [s1], 'left')).toEqual({ was: false, removed: 0 });
  });

  it('GIVEN a member who opted in WHEN they join again later THEN the first time is kept', async () => {
    const guildId = randomSnowflake();
    const member = randomSnowflake();
    const first = Date.now() - 60_000;
    expect(await transcripts.join(guildId, member, first)).toBe(true);
    expect(await transcripts.join(guildId, member, first + 30_000)).toBe(false);
    expect(await transcripts.members(guildId)).toEqual(new Map([[member, first]]));
    expect(await transcripts.consentedAt(guildId, member, first + 1)).toBe(true);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 2–9. The transcribe job through a real JobQueue
  // ---------------------------------------------------------------------------------------------------------------

  it('GIVEN the provider answers 500, then 429 with Retry-After 1 s, then 200 WHEN the utterance is transcribed THEN one line is stored after 3 requests, the third at least 1 s after the second, and the audio and pending id are gone', async () => {
    const stt = await fakeStt();
    const replies = [
      { status: 500 },
      { status: 429, retryAfterSeconds: 1 },
      { status: 200, body: { text: ' Hello  world ' } },
    ];
    stt.answer = (_request, index) => replies[index] ?? { status: 500 };
    const { jobs, attempts } = await transcribeWorker(sttFor(stt.url));
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    const said = await utterance(jobs, where, member, from, { paperId: 'p1' });
    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(await transcripts.entries(where.guildId, where.sessionId)).toEqual([
      { id: said.id, userId: member, from, to: said.to, paperId: 'p1', text: 'Hello world' },
    ]);
    expect(stt.requests).toHaveLength(3);
    expect(attempts.map((a) => [a.attemptsMade, a.finalAttempt])).toEqual([
      [0, false],
      [1, false],
      [2, false],
    ]);
    const [first, second, third] = stt.requests.map((r) => r.at);
    expect(second! - first!).toBeGreaterThanOrEqual(90);
    // Retry-After (1 s) wins over the 200 ms the backoff would give the second retry.
    expect(third! - second!).toBeGreaterThanOrEqual(990);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
    expect(await transcripts.pending(where.guildId, where.sessionId)).toBe(0);
  });

  it('GIVEN the provider cannot be reached at any attempt WHEN the utterance is transcribed THEN after the last attempt a gap with its times is stored, nothing is pending, the audio is gone and the job completed', async () => {
    const stt = await fakeStt();
    stt.down = true;
    const { jobs, attempts } = await transcribeWorker(sttFor(stt.url));
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    const said = await utterance(jobs, where, member, from);
    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(attempts.map((a) => a.finalAttempt)).toEqual([false, false, false, true]);
    const entries = await transcripts.entries(where.guildId, where.sessionId);
    expect(entries).toEqual([{ id: said.id, userId: member, from, to: said.to, gap: expect.any(String) }]);
    expect((entries[0] as { gap: string }).gap).toMatch(/could not be reached/);
    expect(stt.requests).toHaveLength(0);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
    expect(await transcripts.pending(where.guildId, where.sessionId)).toBe(0);
  });

  it('GIVEN the provider refuses the key (401) WHEN the utterance is transcribed THEN a gap is stored after one request, without retries', async () => {
    const stt = await fakeStt();
    stt.answer = () => ({ status: 401 });
    const { jobs, attempts } = await transcribeWorker(sttFor(stt.url, { apiKey: 'sk-wrong' }));
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    const said = await utterance(jobs, where, member, from);
    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(stt.requests).toHaveLength(1);
    expect(attempts).toHaveLength(1);
    expect(await transcripts.entries(where.guildId, where.sessionId)).toEqual([
      { id: said.id, userId: member, from, to: said.to, gap: 'not transcribed: the server answered 401' },
    ]);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
  });

  it('GIVEN the provider hears no words (blank text) WHEN the utterance is transcribed THEN nothing is stored, nothing is pending and the audio is gone', async () => {
    const stt = await fakeStt();
    stt.answer = () => ({ status: 200, body: { text: '   ' } });
    const { jobs } = await transcribeWorker(sttFor(stt.url));
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    const said = await utterance(jobs, where, member, from);
    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(stt.requests).toHaveLength(1);
    expect(await transcripts.entries(where.guildId, where.sessionId)).toEqual([]);
    expect(await transcripts.pending(where.guildId, where.sessionId)).toBe(0);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
  });

  it('GIVEN a member who left before their utterance’s job ran WHEN the job runs THEN no request reaches the provider and nothing is stored', async () => {
    const stt = await fakeStt();
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);
    // Queued while opted in; the worker starts only after they left.
    const jobs = await jobQueue(randomSnowflake());
    const said = await utterance(jobs, where, member, from);
    await transcripts.leave(where.guildId, member, [where.sessionId], 'left');
    jobs.startWorker({
      ...noOpHandlers(),
      transcribe: transcribeHandler({ transcripts, stt: sttFor(stt.url), logger }),
    });

    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(stt.requests).toHaveLength(0);
    expect(stt.rejected).toHaveLength(0);
    expect(await transcripts.entries(where.guildId, where.sessionId)).toEqual([]);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
  });

  it('GIVEN no speech-to-text server is set up WHEN an utterance is transcribed THEN it is kept as a gap saying so', async () => {
    const { jobs } = await transcribeWorker(undefined);
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    const said = await utterance(jobs, where, member, from);
    const counts = await settled(jobs, where, 1);

    expect(counts).toMatchObject({ completed: 1, failed: 0 });
    expect(await transcripts.entries(where.guildId, where.sessionId)).toEqual([
      { id: said.id, userId: member, from, to: said.to, gap: 'no speech-to-text server is set up' },
    ]);
    expect(await transcripts.audio(where.guildId, said.id)).toBeUndefined();
  });

  it('GIVEN two worker processes each allowing 2 jobs in the speech-to-text lane WHEN 12 utterances wait THEN all 12 lines are stored and the provider never has more than 2 requests at once', async () => {
    const stt = await fakeStt();
    let inFlight = 0;
    let most = 0;
    stt.answer = async (_request, index) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(300);
      inFlight--;
      return { status: 200, body: { text: `line ${index}` } };
    };
    const app = randomSnowflake();
    const one = await transcribeWorker(sttFor(stt.url), app);
    const two = await transcribeWorker(sttFor(stt.url), app);
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);

    for (let i = 0; i < 12; i++) await utterance(i % 2 ? one.jobs : two.jobs, where, member, from + i * 1_000);
    const counts = await settled(one.jobs, where, 12);

    expect(counts).toMatchObject({ completed: 12, failed: 0 });
    const entries = await transcripts.entries(where.guildId, where.sessionId);
    expect(entries).toHaveLength(12);
    expect(entries.every((e) => 'text' in e && /^line \d+$/.test(e.text))).toBe(true);
    expect(stt.requests).toHaveLength(12);
    expect(one.attempts.length + two.attempts.length).toBe(12);
    // At most the lane's limit across both processes, and the limit is used (the jobs do run side by side).
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  });

  it('GIVEN a provider with a key, a model and a language WHEN an utterance is transcribed THEN the request is multipart with the model, language, prompt, the exact WAV bytes as utterance.wav and a Bearer key; without a key no Authorization header is sent', async () => {
    const keyed = await fakeStt();
    const open = await fakeStt();
    const withKey = await transcribeWorker(sttFor(keyed.url, { apiKey: 'sk-test-4242', language: 'fr' }));
    const withoutKey = await transcribeWorker(sttFor(open.url));
    const where = { guildId: randomSnowflake(), sessionId: newId() };
    const member = randomSnowflake();
    const from = Date.now();
    await optedIn(where.guildId, member, from - 1_000);
    const prompt = 'Attention Is All You Need';

    const a = await utterance(withKey.jobs, where, member, from, { prompt });
    const b = await utterance(withoutKey.jobs, where, member, from + 1_000);
    await settled(withKey.jobs, where, 1);
    await settled(withoutKey.jobs, where, 1);

    expect(keyed.rejected).toEqual([]);
    expect(keyed.requests).toHaveLength(1);
    const sent = keyed.requests[0]!;
    expect(sent.path).toBe('/v1/audio/transcriptions');
    expect(sent.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.authorization).toBe('Bearer sk-test-4242');
    expect(sent.model).toBe('whisper-test');
    expect(sent.language).toBe('fr');
    expect(sent.prompt).toBe(prompt);
    expect(sent.fileName).toBe('utterance.wav');
    expect(sent.fileType).toBe('audio/wav');
    expect(sent.file.equals(a.wav)).toBe(true);

    expect(open.rejected).toEqual([]);
    expect(open.requests).toHaveLength(1);
    const bare = open.requests[0]!;
    expect(bare.authorization).toBeUndefined();
    expect(bare.model).toBe('whisper-test');
    expect(bare.fields).not.toHaveProperty('language');
    expect(bare.fields).not.toHaveProperty('prompt');
    expect(bare.file.equals(b.wav)).toBe(true);

    const texts = (await transcripts.entries(where.guildId, where.sessionId)).map((e) =>
      'text' in e ? e.text : e.gap,
    );
    expect(texts).toEqual([`heard ${a.wav.length} bytes`, `heard ${b.wav.length} bytes`]);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 10. The written summary
  // ---------------------------------------------------------------------------------------------------------------

  /** A live session that covered two papers, with two members' lines on each; the handler's deps around it. */
  async function summarisedSession(llm: FakeLlm) {
    const guildId = randomSnowflake();
    const app = randomSnowflake();
    const t0 = Date.now() - 3_600_000;
    const { sessionId } = await sessions.start(guildId, randomSnowflake(), t0);
    const paperIds: string[] = [];
    for (const [arxiv, title] of [
      ['1706.03762', 'Attention Is All You Need'],
      ['1512.03385', 'Deep Residual Learning for Image Recognition'],
    ] as const) {
      const ref = parsePaperRef(arxiv);
      const id = newId();
      const added = await papers.add(
        guildId,
        { id, ref, dedupKey: dedupKey(ref), metadataStatus: 'ready', title, addedAt: t0 - 1_000 },
        50,
      );
      expect(added.outcome).toBe('added');
      paperIds.push(id);
    }
    const [p1, p2] = paperIds as [string, string];
    expect(await sessions.log(guildId, sessionId, { type: 'paper.started', paperId: p1, at: t0 + 1_000 })).toBe(true);
    expect(await sessions.log(guildId, sessionId, { type: 'paper.started', paperId: p2, at: t0 + 60_000 })).toBe(true);
    const [alice, bob] = [randomSnowflake(), randomSnowflake()];
    await optedIn(guildId, alice, t0);
    await optedIn(guildId, bob, t0);
    const said = [
      { userId: alice, paperId: p1, from: t0 + 2_000, to: t0 + 5_000, text: 'Attention replaces recurrence.' },
      { userId: bob, paperId: p1, from: t0 + 6_000, to: t0 + 9_500, text: 'Why does attention parallelise?' },
      { userId: alice, paperId: p2, from: t0 + 61_000, to: t0 + 64_000, text: 'Residuals ease deep training.' },
      { userId: bob, paperId: p2, from: t0 + 70_000, to: t0 + 72_500, text: 'So depth stops hurting.' },
    ];
    for (const line of said)
      expect(await transcripts.resolve(guildId, sessionId, { id: newId(), ...line })).toBe('stored');
    // A gap is not sent to the model.
    const gap = { id: newId(), userId: bob, from: t0 + 80_000, to: t0 + 81_000, gap: 'not transcribed: x' };
    expect(await transcripts.resolve(guildId, sessionId, gap)).toBe('stored');

    const jobs = await jobQueue(app);
    const deps: SummaryDeps = {
      redis,
      transcripts,
      sessions,
      papers,
      messages: {
        displayNames: async (_guildId, ids) => new Map([...ids].map((id) => [id, `Name ${id.slice(-3)}`])),
      },
      jobs,
      chat: new ChatModel({ url: llm.url, model: 'llama-test', timeoutMs: 10_000 }),
      summaryContextChars: 50_000,
      logger,
    };
    const data = { guildId, sessionId, edition: 'e1' };
    const queue = mainQueue(app);
    const recaps = async () => (await queue.getJobs(['waiting', 'delayed', 'active'])).map((j) => [j.name, j.data]);
    return { data, deps, recaps, t0, p1, p2, alice, bob, handler: transcriptSummaryHandler(deps) };
  }

  it('GIVEN the model answers with no JSON twice WHEN the summary job runs THEN no summary is stored, summaryMissing says the answer was invalid, the second of exactly two requests carried the error, and the recap goes on', async () => {
    const llm = await fakeLlm();
    llm.answer = () => ({ status: 200, body: chatCompletion('Sure! Here is a lovely summary of the session.') });
    const { data, handler, recaps } = await summarisedSession(llm);

    await handler(data, info());

    const error = 'the answer is not JSON: it holds no {…} object';
    const state = await transcripts.state(data.guildId, data.sessionId);
    expect(state.summary).toBeUndefined();
    expect(state.summaryMissing).toBe(`the language model's answer was invalid twice (${error})`);
    expect(state.summaryMissing).toMatch(/invalid/);
    expect(llm.requests).toHaveLength(2);
    const [first, second] = llm.requests as [(typeof llm.requests)[0], (typeof llm.requests)[0]];
    expect(first.model).toBe('llama-test');
    expect(first.responseFormat).toEqual({ type: 'json_object' });
    expect(first.messages.map((m) => m.content).join('\n')).not.toContain(error);
    expect(second.messages.slice(0, first.messages.length)).toEqual(first.messages);
    expect(second.messages.at(-2)).toEqual({
      role: 'assistant',
      content: 'Sure! Here is a lovely summary of the session.',
    });
    expect(second.messages.at(-1)!.role).toBe('user');
    expect(second.messages.at(-1)!.content).toContain(error);
    expect(await recaps()).toEqual([['session.recap', data]]);
  });

  it('GIVEN the model’s first answer names an unknown paper and its second is valid WHEN the summary job runs THEN the summary is stored with each chapter’s times taken from that paper’s lines', async () => {
    const llm = await fakeLlm();
    const bad = { summary: 'Two papers.', chapters: [{ paper: 'P9', summary: 'Nothing.' }] };
    const good = {
      summary: 'The club read two papers on deep learning.',
      chapters: [
        { paper: 'P1', summary: 'Attention replaces recurrence.' },
        { paper: 'P2', summary: 'Residual connections make depth trainable.' },
      ],
      heard: [
        { question: 'Why does attention parallelise?', answer: 'No recurrence.', asked_by: 'S2', answered_by: 'S1' },
      ],
      takeaways: ['Attention parallelises.'],
    };
    llm.answer = (_request, index) => ({
      status: 200,
      body: chatCompletion(JSON.stringify(index === 0 ? bad : good)),
    });
    const { data, handler, recaps, t0, p1, p2, alice, bob } = await summarisedSession(llm);

    await handler(data, info());

    expect(llm.requests).toHaveLength(2);
    const prompt = llm.requests[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('P1 = Attention Is All You Need');
    expect(prompt).toContain(`S1 = Name ${alice.slice(-3)}`);
    expect(prompt).not.toContain('not transcribed');
    expect(llm.requests[1]!.messages.at(-1)!.content).toContain('chapters[0].paper is "P9"');
    const state = await transcripts.state(data.guildId, data.sessionId);
    expect(state.summaryMissing).toBeUndefined();
    expect(state.summary).toEqual({
      model: 'llama-test',
      summary: 'The club read two papers on deep learning.',
      chapters: [
        { paperId: p1, summary: 'Attention replaces recurrence.', from: t0 + 2_000, to: t0 + 9_500 },
        { paperId: p2, summary: 'Residual connections make depth trainable.', from: t0 + 61_000, to: t0 + 72_500 },
      ],
      heard: [
        { question: 'Why does attention parallelise?', answer: 'No recurrence.', askedBy: bob, answeredBy: alice },
      ],
      takeaways: ['Attention parallelises.'],
    });
    expect(await recaps()).toEqual([['session.recap', data]]);
  });

  it('GIVEN the model cannot be reached WHEN the summary job runs before its last attempt THEN it throws to be retried and stores nothing; on its last attempt THEN summaryMissing says the model could not be asked and the recap goes on', async () => {
    const llm = await fakeLlm();
    llm.down = true;
    const { data, handler, recaps } = await summarisedSession(llm);

    await expect(handler(data, info({ attemptsMade: 1 }))).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(await transcripts.state(data.guildId, data.sessionId)).toEqual({ on: false });
    expect(await recaps()).toEqual([]);

    await handler(data, info({ attemptsMade: 3, finalAttempt: true }));

    const state = await transcripts.state(data.guildId, data.sessionId);
    expect(state.summary).toBeUndefined();
    expect(state.summaryMissing).toBe('the language model could not be asked (the server could not be reached)');
    expect(await recaps()).toEqual([['session.recap', data]]);
    expect(llm.requests).toHaveLength(0);
  });
});
