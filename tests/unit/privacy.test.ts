import { describe, expect, it } from 'vitest';
import { forgetInEvent, forgetInRecap } from '../../src/domain/privacy/forget.js';
import { ANOTHER_MEMBER, memberRecords } from '../../src/domain/privacy/member-export.js';
import type { Question } from '../../src/domain/session/question.js';
import type { TimelineEvent } from '../../src/domain/session/session.js';
import { makeRecap } from '../fixtures/recaps.js';

const A = '100000000000000001';
const B = '100000000000000002';
const HOST = '100000000000000003';

/** A guild's data as exportGuildData reads it, with two members and a host in every kind of record. */
const guildData = (): Record<string, unknown> => ({
  settings: { hostRoleId: '900000000000000001' },
  'question:qa': { id: 'qa', sessionId: 's1', text: 'What does A ask?', askerId: A, anonymous: false, votes: '1' },
  'question:qb': { id: 'qb', sessionId: 's1', text: 'What does B ask?', askerId: B, anonymous: false, votes: '2' },
  'question:qc': { id: 'qc', sessionId: 's1', text: 'Another of B?', askerId: B, anonymous: false, votes: '1' },
  'question:qa:voters': [B],
  'question:qb:voters': [A, B],
  'question:qc:voters': [B],
  'paper:p1': { id: 'p1', title: 'Paper one', presenterId: A, presenterName: 'Ada', suggestedById: B, note: 'B says' },
  'paper:p2': { id: 'p2', title: 'Paper two', presenterId: B, presenterName: 'Bob', suggestedById: A },
  'paper:p1:voters': [A, B],
  'paper:p1:early': [
    { id: 'e1', text: 'Early from A', anonymous: false, askerId: A, askedAt: 1 },
    { id: 'e2', text: 'Early from B', anonymous: false, askerId: B, askedAt: 2 },
  ],
  'session:s1': { id: 's1', status: 'ended', startedAt: 1000, startedBy: HOST },
  'session:s1:hands': [B, A],
  'session:s1:hands:topics': { [A]: 'my point', [B]: 'their point' },
  'session:s1:stage': [{ member: A, score: 0 }],
  'session:s1:talk': { [A]: '5000', [B]: '7000' },
  'session:s1:timeline': [
    { type: 'hand.raised', userId: A, via: 'command', at: 2 },
    { type: 'hand.raised', userId: B, via: 'command', at: 3 },
    { type: 'speaker.called', userId: A, by: HOST, at: 4 },
    { type: 'voice.segment', userId: B, from: 5, at: 6 },
  ],
  'session:s1:recap': makeRecap({ sessionId: 's1', startedAt: 1000, members: [A, B] }),
  'archive:names': { [A]: 'Ada', [B]: 'Bob' },
  'archive:index': { s1: { sessionId: 's1', startedAt: 1000, presenterIds: [A, B], papers: [] } },
  'occurrence:5000': { start: 5000, status: 'open', [`dm:${A}`]: 'sent', [`dm:${B}`]: 'closed' },
});

describe('picking a member’s records out of a server’s data', () => {
  const { records, context } = memberRecords(guildData(), A);
  const file = JSON.stringify({ records, context });

  it('GIVEN a record of theirs THEN it is whole, another member’s id and what goes with it hidden', () => {
    expect(records['question:qa']).toEqual(guildData()['question:qa']);
    expect(records['paper:p1']).toEqual({
      id: 'p1',
      title: 'Paper one',
      presenterId: A,
      presenterName: 'Ada',
      suggestedById: ANOTHER_MEMBER,
    });
    expect(records['paper:p2']).toEqual({
      id: 'p2',
      title: 'Paper two',
      presenterId: ANOTHER_MEMBER,
      suggestedById: A,
    });
    expect(records['session:s1:timeline']).toEqual([
      { type: 'hand.raised', userId: A, via: 'command', at: 2 },
      { type: 'speaker.called', userId: A, by: ANOTHER_MEMBER, at: 4 },
    ]);
    expect(records['paper:p1:early']).toEqual([
      { id: 'e1', text: 'Early from A', anonymous: false, askerId: A, askedAt: 1 },
    ]);
  });

  it('GIVEN shared records THEN only their part is kept: their vote, hand, topic, talk, name, DM mark', () => {
    expect(records['question:qb:voters']).toEqual([A]);
    expect(records['paper:p1:voters']).toEqual([A]);
    expect(records['session:s1:hands']).toEqual([A]);
    expect(records['session:s1:hands:topics']).toEqual({ [A]: 'my point' });
    expect(records['session:s1:stage']).toEqual([{ member: A, score: 0 }]);
    expect(records['session:s1:talk']).toEqual({ [A]: '5000' });
    expect(records['archive:names']).toEqual({ [A]: 'Ada' });
    expect(records['occurrence:5000']).toEqual({ start: 5000, status: 'open', [`dm:${A}`]: 'sent' });
    expect(records['archive:index']).toEqual({ s1: { sessionId: 's1', startedAt: 1000, presenterIds: [A] } });
    const recap = records['session:s1:recap'] as { speakers: unknown[]; answered: Array<{ askerId: string }> };
    expect(recap.speakers).toEqual([expect.objectContaining({ userId: A })]);
    expect(recap.answered.every((q) => q.askerId === A)).toBe(true);
  });

  it('GIVEN a question they upvoted THEN its text is there to read, and nothing else of its asker', () => {
    expect(context['question:qb']).toEqual({ text: 'What does B ask?', sessionId: 's1' });
    expect(context['session:s1']).toEqual({ status: 'ended', startedAt: 1000 });
    expect(file).not.toContain(B);
    expect(file).not.toContain(HOST);
    expect(file).not.toContain('Another of B?');
    expect(file).not.toContain('Early from B');
    expect(file).not.toContain('their point');
    expect(file).not.toContain('Bob');
    expect(file).not.toContain('B says');
  });

  it('GIVEN a member named nowhere THEN nothing is picked', () => {
    expect(memberRecords(guildData(), '100000000000000009')).toEqual({ records: {}, context: {} });
  });
});

describe('forgetting a member', () => {
  it('GIVEN timeline events THEN theirs go and what they did as a host stays without their name', () => {
    const cases: Array<[TimelineEvent, TimelineEvent | null | undefined]> = [
      [{ type: 'hand.raised', userId: A, via: 'stage', at: 1 }, null],
      [{ type: 'voice.segment', userId: A, from: 1, at: 2 }, null],
      [{ type: 'member.joined', userId: A, at: 1 }, null],
      [{ type: 'speaker.called', userId: A, by: HOST, at: 1 }, null],
      [
        { type: 'speaker.called', userId: B, by: A, at: 1 },
        { type: 'speaker.called', userId: B, at: 1 },
      ],
      [
        { type: 'highlight', text: 'h', by: A, at: 1 },
        { type: 'highlight', text: 'h', at: 1 },
      ],
      [
        { type: 'session.started', by: A, at: 1 },
        { type: 'session.started', at: 1 },
      ],
      [{ type: 'hand.raised', userId: B, via: 'stage', at: 1 }, undefined],
      [{ type: 'question.asked', questionId: 'q', at: 1 }, undefined],
    ];
    for (const [event, expected] of cases) expect(forgetInEvent(event, A)).toEqual(expected);
  });

  it('GIVEN a recap THEN their questions stay without their name, their papers without presenter, their speech goes', () => {
    const recap = makeRecap(
      { sessionId: 's', startedAt: 0, members: [A, B] },
      { talkByPaper: [{ paperId: 's-p0', talk: [{ userId: A, totalMs: 5 }] }, { talk: [{ userId: B, totalMs: 1 }] }] },
    );
    const forgotten = forgetInRecap(recap, A);
    expect(JSON.stringify(forgotten)).not.toContain(A);
    expect(forgotten.answered.map((q) => q.text)).toEqual(recap.answered.map((q) => q.text));
    expect(forgotten.speakers.map((s) => s.userId)).toEqual([B]);
    expect(forgotten.talkByPaper).toEqual([{ talk: [{ userId: B, totalMs: 1 }] }]);
    expect(forgotten.covered.map((p) => p.presenterId)).toEqual([undefined, B]);
    expect(forgotten.highlights.every((n) => n.byId === undefined)).toBe(true);
    expect(forgetInRecap(forgotten, A)).toEqual(forgotten);
  });

  it('GIVEN the session’s questions as stored after their votes went THEN the recap’s counts and most upvoted follow', () => {
    const q = (id: string, votes: number, extra: Partial<Question> = {}): Question => ({
      id,
      sessionId: 's',
      text: id,
      anonymous: false,
      status: 'open',
      askedAt: Number(id.slice(1)),
      votes,
      ...extra,
    });
    const before = [q('q1', 2, { askerId: A }), q('q2', 1, { anonymous: true })];
    const recap = makeRecap({ sessionId: 's', startedAt: 0 }, { asked: 2, answered: [], unanswered: [] });
    const stored = {
      ...recap,
      unanswered: [
        { text: 'q1', votes: 2, askerId: A },
        { text: 'q2', votes: 1 },
      ],
    };
    const after = forgetInRecap({ ...stored, mostUpvoted: stored.unanswered[0]! }, A, [q('q1', 0), before[1]!]);
    // Hanish's question stays, asked by "a member"; the anonymous one stays anonymous.
    expect(after.unanswered).toEqual([
      { text: 'q1', votes: 0, askerForgotten: true },
      { text: 'q2', votes: 1 },
    ]);
    expect(after.mostUpvoted).toEqual({ text: 'q2', votes: 1 });
    // Questions missing from the store: the recap keeps its counts, and loses only the name.
    const kept = forgetInRecap(stored, A, [q('q2', 1)]);
    expect(kept.unanswered).toEqual([
      { text: 'q1', votes: 2, askerForgotten: true },
      { text: 'q2', votes: 1 },
    ]);
  });
});
