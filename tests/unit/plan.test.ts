import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import {
  LATE_LIMIT_MS,
  nextSession,
  onTime,
  parseDuration,
  parseSkipDate,
  planPosts,
  type Schedule,
} from '../../src/domain/schedule/plan.js';

const wednesdays: Schedule = {
  weekday: 'wednesday',
  time: '12:00',
  timeZone: 'America/Los_Angeles',
  durationMin: 150,
  paused: false,
  skips: [],
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('the next session', () => {
  it('is the next slot, ending after its duration', () => {
    const next = nextSession(wednesdays, Date.parse('2024-08-10T16:03:00Z'))!;
    expect([iso(next.start), iso(next.end), next.date]).toEqual([
      '2024-08-14T19:00:00.000Z',
      '2024-08-14T21:30:00.000Z',
      '2024-08-14',
    ]);
  });

  it('passes over skipped dates (local dates, not UTC ones)', () => {
    const late: Schedule = { ...wednesdays, time: '20:00', skips: ['2024-08-14', '2024-08-21'] };
    // 20:00 in Los Angeles is already Thursday in UTC: the skip is by the local date.
    expect(iso(nextSession(late, Date.parse('2024-08-10T00:00:00Z'))!.start)).toBe('2024-08-29T03:00:00.000Z');
  });

  it('skips a week by its slot date, also when a DST gap moved its start', () => {
    const lordHowe: Schedule = { ...wednesdays, weekday: 'sunday', time: '02:15', timeZone: 'Australia/Lord_Howe' };
    const from = Date.parse('2026-09-28T00:00:00Z');
    expect(nextSession(lordHowe, from)).toMatchObject({
      date: '2026-10-04',
      start: Date.parse('2026-10-03T15:45:00Z'),
    });
    expect(nextSession({ ...lordHowe, skips: ['2026-10-04'] }, from)).toMatchObject({
      date: '2026-10-11',
      start: Date.parse('2026-10-10T15:15:00Z'),
    });
  });

  it('is none while paused', () => {
    expect(nextSession({ ...wednesdays, paused: true }, Date.parse('2024-08-10T00:00:00Z'))).toBeUndefined();
  });
});

describe('the posts of a session', () => {
  const session = nextSession(wednesdays, Date.parse('2024-08-10T16:03:00Z'))!;

  it('puts the agenda at the largest offset and reminders at the others', () => {
    const posts = planPosts(session, [600, 86_400, 3_600], Date.parse('2024-08-10T16:03:00Z'));
    expect(posts.map((p) => [p.kind, p.offset, iso(p.at)])).toEqual([
      ['agenda', 86_400, '2024-08-13T19:00:00.000Z'],
      ['reminder', 3_600, '2024-08-14T18:00:00.000Z'],
      ['reminder', 600, '2024-08-14T18:50:00.000Z'],
    ]);
  });

  it('posts the agenda at once when set late, and leaves out reminders already past', () => {
    const now = Date.parse('2024-08-14T18:30:00Z');
    expect(planPosts(session, [86_400, 3_600, 600], now).map((p) => [p.kind, iso(p.at)])).toEqual([
      ['agenda', iso(now)],
      ['reminder', '2024-08-14T18:50:00.000Z'],
    ]);
  });

  it('plans nothing for a session already started', () => {
    expect(planPosts(session, [86_400], session.start)).toEqual([]);
  });

  it('drops a post more than 15 minutes late, and only then', () => {
    expect(onTime(0, LATE_LIMIT_MS)).toBe(true);
    expect(onTime(0, LATE_LIMIT_MS + 1)).toBe(false);
  });
});

describe('schedule input', () => {
  it.each([
    ['2024-08-13', 'skip-date-weekday'],
    ['2024-8-14', 'skip-date-invalid'],
    ['2024-02-30', 'skip-date-invalid'],
    ['2024-08-07', 'skip-date-past'],
    ['2026-08-19', 'skip-date-far'],
    ['<@123>', 'skip-date-invalid'],
  ])('refuses %s as a skip date (%s)', (input, code) => {
    expect(() => parseSkipDate(input, wednesdays, Date.parse('2024-08-10T16:00:00Z'))).toThrow(
      expect.objectContaining({ code }) as UserError,
    );
  });

  it('takes a future session date', () => {
    expect(parseSkipDate(' 2024-08-14 ', wednesdays, Date.parse('2024-08-10T16:00:00Z'))).toBe('2024-08-14');
  });

  it("reads 'past' and 'a year away' by the schedule's local date", () => {
    // 2024-08-15T03:00Z is still Wednesday the 14th in Los Angeles: that session's date has not passed.
    const lateWednesday = Date.parse('2024-08-15T03:00:00Z');
    expect(parseSkipDate('2024-08-14', wednesdays, lateWednesday)).toBe('2024-08-14');
    expect(parseSkipDate('2025-08-13', wednesdays, lateWednesday)).toBe('2025-08-13');
    expect(() => parseSkipDate('2025-08-20', wednesdays, lateWednesday)).toThrow(
      expect.objectContaining({ code: 'skip-date-far' }) as UserError,
    );
  });

  it('bounds the duration', () => {
    expect(parseDuration(undefined)).toBe(90);
    expect(parseDuration(150)).toBe(150);
    expect(() => parseDuration(5)).toThrow(UserError);
    expect(() => parseDuration(24 * 60)).toThrow(UserError);
  });
});
