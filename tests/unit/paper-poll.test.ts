import { describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src/domain/papers/paper.js';
import { pollAnswerText, pollCandidates, pollHours, rankByPoll } from '../../src/domain/papers/poll.js';
import { planExtras } from '../../src/domain/schedule/plan.js';
import { parseExtraOffset } from '../../src/domain/settings.js';

const entry = (id: string, votes: number, extra: Partial<QueueEntry> = {}): QueueEntry => ({
  id,
  ref: { kind: 'arxiv', id: `2408.0${id.padStart(4, '0')}`, url: `https://arxiv.org/abs/${id}` },
  status: 'queued',
  metadataStatus: 'ready',
  title: `Paper ${id}`,
  votes,
  addedAt: Number(id),
  ...extra,
});

describe('who goes on the poll', () => {
  it('GIVEN 12 queued papers THEN the 10 most voted go on (ties in queue order) and 2 are left off', () => {
    const queue = Array.from({ length: 12 }, (_, i) => entry(String(i + 1), i % 3));
    const { on, leftOff } = pollCandidates(queue);
    expect(on.map((p) => p.id)).toEqual(['3', '6', '9', '12', '2', '5', '8', '11', '1', '4']);
    expect(leftOff.map((p) => p.id)).toEqual(['7', '10']);
  });

  it('GIVEN the paper being presented THEN it is not a candidate', () => {
    const { on } = pollCandidates([entry('1', 9, { status: 'current' }), entry('2', 0), entry('3', 1)]);
    expect(on.map((p) => p.id)).toEqual(['3', '2']);
  });
});

describe('a poll answer', () => {
  it('GIVEN a 500-character title with markdown and mentions THEN at most 55 characters, the arXiv id kept, nothing that formats or pings', () => {
    const title = `**Bold** <@123456789012345678> @everyone [link](https://x.y) \`code\` ${'long words '.repeat(45)}`;
    const text = pollAnswerText(entry('7', 0, { title }));
    expect(text.length).toBeLessThanOrEqual(55);
    expect(text).toMatch(/ · 2408\.00007$/);
    expect(text).not.toMatch(/[*_`<>[\]]|@/);
    expect(text).toContain('＠everyone');
  });

  it('GIVEN a link without metadata THEN the link itself, cut to 55', () => {
    const ref = { kind: 'url' as const, id: '', url: `https://example.org/${'x'.repeat(80)}` };
    const text = pollAnswerText(entry('1', 0, { ref, metadataStatus: 'none', title: ref.url }));
    expect(text.length).toBeLessThanOrEqual(55);
    expect(text.startsWith('https://example.org/')).toBe(true);
  });
});

describe('the result', () => {
  it('GIVEN final counts THEN papers by votes, ties in poll order, unvoted last', () => {
    const counts = new Map([
      [2, 4],
      [3, 7],
      [4, 4],
    ]);
    expect(rankByPoll(['a', 'b', 'c', 'd'], counts)).toEqual([
      { paperId: 'c', votes: 7 },
      { paperId: 'b', votes: 4 },
      { paperId: 'd', votes: 4 },
      { paperId: 'a', votes: 0 },
    ]);
  });

  it('GIVEN any span THEN the duration is whole hours within Discord’s 1–768', () => {
    expect(pollHours(0, 10_000)).toBe(1);
    expect(pollHours(0, 3_600_001)).toBe(2);
    expect(pollHours(0, 40 * 24 * 3_600_000)).toBe(768);
  });
});

describe('the weekly poll and confirmations', () => {
  const start = Date.parse('2026-12-03T17:00:00Z');
  const occurrence = { start, end: start + 3_600_000, date: '2026-12-03' };
  const now = start - 7 * 24 * 3_600_000;

  it('GIVEN poll 72h and agenda 24h THEN the poll opens 72h before and closes at the agenda; confirmations 48h before', () => {
    const plan = planExtras(
      occurrence,
      { reminderOffsets: [86_400, 600], pollOffset: 72 * 3600, confirmOffset: 48 * 3600 },
      now,
    );
    expect(plan.poll).toEqual({ at: start - 72 * 3_600_000, closesAt: start - 86_400_000 });
    expect(plan.confirm).toEqual({ at: start - 48 * 3_600_000 });
  });

  it('GIVEN their times have passed, or none set THEN nothing is planned', () => {
    const late = start - 30 * 3_600_000;
    const plan = planExtras(
      occurrence,
      { reminderOffsets: [86_400], pollOffset: 72 * 3600, confirmOffset: 48 * 3600 },
      late,
    );
    expect(plan).toEqual({ poll: undefined, confirm: undefined });
    expect(planExtras(occurrence, { reminderOffsets: [86_400] }, now)).toEqual({ poll: undefined, confirm: undefined });
  });

  it('GIVEN a poll time at or after the agenda THEN refused with the fix; off clears', () => {
    expect(() => parseExtraOffset('24h', 'poll', 86_400)).toThrow(/closes when the agenda goes out \(24h before\)/);
    expect(parseExtraOffset('3d', 'poll', 86_400)).toBe(3 * 86_400);
    expect(parseExtraOffset(' OFF ', 'confirm', 86_400)).toBeNull();
    expect(parseExtraOffset('1h', 'confirm', 86_400)).toBe(3600);
    expect(() => parseExtraOffset('soon', 'confirm', 86_400)).toThrow(/is not a reminder time/);
  });
});
