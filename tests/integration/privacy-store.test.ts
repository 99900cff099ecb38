import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { nothingForgotten } from '../../src/domain/privacy/forget.js';
import { memberRecords } from '../../src/domain/privacy/member-export.js';
import { composeRecap, type RecapPaper } from '../../src/domain/recap/recap.js';
import { ArchiveStore } from '../../src/store/archive-store.js';
import { exportGuildData } from '../../src/store/guild-export.js';
import { newId } from '../../src/store/ids.js';
import { keys } from '../../src/store/keys.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { TranscriptStore } from '../../src/store/transcript-store.js';
import { PrivacyStore, type ForgetResult } from '../../src/store/privacy-store.js';
import { QuestionStore, rankMember } from '../../src/store/question-store.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { ScheduleStore } from '../../src/store/schedule-store.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SpeakerStore } from '../../src/store/speaker-store.js';
import { snowflake } from '../emulator/snowflake.js';

/** /privacy delete at the store level, on a real Redis: what goes, what stays, and a live session going on meanwhile. */
describe('PrivacyStore.forget on a real Redis', () => {
  let redis: RedisClient;
  let sessions: SessionStore;
  let questions: QuestionStore;
  let papers: PaperStore;
  let speakers: SpeakerStore;
  let schedules: ScheduleStore;
  let archive: ArchiveStore;
  let transcripts: TranscriptStore;
  let privacy: PrivacyStore;
  beforeAll(async () => {
    // As the bot has it: auto-pipelined, so the store's WATCH must not ride this shared connection.
    redis = await connectRedis(inject('redisUrl'), { autoPipelining: true });
    sessions = new SessionStore(redis);
    questions = new QuestionStore(redis);
    papers = new PaperStore(redis);
    speakers = new SpeakerStore(redis);
    schedules = new ScheduleStore(redis);
    archive = new ArchiveStore(redis);
    transcripts = new TranscriptStore(redis);
    privacy = new PrivacyStore(redis, questions, papers, archive, transcripts);
  });
  afterAll(() => redis.quit());

  const [A, B, C, HOST] = [snowflake(), snowflake(), snowflake(), snowflake()];
  const NAMES = new Map([
    [A, 'Ada'],
    [B, 'Bob'],
    [C, 'Cy'],
    [HOST, 'Hal'],
  ]);
  const nothing = nothingForgotten();
  const stored = async (guild: string) => JSON.stringify(await exportGuildData(redis, guild));
  const forget = async (guild: string, userId: string) => {
    const result = await privacy.forget(guild, userId);
    if (result === 'busy') throw new Error('the lock was held');
    return result;
  };

  async function addPaper(guild: string, url: string, suggestedById: string, presenterId?: string) {
    const ref = parsePaperRef(url);
    const id = newId();
    const presenter = presenterId ? { presenterId, presenterName: NAMES.get(presenterId)! } : {};
    const paper = { id, ref, dedupKey: dedupKey(ref), metadataStatus: 'none' as const, title: ref.url };
    await papers.add(guild, { ...paper, suggestedById, addedAt: Date.now(), ...presenter }, 50);
    return id;
  }

  let askedClock = 0;
  async function ask(guild: string, sessionId: string, text: string, askerId?: string) {
    const id = newId();
    // A millisecond apart at least: the recap lists questions in the order asked, and a tie has no order.
    askedClock = Math.max(askedClock + 1, Date.now());
    const asked = { id, sessionId, text, anonymous: !askerId, askedAt: askedClock, ...(askerId && { askerId }) };
    expect(await questions.ask(guild, asked)).toMatchObject({ outcome: 'asked' });
    return id;
  }

  /** The recap job's own steps, without Discord: compose, save, and record for the archive with the names. */
  async function recap(guild: string, sessionId: string) {
    const state = await transcripts.state(guild, sessionId);
    const timeline = await sessions.timeline(guild, sessionId);
    const map = new Map<string, RecapPaper>();
    for (const event of timeline)
      if (event.type === 'paper.started') {
        const paper = (await papers.get(guild, event.paperId))!;
        map.set(paper.id, { id: paper.id, title: paper.title, url: paper.ref.url, presenterId: paper.presenterId });
      }
    const composed = composeRecap(
      (await sessions.get(guild, sessionId))!,
      timeline,
      await questions.questions(guild, sessionId),
      map,
    );
    if (state.on)
      composed.transcript = {
        entries: await transcripts.entries(guild, sessionId),
        ...(state.summary && { summary: state.summary }),
      };
    await sessions.saveRecap(guild, sessionId, composed);
    await archive.record(guild, composed, NAMES);
  }

  /**
   * Everything of `userId`'s, votes counts left out (other members' votes going changes those), and written
   * summaries (one made from another member's words goes with them).
   */
  const recordsOf = async (guild: string, userId: string): Promise<unknown> =>
    JSON.parse(
      JSON.stringify(memberRecords(await exportGuildData(redis, guild), userId), (key, value: unknown) =>
        key === 'votes' || key === 'mostUpvoted' || key === 'summary' || key === 'summaryMissing' ? undefined : value,
      ),
    );

  describe('GIVEN A in an ended session (questions, votes, hand, stage, speech), its recap and archive, papers and DMs', () => {
    const guild = snowflake();
    let ids: Record<'p1' | 'p2' | 'p3' | 'qa' | 'qanon' | 'qb', string>;
    let sessionId: string;
    let result: ForgetResult;
    let recordsOfB: unknown;
    beforeAll(async () => {
      const p1 = await addPaper(guild, 'https://example.org/one', A, A);
      const p2 = await addPaper(guild, 'https://example.org/two', B, B);
      const p3 = await addPaper(guild, 'https://example.org/three', HOST, A);
      for (const [paper, member] of [
        [p3, A],
        [p3, B],
        [p2, A],
      ] as const)
        expect(await papers.vote(guild, paper, member)).toMatchObject({ outcome: 'added' });
      for (const [member, text] of [
        [A, 'Early from A'],
        [B, 'Early from B'],
      ] as const)
        await papers.askEarly(guild, p3, { id: newId(), text, anonymous: false, askerId: member, askedAt: 1 }, 50);
      await schedules.markOpen(guild, { start: 5_000, end: 6_000, date: '2024-08-14' }, 1, []);
      for (const field of [`dm:${A}`, `dm:${B}`, `confirm:${p3}`] as const)
        await schedules.setOnce(guild, 5_000, field, 'sent');

      ({ sessionId } = await sessions.start(guild, HOST, Date.now()));
      const log = (event: Parameters<SessionStore['log']>[2]) => sessions.log(guild, sessionId, event);
      await papers.start(guild, p1, Date.now());
      await log({ type: 'paper.started', paperId: p1, by: HOST, at: Date.now() });
      for (const userId of [A, B]) await log({ type: 'member.joined', userId, at: Date.now() });
      const qa = await ask(guild, sessionId, 'Does A get an answer?', A);
      const qanon = await ask(guild, sessionId, 'An anonymous one from A');
      const qb = await ask(guild, sessionId, 'What does B want to know?', B);
      for (const [question, member] of [
        [qb, A],
        [qa, B],
        [qa, A],
        [qb, B],
      ] as const)
        expect(await questions.vote(guild, question, member, sessionId)).toMatchObject({ outcome: 'added' });
      await speakers.raiseHand(guild, sessionId, A, 'about scaling', 'command', Date.now());
      await speakers.raiseHand(guild, sessionId, B, undefined, 'command', Date.now());
      await speakers.callSpeaker(guild, sessionId, A, HOST, Date.now(), true);
      await sessions.logVoice(guild, sessionId, [{ userId: A, from: Date.now(), to: Date.now() + 500 }], []);
      await speakers.speakerDone(guild, sessionId, A, Date.now() + 600);
      await sessions.logVoice(guild, sessionId, [{ userId: B, from: Date.now() + 700, to: Date.now() + 900 }], []);
      await log({ type: 'highlight', text: 'A highlight by the host', by: HOST, at: Date.now() });
      // A and B opted in to the transcript: two lines of A's, one of B's, and a summary that names A.
      await transcripts.start(guild, sessionId);
      for (const member of [A, B]) await transcripts.join(guild, member, 0);
      for (const [member, text, at] of [
        [A, 'A explains the method', 10],
        [B, 'B asks about the baseline', 20],
        [A, 'A answers about the baseline', 30],
      ] as const)
        expect(
          await transcripts.resolve(guild, sessionId, {
            id: newId(),
            userId: member,
            from: at,
            to: at + 5,
            paperId: p1,
            text,
          }),
        ).toBe('stored');
      await transcripts.saveSummary(guild, sessionId, {
        summary: {
          model: 'test-model',
          summary: 'Ada explained the method; Bob asked about the baseline.',
          chapters: [{ paperId: p1, summary: 'The method.', from: 10, to: 35 }],
          heard: [{ question: 'What about the baseline?', answer: 'It is weaker.', askedBy: B, answeredBy: A }],
          takeaways: ['Baselines matter.'],
        },
      });
      await papers.start(guild, p2, Date.now());
      await log({ type: 'paper.started', paperId: p2, by: HOST, at: Date.now() });
      await sessions.end(guild, { sessionId, by: HOST, at: Date.now() + 1_000 });
      await recap(guild, sessionId);
      ids = { p1, p2, p3, qa, qanon, qb };

      expect(await stored(guild)).toContain(A);
      recordsOfB = await recordsOf(guild, B);
      result = await forget(guild, A);
    });

    it('THEN A’s id is stored nowhere in the guild', async () => {
      expect(await stored(guild)).not.toContain(A);
    });

    it('THEN the answer counts what went, and names the queued paper whose card and the agenda must follow', () => {
      expect(result).toEqual({
        forgotten: {
          questionsAsked: 2,
          questionVotes: 2,
          paperVotes: 2,
          presented: 2,
          suggested: 1,
          hands: 0,
          stage: 0,
          talk: 1,
          events: 5,
          recaps: 1,
          scheduleMarks: 1,
          archiveName: true,
          transcriptLines: 2,
          transcriptConsent: true,
        },
        papers: [ids.p3],
        presenterFreed: true,
      });
    });

    it('THEN their questions stay, asked by nobody named, and their votes are taken back, ranks included', async () => {
      const qa = (await questions.question(guild, ids.qa))!;
      expect(qa).toMatchObject({ text: 'Does A get an answer?', anonymous: false, votes: 1 });
      expect(qa.askerId).toBeUndefined();
      expect((await questions.question(guild, ids.qb))!).toMatchObject({ askerId: B, votes: 1 });
      for (const status of ['open', 'all'] as const)
        expect(await redis.zscore(keys.ranked(guild, sessionId, status), rankMember(qa.askedAt, ids.qa))).toBe('-1');
      expect(await redis.smembers(keys.voters(guild, ids.qb))).toEqual([B]);
      expect((await papers.earlyQuestions(guild, ids.p3)).map((q) => [q.text, q.askerId])).toEqual([
        ['Early from A', undefined],
        ['Early from B', B],
      ]);
    });

    it('THEN the queued paper they were to present needs a presenter again and has one vote left; papers stay', async () => {
      const p3 = (await papers.get(guild, ids.p3))!;
      expect(p3).toMatchObject({ status: 'queued', votes: 1, suggestedById: HOST });
      expect(p3.presenterId).toBeUndefined();
      expect(p3.presenterName).toBeUndefined();
      const p1 = (await papers.get(guild, ids.p1))!;
      expect(p1).toMatchObject({ status: 'covered', title: 'https://example.org/one' });
      expect([p1.presenterId, p1.suggestedById]).toEqual([undefined, undefined]);
      expect((await papers.get(guild, ids.p2))!).toMatchObject({ presenterId: B, votes: 0 });
    });

    it('THEN their transcript lines and consent go, B’s line stays, and the written summary made from their words goes', async () => {
      expect((await transcripts.entries(guild, sessionId)).map((e) => e.userId)).toEqual([B]);
      expect([...(await transcripts.members(guild)).keys()]).toEqual([B]);
      const state = await transcripts.state(guild, sessionId);
      expect(state.summary).toBeUndefined();
      expect(state.summaryMissing).toMatch(/removed when a member who spoke asked Lectern to forget them/);
      const saved = (await sessions.recap(guild, sessionId))!.transcript!;
      expect(saved.entries.map((e) => ('text' in e ? e.text : e.gap))).toEqual(['B asks about the baseline']);
      expect(saved.summary).toBeUndefined();
      expect(saved.summaryMissing).toMatch(/removed when a member who spoke/);
    });

    it('THEN the recap keeps the question without its asker, recounted, and the archive follows', async () => {
      const rewritten = (await sessions.recap(guild, sessionId))!;
      expect(rewritten.unanswered.map((q) => [q.text, q.votes, q.askerId])).toEqual([
        ['Does A get an answer?', 1, undefined],
        ['An anonymous one from A', 0, undefined],
        ['What does B want to know?', 1, B],
      ]);
      expect(rewritten.covered.map((p) => p.presenterId)).toEqual([undefined, B]);
      expect(rewritten.speakers.map((s) => s.userId)).toEqual([B]);
      expect(rewritten.highlights).toEqual([expect.objectContaining({ byId: HOST })]);
      expect((await archive.summaries(guild))[0]!.presenterIds).toEqual([B]);
      expect([...(await archive.names(guild)).keys()].sort()).toEqual([B, C, HOST].sort());
    });

    it('THEN everything of B’s is as it was, bar the vote counts A’s votes were in and the summary made from A’s words', async () => {
      // The session's transcript state held the summary (which named B); it has no record of B's left.
      const state = `session:${sessionId}:transcript:state`;
      const { [state]: summaryOfB, ...before } = (recordsOfB as { records: Record<string, unknown> }).records;
      expect(summaryOfB).toBeDefined();
      expect(await recordsOf(guild, B)).toEqual({ ...(recordsOfB as object), records: before });
      expect(recordsOfB).toMatchObject({ records: { [`session:${sessionId}:hands`]: [B] } });
    });

    it('THEN a second deletion finds nothing left, and changes nothing but the archive version', async () => {
      const withoutVersion = async () => (await stored(guild)).replace(/"archive:version":"\d+"/, '');
      const before = await withoutVersion();
      expect((await forget(guild, A)).forgotten).toEqual({ ...result.forgotten, ...nothing });
      expect(await withoutVersion()).toBe(before);
    });
  });

  it('GIVEN a live session A started and is in (hand up, votes, a call they made) WHILE others keep asking, speaking and voting WHEN A is forgotten THEN A goes, the session goes on, and nothing of the others is lost', async () => {
    const guild = snowflake();
    const p = await addPaper(guild, 'https://example.org/live', B, B);
    const { sessionId } = await sessions.start(guild, A, Date.now());
    const log = (event: Parameters<SessionStore['log']>[2]) => sessions.log(guild, sessionId, event);
    await papers.start(guild, p, Date.now());
    await log({ type: 'paper.started', paperId: p, by: A, at: Date.now() });
    await speakers.callSpeaker(guild, sessionId, B, A, Date.now(), false);
    await log({ type: 'highlight', text: 'Noted by A', by: A, at: Date.now() });
    await speakers.raiseHand(guild, sessionId, C, undefined, 'command', Date.now());
    await speakers.raiseHand(guild, sessionId, A, 'my topic', 'command', Date.now());
    const qa = await ask(guild, sessionId, 'Live question from A', A);
    const qc = await ask(guild, sessionId, 'Live question from C', C);
    await questions.vote(guild, qa, B, sessionId);
    await questions.vote(guild, qc, A, sessionId);
    await sessions.logVoice(guild, sessionId, [{ userId: A, from: Date.now(), to: Date.now() + 300 }], []);

    // The others go on while the deletion runs: C asks and speaks, B votes on C's questions.
    const others = (async () => {
      const asked: string[] = [];
      for (let i = 0; i < 30; i++) {
        asked.push(await ask(guild, sessionId, `C asks again, ${i}`, C));
        await sessions.logVoice(guild, sessionId, [{ userId: C, from: i, to: i + 1 }], []);
        await questions.vote(guild, asked.at(-1)!, B, sessionId);
      }
      return asked;
    })();
    const [result, asked] = await Promise.all([forget(guild, A), others]);

    expect(await stored(guild)).not.toContain(A);
    expect(result.live).toEqual({
      sessionId,
      changed: true,
      cards: expect.arrayContaining([{ questionId: qa }, { questionId: qc }]) as unknown,
    });
    expect(result.forgotten).toMatchObject({ hands: 1, questionsAsked: 1, questionVotes: 1, talk: 1 });
    // The live session goes on without them: hands, stage, its pointer, its events.
    expect(await speakers.speakers(guild, sessionId, 10)).toEqual({
      queue: [{ userId: C }],
      handsUp: 1,
      onStage: [B],
      speaking: 1,
    });
    expect(await sessions.current(guild)).toMatchObject({ id: sessionId, status: 'live' });
    expect((await sessions.current(guild))!.startedBy).toBeUndefined();
    const timeline = await sessions.timeline(guild, sessionId);
    expect(timeline.filter((e) => e.type === 'voice.segment' && e.userId === C)).toHaveLength(30);
    expect(timeline.filter((e) => e.type === 'question.asked')).toHaveLength(32);
    expect(timeline.find((e) => e.type === 'highlight')).toEqual({
      type: 'highlight',
      text: 'Noted by A',
      at: expect.any(Number) as unknown,
    });
    expect(timeline.find((e) => e.type === 'speaker.called')).toEqual({
      type: 'speaker.called',
      userId: B,
      at: expect.any(Number) as unknown,
    });
    expect((await questions.question(guild, qa))!).toMatchObject({ votes: 1, text: 'Live question from A' });
    expect((await questions.question(guild, qc))!).toMatchObject({ votes: 0, askerId: C });
    for (const id of asked) expect((await questions.question(guild, id))!).toMatchObject({ votes: 1, askerId: C });
    // Still live for everyone else: a vote, a hand, a question.
    expect(await questions.vote(guild, qa, C, sessionId)).toMatchObject({ outcome: 'added', votes: 2 });
    expect(await speakers.raiseHand(guild, sessionId, B, undefined, 'command', Date.now())).toMatchObject({
      outcome: 'on-stage',
    });
  });

  it('GIVEN another deletion holding the guild THEN a second one waits, and past its wait says busy, changing nothing', async () => {
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, HOST, Date.now());
    await speakers.raiseHand(guild, sessionId, A, undefined, 'command', Date.now());
    await redis.set(keys.privacyLock(guild), 'someone else', 'PX', 10_000);
    expect(await privacy.forget(guild, A, 300)).toBe('busy');
    expect(await stored(guild)).toContain(A);
    await redis.del(keys.privacyLock(guild));
    expect(await forget(guild, A)).toMatchObject({ forgotten: { hands: 1 } });
    expect(await redis.exists(keys.privacyLock(guild))).toBe(0);
  });
});
