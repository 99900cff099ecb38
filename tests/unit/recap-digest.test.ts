import { describe, expect, it } from 'vitest';
import { composeRecap, type RecapPaper } from '../../src/domain/recap/recap.js';
import type { Session, TimelineEvent } from '../../src/domain/session/session.js';
import { DIGEST_MESSAGES, discordStyle, recapDigest } from '../../src/recap/render.js';
import { STRESS_END, STRESS_START, stressQuestions, stressTimeline } from '../support/stress-session.js';

const FILE = 'recap-2024-08-21.md';
const session = (startedAt: number, endedAt: number): Session => ({
  id: 's',
  status: 'ended',
  startedAt,
  startedBy: 'h',
  endedAt,
});

describe('the recap digest posted in the channel', () => {
  it('GIVEN a small session THEN one message holds the summary, every paper with its presenter, the questions and takeaways', () => {
    const start = Date.UTC(2024, 7, 14, 19);
    const timeline: TimelineEvent[] = [
      { type: 'paper.started', paperId: 'p1', by: 'h', at: start + 60_000 },
      {
        type: 'highlight',
        text: 'Scaling test-time compute beats a 14x larger model',
        by: 'h',
        at: start + 120_000,
        paperId: 'p1',
      },
      { type: 'takeaway', text: 'Verifiers matter more than samplers', by: 'h', at: start + 180_000 },
    ];
    const papers = new Map<string, RecapPaper>([
      [
        'p1',
        {
          id: 'p1',
          title: 'Scaling LLM Test-Time Compute',
          url: 'https://arxiv.org/abs/2408.03314',
          presenterId: '42',
        },
      ],
    ]);
    const questions = [
      {
        id: 'a',
        sessionId: 's',
        text: 'Low votes?',
        anonymous: false,
        askerId: '7',
        status: 'answered',
        askedAt: start,
        votes: 1,
        answer: 'Yes.',
      },
      {
        id: 'b',
        sessionId: 's',
        text: 'High votes?',
        anonymous: true,
        status: 'answered',
        askedAt: start,
        votes: 9,
        answer: 'Indeed.',
      },
      {
        id: 'c',
        sessionId: 's',
        text: 'Still open?',
        anonymous: false,
        askerId: '7',
        status: 'open',
        askedAt: start,
        votes: 3,
      },
    ] as const;
    const recap = composeRecap(session(start, start + 3_600_000), timeline, [...questions], papers);
    const parts = recapDigest(recap, discordStyle(), 'Recap: session of Wednesday, 14 August 2024', FILE);
    expect(parts).toHaveLength(1);
    const text = parts[0]!;
    expect(text).toContain('## Summary\n1 paper covered, presented by <@42>. 3 questions asked, 2 answered.');
    expect(text).toContain(
      '### 1. [Scaling LLM Test-Time Compute](https://arxiv.org/abs/2408.03314)\nPresented by <@42>',
    );
    expect(text).toContain('- ✦ <t:1723662120:T> (+0:02:00) Scaling test-time compute beats a 14x larger model');
    // Most upvoted first, the anonymous one without a name.
    expect(text.indexOf('(anonymous): High votes?')).toBeLessThan(text.indexOf('(<@7>): Low votes?'));
    expect(text).toContain('- ★ <t:1723662180:T> (+0:03:00) Verifiers matter more than samplers');
    expect(text).toContain("1 unanswered question carried over to next week's agenda.");
    expect(text).toContain(`in the attached file, ${FILE}.`);
  });

  it(`GIVEN the stress session THEN it fits in ${DIGEST_MESSAGES} messages of at most 2,000 characters, the most upvoted answer first`, () => {
    const questions = stressQuestions('s');
    const recap = composeRecap(session(STRESS_START, STRESS_END), stressTimeline(), questions, new Map());
    const parts = recapDigest(recap, discordStyle(), 'Recap: session of Wednesday, 21 August 2024', FILE);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.length).toBeLessThanOrEqual(DIGEST_MESSAGES);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    const top = [...questions].filter((q) => q.status === 'answered').sort((a, b) => b.votes - a.votes)[0]!;
    expect(parts.join('\n')).toContain(`: ${top.text.slice(0, 40)}`);
    expect(parts.join('\n')).toMatch(/…and \d+ more answered questions in the file\./);
    // No papers were covered: no empty section, no blank run.
    expect(parts.join('\n')).not.toContain('## Papers covered');
    expect(parts.join('\n')).not.toMatch(/\n\n\n/);
  });

  it(`GIVEN the longest possible papers, titles, presenters and notes THEN it still fits in ${DIGEST_MESSAGES} messages`, () => {
    const start = Date.UTC(2024, 7, 14, 19);
    const long = (i: number) => `${'Very long text '.repeat(120)}${i}`;
    const papers = new Map<string, RecapPaper>();
    const timeline: TimelineEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const id = `p${i}`;
      papers.set(id, {
        id,
        title: long(i),
        url: `https://arxiv.org/abs/2408.${String(10000 + i)}`,
        presenterId: String(10n ** 18n + BigInt(i)),
      });
      timeline.push({ type: 'paper.started', paperId: id, by: 'h', at: start + i * 60_000 + 1 });
      for (let k = 0; k < 4; k++)
        timeline.push({ type: 'highlight', text: long(k), by: 'h', at: start + i * 60_000 + 2 + k, paperId: id });
      timeline.push({ type: 'takeaway', text: long(i), by: 'h', at: start + i * 60_000 + 9 });
    }
    const questions = Array.from({ length: 50 }, (_, i) => ({
      id: `q${i}`,
      sessionId: 's',
      text: long(i),
      anonymous: false,
      askerId: String(10n ** 18n + BigInt(i)),
      status: 'answered' as const,
      askedAt: start + i,
      votes: i,
      answer: long(i),
    }));
    const recap = composeRecap(session(start, start + 3 * 3_600_000), timeline, questions, papers);
    const parts = recapDigest(recap, discordStyle(), 'Recap: session of Wednesday, 14 August 2024', FILE);
    expect(parts.length).toBeLessThanOrEqual(DIGEST_MESSAGES);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.at(-1)).toContain(`in the attached file, ${FILE}.`);
  });
});
