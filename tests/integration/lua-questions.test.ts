import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { keys } from '../../src/store/keys.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { QuestionStore, SEARCH_CANDIDATES } from '../../src/store/question-store.js';
import { SessionStore } from '../../src/store/session-store.js';
import { snowflake } from '../emulator/snowflake.js';

/** The question scripts (ask, vote, resolve, search) and reads on a real Redis, with their refusals. */
describe('question scripts on a real Redis', () => {
  let redis: Redis;
  let sessions: SessionStore;
  let questions: QuestionStore;
  let papers: PaperStore;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    sessions = new SessionStore(redis);
    questions = new QuestionStore(redis);
    papers = new PaperStore(redis);
  });
  afterAll(() => redis.quit());

  async function live() {
    const guild = snowflake();
    const { sessionId } = await sessions.start(guild, 'host', 1_000);
    const ask = (id: string, askedAt: number, text = `question ${id}`, store = questions) =>
      store.ask(guild, { id, sessionId, text, anonymous: false, askerId: 'member', askedAt });
    return { guild, sessionId, ask };
  }

  async function startPaper(guild: string, input: string): Promise<string> {
    const ref = parsePaperRef(input);
    const paper = { id: newId(), ref, dedupKey: dedupKey(ref), metadataStatus: 'none' as const, title: ref.id };
    await papers.add(guild, { ...paper, suggestedById: '111111111111111111', addedAt: 1 }, 50);
    await papers.start(guild, paper.id, 1_500);
    return paper.id;
  }

  const ids = (list: Array<{ id: string }>) => list.map((q) => q.id);

  it('GIVEN a paper on THEN a question and its timeline event name it; GIVEN none THEN neither does; the hash holds what was asked', async () => {
    const { guild, sessionId } = await live();
    const first = await questions.ask(guild, {
      id: 'no-paper',
      sessionId,
      text: 'Before any paper?',
      anonymous: true,
      askedAt: 2_000,
    });
    expect(first).toMatchObject({ outcome: 'asked', boardDirty: true, cardsDirty: true });
    const paperId = await startPaper(guild, '2408.03314');
    const asked = await questions.ask(guild, {
      id: 'on-paper',
      sessionId,
      text: 'About this one?',
      anonymous: false,
      askerId: 'member',
      askedAt: 3_000,
    });
    expect(asked).toMatchObject({
      outcome: 'asked',
      question: { paperId, votes: 0, status: 'open' },
      boardDirty: false,
      cardsDirty: false,
    });
    const events = (await redis.lrange(keys.timeline(guild, sessionId), 0, -1)).map(
      (e) => JSON.parse(e) as Record<string, unknown>,
    );
    expect(events.slice(1)).toEqual([
      { type: 'question.asked', questionId: 'no-paper', at: 2_000 },
      { type: 'question.asked', questionId: 'on-paper', at: 3_000, paperId },
    ]);
    expect(await redis.hgetall(keys.question(guild, 'no-paper'))).toEqual({
      id: 'no-paper',
      sessionId,
      text: 'Before any paper?',
      anonymous: 'true',
      askedAt: '2000',
      status: 'open',
      rank: '000000000002000:no-paper',
    });
    expect(await questions.question(guild, 'on-paper')).toEqual(asked.outcome === 'asked' && asked.question);
  });

  it('GIVEN another process moved the paper on since this one last asked THEN the script refuses the old paper and the question lands on the new one', async () => {
    const { guild, ask } = await live();
    const otherProcess = new QuestionStore(redis);
    const first = await startPaper(guild, '2408.06292');
    expect(await ask('q1', 2_000, 'one', otherProcess)).toMatchObject({ question: { paperId: first } });
    const second = await startPaper(guild, '2408.00118');
    expect(await ask('q2', 3_000, 'two', otherProcess)).toMatchObject({ question: { paperId: second } });
    expect(await redis.hget(keys.question(guild, 'q2'), 'paperId')).toBe(second);
    // Ended: the paper is no longer current, and questions are refused.
    await sessions.end(guild, { sessionId: (await sessions.current(guild))!.id, by: 'host', at: 4_000 });
    expect(await ask('q3', 5_000, 'three', otherProcess)).toEqual({ outcome: 'not-live' });
    expect(await redis.exists(keys.question(guild, 'q3'))).toBe(0);
  });

  it('GIVEN a session that is not the live one THEN /ask is refused and nothing is stored', async () => {
    const guild = snowflake();
    await sessions.start(guild, 'host', 1_000);
    expect(
      await questions.ask(guild, { id: 'q', sessionId: 'old', text: 'late?', anonymous: true, askedAt: 2_000 }),
    ).toEqual({ outcome: 'not-live' });
    expect(await redis.exists(keys.question(guild, 'q'))).toBe(0);
    expect(await redis.exists(keys.questions(guild, 'old'))).toBe(0);
  });

  it('GIVEN a live board thread THEN /ask says where its card goes', async () => {
    const { guild, sessionId, ask } = await live();
    await sessions.setBoard(guild, sessionId, { channelId: 'c', messageId: 'm', threadId: 'thread-1' });
    expect(await ask('q', 2_000)).toMatchObject({ outcome: 'asked', threadId: 'thread-1' });
  });

  it('GIVEN questions THEN one vote per member, a second press takes it back, and the rankings follow; a missing question and an ended session are refused', async () => {
    const { guild, sessionId, ask } = await live();
    await ask('a', 2_000);
    await ask('b', 3_000);
    // The board job has run since the asks: the first vote queues the next edit.
    await sessions.clean(guild, 'board');
    expect(await questions.vote(guild, 'b', 'u1')).toEqual({
      outcome: 'added',
      votes: 1,
      sessionId,
      cardDirty: true,
      boardDirty: true,
    });
    expect(await questions.vote(guild, 'b', 'u2', sessionId)).toMatchObject({ outcome: 'added', votes: 2 });
    expect(await questions.vote(guild, 'b', 'u1', sessionId)).toMatchObject({
      outcome: 'removed',
      votes: 1,
      cardDirty: false,
    });
    expect((await questions.topQuestions(guild, sessionId, { status: 'open', limit: 5 })).questions).toMatchObject([
      { id: 'b', votes: 1 },
      { id: 'a', votes: 0 },
    ]);
    // A caller that believes the question is in another session is corrected by the script.
    expect(await questions.vote(guild, 'a', 'u3', 'an-old-session')).toMatchObject({ outcome: 'added', sessionId });
    expect(await questions.vote(guild, 'nope', 'u1')).toEqual({
      outcome: 'missing',
      votes: 0,
      sessionId: '',
      cardDirty: false,
      boardDirty: false,
    });
    await sessions.end(guild, { sessionId, by: 'host', at: 9_000 });
    expect(await questions.vote(guild, 'a', 'u4', sessionId)).toMatchObject({ outcome: 'ended', sessionId });
    expect(await redis.smembers(keys.voters(guild, 'a'))).toEqual(['u3']);
    expect(await questions.question(guild, 'a')).toMatchObject({ votes: 1 });
  });

  it('GIVEN open questions THEN answer and dismiss race to one state, move the question between rankings and out of search; refusals leave it as it is', async () => {
    const { guild, sessionId, ask } = await live();
    await ask('a', 2_000, 'What about the baseline?');
    await ask('b', 3_000, 'And the BASELINE numbers?');
    expect(await questions.resolveQuestion(guild, 'a', 'answered', 4_000, 'It holds.')).toBe('ok');
    expect(await questions.resolveQuestion(guild, 'a', 'dismissed', 4_100)).toBe('answered');
    expect(await questions.resolveQuestion(guild, 'b', 'dismissed', 4_200, undefined, sessionId)).toBe('ok');
    expect(await questions.resolveQuestion(guild, 'b', 'answered', 4_300, 'late')).toBe('dismissed');
    expect(await questions.resolveQuestion(guild, 'nope', 'answered', 4_400)).toBe('missing');
    expect(await questions.question(guild, 'a')).toMatchObject({ status: 'answered', answer: 'It holds.' });
    expect(await questions.question(guild, 'b')).not.toHaveProperty('answer');
    const top = (status: 'open' | 'answered' | 'dismissed' | 'all') =>
      questions.topQuestions(guild, sessionId, { status, limit: 10 });
    expect(await top('open')).toEqual({ questions: [], total: 0 });
    expect(ids((await top('answered')).questions)).toEqual(['a']);
    expect(ids((await top('dismissed')).questions)).toEqual(['b']);
    expect(ids((await top('all')).questions)).toEqual(['a', 'b']);
    expect(await questions.searchQuestions(guild, sessionId, 'baseline', 10)).toEqual([]);
    expect(await questions.counts(guild, sessionId)).toEqual({ asked: 2, open: 0, answered: 1 });
    const events = (await redis.lrange(keys.timeline(guild, sessionId), -2, -1)).map((e) => JSON.parse(e) as unknown);
    expect(events).toEqual([
      { type: 'question.answered', questionId: 'a', at: 4_000 },
      { type: 'question.dismissed', questionId: 'b', at: 4_200 },
    ]);
    await ask('c', 5_000);
    await sessions.end(guild, { sessionId, by: 'host', at: 6_000 });
    expect(await questions.resolveQuestion(guild, 'c', 'answered', 7_000, 'after')).toBe('ended');
    expect(await questions.question(guild, 'c')).toMatchObject({ status: 'open' });
  });

  it('GIVEN votes and ties THEN the top questions read most votes first, ties asked first, with the total, whatever the order of asking', async () => {
    const { guild, sessionId, ask } = await live();
    await ask('late', 5_000);
    await ask('early', 2_000);
    await ask('middle', 3_000);
    await ask('voted', 4_000);
    for (const user of ['u1', 'u2']) await questions.vote(guild, 'voted', user);
    await questions.vote(guild, 'late', 'u1');
    const top = await questions.topQuestions(guild, sessionId, { status: 'open', limit: 3 });
    expect(ids(top.questions)).toEqual(['voted', 'late', 'early']);
    expect(top.total).toBe(4);
    expect(ids(await questions.questions(guild, sessionId))).toEqual(['early', 'middle', 'voted', 'late']);
  });

  it('GIVEN typed text THEN the search finds open questions containing it in any case (accents too), most voted first, at most the limit', async () => {
    const { guild, sessionId, ask } = await live();
    await ask('a', 2_000, 'Does the ÉTUDE hold up?');
    await ask('b', 3_000, 'Another étude question');
    await ask('c', 4_000, 'Nothing to see');
    await questions.vote(guild, 'b', 'u1');
    expect(ids(await questions.searchQuestions(guild, sessionId, 'Étude', 10))).toEqual(['b', 'a']);
    expect(ids(await questions.searchQuestions(guild, sessionId, 'étude', 1))).toEqual(['b']);
    expect(ids(await questions.searchQuestions(guild, sessionId, '', 10))).toEqual(['b', 'a', 'c']);
    expect(await questions.searchQuestions(guild, sessionId, 'zzz', 10)).toEqual([]);
    expect(await questions.questionChoices(guild, sessionId, 'étude', 10)).toEqual([
      { id: 'b', text: 'Another étude question' },
      { id: 'a', text: 'Does the ÉTUDE hold up?' },
    ]);
  });

  it(`GIVEN more open questions than the search looks at THEN it finds a match among the ${SEARCH_CANDIDATES} most voted and not beyond`, async () => {
    const { guild, sessionId, ask } = await live();
    for (let i = 0; i < SEARCH_CANDIDATES + 20; i++)
      await ask(
        `q${i}`,
        10_000 + i,
        i === 5
          ? 'needle early'
          : i === SEARCH_CANDIDATES - 1
            ? 'needle later'
            : i === SEARCH_CANDIDATES
              ? 'needle late'
              : 'hay',
      );
    // Read a batch at a time: the last candidate (in a later batch) is found, the first one past them is not.
    expect(ids(await questions.searchQuestions(guild, sessionId, 'needle', 10))).toEqual([
      'q5',
      `q${SEARCH_CANDIDATES - 1}`,
    ]);
    expect(ids(await questions.searchQuestions(guild, sessionId, 'needle', 1))).toEqual(['q5']);
  });

  it('GIVEN questions without a card THEN cardsDue brings them oldest first, claimed for one job only, and clears the cards mark', async () => {
    const { guild, sessionId, ask } = await live();
    expect(await ask('q-late', 3_000)).toMatchObject({ outcome: 'asked', cardsDirty: true });
    expect(await ask('q-early', 2_000)).toMatchObject({ outcome: 'asked', cardsDirty: false });
    // No thread yet: nothing to post into, and how many wait.
    expect(await questions.cardsDue(guild, sessionId, 'job-a', 10)).toEqual({ threadId: undefined, waiting: 2 });
    await sessions.setBoard(guild, sessionId, {
      channelId: 'board-channel',
      messageId: 'board-message',
      threadId: 'thread',
    });

    const first = await questions.cardsDue(guild, sessionId, 'job-a', 1);
    expect(first.threadId).toBe('thread');
    const firstCards = first.threadId === undefined ? [] : first.cards;
    expect(firstCards.map((c) => [c.question.id, c.question.text, c.claimed])).toEqual([
      ['q-early', 'question q-early', true],
    ]);
    const second = await questions.cardsDue(guild, sessionId, 'job-b', 10);
    const secondCards = second.threadId === undefined ? [] : second.cards;
    // job-a holds q-early's claim; job-b may post only q-late. job-a may take its own claim again (a rerun).
    expect(secondCards.map((c) => [c.question.id, c.claimed])).toEqual([
      ['q-early', false],
      ['q-late', true],
    ]);
    const rerun = await questions.cardsDue(guild, sessionId, 'job-a', 1);
    expect(rerun.threadId === undefined ? [] : rerun.cards.map((c) => c.claimed)).toEqual([true]);
    // The read cleared the mark: the next question queues a run.
    expect(await ask('q-next', 4_000)).toMatchObject({ cardsDirty: true });
    await questions.setQuestionCard(guild, [{ id: 'q-early', sessionId }], { channelId: 'thread', messageId: 'card' });
    expect(await redis.zrange(keys.uncarded(guild, sessionId), '0', '-1')).toEqual(['q-late', 'q-next']);
    // A question that has its card already is dropped from the set, not posted again.
    await redis.hset(keys.question(guild, 'q-late'), 'cardChannelId', 'thread', 'cardMessageId', 'card-late');
    const last = await questions.cardsDue(guild, sessionId, 'job-c', 10);
    expect(last.threadId === undefined ? [] : last.cards.map((c) => c.question.id)).toEqual(['q-next']);
    expect(await redis.zrange(keys.uncarded(guild, sessionId), '0', '-1')).toEqual(['q-next']);
  });

  it('GIVEN a question on a paper THEN its due card brings the paper', async () => {
    const { guild, sessionId, ask } = await live();
    const paperId = await startPaper(guild, '2408.03314');
    await ask('q', 2_000);
    await sessions.setBoard(guild, sessionId, { channelId: 'c', messageId: 'm', threadId: 't' });
    const due = await questions.cardsDue(guild, sessionId, 'job', 10);
    expect(due.threadId === undefined ? [] : due.cards.map((c) => c.paper?.id)).toEqual([paperId]);
  });

  it('GIVEN three questions on one grouped card THEN each knows the card and its group, a vote names the card message, and the group reads back in order', async () => {
    const { guild, sessionId, ask } = await live();
    for (const [i, id] of ['g1', 'g2', 'g3'].entries()) await ask(id, 2_000 + i);
    const before = await questions.vote(guild, 'g2', 'voter', sessionId);
    expect(before.cardMessageId).toBeUndefined();
    const group = ['g1', 'g2', 'g3'].map((id) => ({ id, sessionId }));
    await questions.setQuestionCard(guild, group, { channelId: 'thread', messageId: 'grouped' });
    expect(await redis.zrange(keys.uncarded(guild, sessionId), '0', '-1')).toEqual([]);
    const card = { channelId: 'thread', messageId: 'grouped', group: ['g1', 'g2', 'g3'] };
    expect((await questions.question(guild, 'g3'))?.card).toEqual(card);
    expect(await questions.vote(guild, 'g3', 'voter', sessionId)).toMatchObject({
      outcome: 'added',
      cardMessageId: 'grouped',
    });
    const read = await questions.questionsById(guild, ['g3', 'g1', 'missing']);
    expect(read.map((q) => [q.id, q.votes])).toEqual([
      ['g3', 1],
      ['g1', 0],
    ]);
    // A card of its own records no group.
    await ask('solo', 3_000);
    await questions.setQuestionCard(guild, [{ id: 'solo', sessionId }], { channelId: 'thread', messageId: 'own' });
    expect((await questions.question(guild, 'solo'))?.card).toEqual({ channelId: 'thread', messageId: 'own' });
  });
});
