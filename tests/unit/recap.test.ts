import { describe, expect, it } from 'vitest';
import { composeRecap, durationLabel } from '../../src/domain/recap/recap.js';
import type { Question } from '../../src/domain/session/question.js';
import type { Session, TimelineEvent } from '../../src/domain/session/session.js';
import { splitIntoMessages } from '../../src/recap/split.js';
import { discordStyle, recapLines } from '../../src/recap/render.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

describe('splitting a recap into messages', () => {
  it('keeps every part within the limit and every character of the text', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `- line ${i}: ${words(20)}`);
    const parts = splitIntoMessages(lines, 2000);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('breaks a long line between words, never inside a word, a link, a mention or a timestamp', () => {
    const tokens = [
      '<t:1723662875:T>',
      '[A paper title with spaces](https://arxiv.org/abs/2408.03314)',
      '<@123456789012345678>',
      'https://example.org/a/very/long/path',
    ];
    const line = Array.from({ length: 200 }, (_, i) => `${tokens[i % 4]} word${i}`).join(' ');
    const parts = splitIntoMessages([line], 500);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.join('')).toBe(line);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      for (const token of tokens) {
        const cut = [...Array(token.length - 1).keys()]
          .map((k) => token.slice(0, k + 1))
          .filter((prefix) => prefix.length > 3);
        expect(cut.some((prefix) => part.endsWith(prefix) && !part.endsWith(token))).toBe(false);
      }
      expect(part).not.toMatch(/^(?!word\d|<|\[|https| )\S/);
    }
  });

  it('splits a single word longer than a message rather than dropping it', () => {
    const parts = splitIntoMessages(['x'.repeat(4500)], 2000);
    expect(parts.map((p) => p.length)).toEqual([2000, 2000, 500]);
  });
});

describe('composing a recap', () => {
  const start = Date.UTC(2024, 7, 14, 19, 0, 0);
  const session: Session = {
    id: 's',
    status: 'ended',
    startedAt: start,
    startedBy: 'h',
    endedAt: start + 122 * 60_000,
    recording: 'https://example.org/r',
  };
  const t = (min: number) => start + min * 60_000;
  const timeline: TimelineEvent[] = [
    { type: 'session.started', by: 'h', at: start },
    { type: 'paper.started', paperId: 'p2', by: 'h', at: t(5) },
    { type: 'speaker.called', userId: 'u1', by: 'h', at: t(5) },
    { type: 'highlight', text: 'h1', by: 'h', paperId: 'p2', at: t(14) },
    { type: 'speaker.done', userId: 'u1', at: t(31) },
    { type: 'paper.started', paperId: 'p1', by: 'h', at: t(34) },
    { type: 'paper.started', paperId: 'p2', by: 'h', at: t(40) },
    { type: 'speaker.called', userId: 'u2', by: 'h', at: t(49) },
    { type: 'takeaway', text: 't1', by: 'h', at: t(60) },
  ];
  const q = (id: string, status: Question['status'], extra: Partial<Question> = {}): Question => ({
    id,
    sessionId: 's',
    text: id,
    anonymous: false,
    status,
    askedAt: t(Number(id.slice(1))),
    votes: 0,
    ...extra,
  });
  const questions = [
    q('q10', 'answered', { askerId: 'u3', answer: 'a', paperId: 'p2', votes: 2 }),
    q('q11', 'answered', { anonymous: true, answer: 'b' }),
    q('q12', 'open'),
    q('q13', 'dismissed'),
  ];
  const papers = new Map([
    ['p1', { id: 'p1', title: 'One', url: 'https://a' }],
    ['p2', { id: 'p2', title: 'Two', url: 'https://b', presenterId: 'u1' }],
  ]);

  it('lists papers in the order covered, each once, and sorts questions by state', () => {
    const recap = composeRecap(session, timeline, questions, papers);
    expect(recap.covered.map((p) => p.id)).toEqual(['p2', 'p1']);
    expect(recap.answered.map((x) => x.text)).toEqual(['q10', 'q11']);
    expect(recap.answered[1]).not.toHaveProperty('askerId');
    expect(recap.unanswered.map((x) => x.text)).toEqual(['q12']);
    expect(recap.mostUpvoted?.text).toBe('q10');
  });

  it('times speakers from their call to done, or to the end of the session', () => {
    const recap = composeRecap(session, timeline, questions, papers);
    expect(recap.speakers).toEqual([
      { userId: 'u1', segments: [{ from: t(5), to: t(31) }], totalMs: 26 * 60_000 },
      { userId: 'u2', segments: [{ from: t(49), to: t(122) }], totalMs: 73 * 60_000 },
    ]);
    expect(durationLabel(session.endedAt! - start)).toBe('2h 2m');
  });

  it('takes the speaker timeline from the voice channel when it was heard, by paper, with its gaps', () => {
    const voice: TimelineEvent[] = [
      ...timeline,
      { type: 'voice.segment', userId: 'u1', from: t(1), at: t(2) }, // before the first paper started
      { type: 'voice.segment', userId: 'u1', from: t(6), at: t(10) },
      { type: 'voice.segment', userId: 'u3', from: t(7), at: t(8) },
      { type: 'voice.gap', from: t(20), at: t(21) },
      { type: 'voice.segment', userId: 'u3', from: t(60), at: t(61) },
    ];
    const recap = composeRecap(session, voice, questions, papers);
    expect(recap.speakerSource).toBe('voice');
    expect(recap.speakers).toEqual([
      {
        userId: 'u1',
        segments: [
          { from: t(1), to: t(2) },
          { from: t(6), to: t(10) },
        ],
        totalMs: 5 * 60_000,
      },
      {
        userId: 'u3',
        segments: [
          { from: t(7), to: t(8) },
          { from: t(60), to: t(61) },
        ],
        totalMs: 2 * 60_000,
      },
    ]);
    expect(recap.voiceGaps).toEqual([{ from: t(20), to: t(21) }]);
    // p2 starts at 5 min, p1 at 34, p2 again at 40: speech at 6–10 and 7–8 is p2's, at 60 p2's again.
    expect(recap.talkByPaper).toEqual([
      { talk: [{ userId: 'u1', totalMs: 60_000 }] },
      {
        paperId: 'p2',
        talk: [
          { userId: 'u1', totalMs: 4 * 60_000 },
          { userId: 'u3', totalMs: 2 * 60_000 },
        ],
      },
    ]);
    const text = recapLines(recap, discordStyle(), 'Recap').join('\n');
    expect(text).toContain('## Speaker timeline (who spoke when, from the voice channel)');
    expect(text).toContain('**Talk time by paper**');
    expect(text).toContain('Not heard (the voice connection was down)');
    // Without voice, the timeline comes from speaker calls.
    expect(composeRecap(session, timeline, questions, papers).speakerSource).toBe('calls');
  });

  it('GIVEN a paper without a presenter THEN its line says when it started and names no presenter', () => {
    const text = recapLines(composeRecap(session, timeline, questions, papers), discordStyle(), 'Recap').join('\n');
    const second = (min: number) => Math.floor(t(min) / 1000);
    expect(text).toContain(`### 1. [Two](https://b)\nPresented by <@u1>, from <t:${second(5)}:t> (+0:05:00).`);
    expect(text).toContain(`### 2. [One](https://a)\nFrom <t:${second(34)}:t> (+0:34:00).`);
    expect(text.match(/Presented by/g)).toHaveLength(1);
    expect(text).not.toContain('nobody');
  });

  it('renders the anonymous question without a name and the dismissed one not at all', () => {
    const text = recapLines(composeRecap(session, timeline, questions, papers), discordStyle(), 'Recap').join('\n');
    expect(text).toContain('**Q** (anonymous): q11');
    expect(text).not.toContain('q13');
    expect(text).toContain('(+0:14:00) h1');
    expect(text).toContain('Recording: https://example.org/r');
  });
});
