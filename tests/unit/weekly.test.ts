import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import {
  localDate,
  matchTimeZones,
  nextOccurrence,
  parseTime,
  parseTimeZone,
  slotInstant,
  upcoming,
  weekdayOf,
  type WeeklySlot,
} from '../../src/domain/schedule/weekly.js';

const local = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(ms);
const iso = (ms: number) => new Date(ms).toISOString();
const starts = (slot: WeeklySlot, from: string, count: number) =>
  upcoming(slot, Date.parse(from), count).map((o) => o.start);

describe('weekly slot occurrences', () => {
  it.each([
    [
      'America/Los_Angeles',
      'wednesday',
      '12:00',
      '2026-02-25T00:00:00Z',
      ['2026-02-25 12:00', '2026-03-04 12:00', '2026-03-11 12:00', '2026-03-18 12:00'],
    ],
    [
      'America/Los_Angeles',
      'sunday',
      '18:00',
      '2026-10-20T00:00:00Z',
      ['2026-10-25 18:00', '2026-11-01 18:00', '2026-11-08 18:00'],
    ],
    [
      'Europe/Berlin',
      'sunday',
      '18:00',
      '2026-03-20T00:00:00Z',
      ['2026-03-22 18:00', '2026-03-29 18:00', '2026-04-05 18:00'],
    ],
    ['Europe/Berlin', 'sunday', '18:00', '2026-10-20T00:00:00Z', ['2026-10-25 18:00', '2026-11-01 18:00']],
    [
      'Asia/Kolkata',
      'friday',
      '19:30',
      '2026-03-01T00:00:00Z',
      ['2026-03-06 19:30', '2026-03-13 19:30', '2026-03-20 19:30'],
    ],
    [
      'Australia/Lord_Howe',
      'sunday',
      '10:00',
      '2026-03-25T00:00:00Z',
      ['2026-03-29 10:00', '2026-04-05 10:00', '2026-04-12 10:00'],
    ],
    [
      'Australia/Lord_Howe',
      'sunday',
      '10:00',
      '2026-09-25T00:00:00Z',
      ['2026-09-27 10:00', '2026-10-04 10:00', '2026-10-11 10:00'],
    ],
  ] as const)('%s, %s %s: the wall-clock time is kept across DST', (timeZone, weekday, time, from, expected) => {
    const slot: WeeklySlot = { weekday, time, timeZone };
    const next = upcoming(slot, Date.parse(from), expected.length);
    expect(next.map((o) => local(o.start, timeZone))).toEqual(expected);
    expect(next.map((o) => o.date)).toEqual(expected.map((e) => e.slice(0, 10)));
    // Exactly a week apart in wall time: never twice, never missed.
    expect(new Set(next.map((o) => o.start)).size).toBe(next.length);
  });

  it('keeps 18:00 Berlin at 17:00 UTC in winter and 16:00 UTC in summer', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '18:00', timeZone: 'Europe/Berlin' };
    expect(iso(nextOccurrence(slot, Date.parse('2026-03-23T00:00:00Z')).start)).toBe('2026-03-29T16:00:00.000Z');
    expect(iso(nextOccurrence(slot, Date.parse('2026-03-16T00:00:00Z')).start)).toBe('2026-03-22T17:00:00.000Z');
  });

  it('moves a slot in the skipped hour to just after the jump, and still runs that week', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '02:30', timeZone: 'America/Los_Angeles' };
    const next = starts(slot, '2026-03-01T00:00:00Z', 3);
    expect(next.map(iso)).toEqual(['2026-03-01T10:30:00.000Z', '2026-03-08T10:30:00.000Z', '2026-03-15T09:30:00.000Z']);
    expect(local(next[1]!, 'America/Los_Angeles')).toBe('2026-03-08 03:30');
  });

  it('moves Sunday 02:15 in Lord Howe, whose clocks jump 30 minutes on 2026-10-04, to 02:45 that day', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '02:15', timeZone: 'Australia/Lord_Howe' };
    const next = upcoming(slot, Date.parse('2026-09-25T00:00:00Z'), 3);
    expect(next.map((o) => [o.date, iso(o.start)])).toEqual([
      ['2026-09-27', '2026-09-26T15:45:00.000Z'], // 02:15 at +10:30
      ['2026-10-04', '2026-10-03T15:45:00.000Z'], // 02:45 at +11:00: moved by the 30-minute gap
      ['2026-10-11', '2026-10-10T15:15:00.000Z'], // 02:15 at +11:00
    ]);
    expect(local(next[1]!.start, 'Australia/Lord_Howe')).toBe('2026-10-04 02:45');
  });

  it.each([
    // Chile's clocks go from 00:00 to 01:00 on Sunday 2026-09-06: 00:30 at -04:00 becomes 01:30 at -03:00.
    ['America/Santiago', '2026-09-06', '00:30', '2026-09-06T04:30:00.000Z'],
    // Chatham jumps from 02:45 to 03:45 on 2026-09-27: 03:00 becomes 04:00 at +13:45.
    ['Pacific/Chatham', '2026-09-27', '03:00', '2026-09-26T14:15:00.000Z'],
    // Berlin jumps from 02:00 to 03:00 on 2026-03-29: 02:30 becomes 03:30 at +02:00.
    ['Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
  ])('%s on %s: %s in the gap moves forward by the gap', (timeZone, date, time, expected) => {
    expect(iso(slotInstant(timeZone, date, time))).toBe(expected);
  });

  it.each([
    // Lord Howe goes back from 02:00 to 01:30 on 2027-04-04: 01:45 happens at +11:00, then at +10:30.
    ['Australia/Lord_Howe', '2027-04-04', '01:45', '2027-04-03T14:45:00.000Z'],
    // Berlin goes back from 03:00 to 02:00 on 2026-10-25: 02:30 happens at +02:00, then at +01:00.
    ['Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
    // Chatham goes back from 03:45 to 02:45 on 2027-04-04: 03:00 happens at +13:45, then at +12:45.
    ['Pacific/Chatham', '2027-04-04', '03:00', '2027-04-03T13:15:00.000Z'],
  ])('%s on %s: %s, which happens twice, takes the first', (timeZone, date, time, expected) => {
    expect(iso(slotInstant(timeZone, date, time))).toBe(expected);
  });

  it('keeps a slot whose whole day was skipped (Samoa, 2011-12-30) in its week, a day later', () => {
    const slot: WeeklySlot = { weekday: 'friday', time: '10:00', timeZone: 'Pacific/Apia' };
    // Friday 10:00 never happened: it moves by the 24-hour gap to Saturday 10:00 at +14:00.
    const moved = { date: '2011-12-30', start: Date.parse('2011-12-30T20:00:00Z') };
    expect(nextOccurrence(slot, Date.parse('2011-12-29T00:00:00Z'))).toEqual(moved);
    // Asked on that Saturday morning, local time, it is still ahead.
    expect(nextOccurrence(slot, Date.parse('2011-12-30T19:00:00Z'))).toEqual(moved);
    expect(nextOccurrence(slot, moved.start).date).toBe('2012-01-06');
  });

  it('takes the first of a time that happens twice, once', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '01:30', timeZone: 'America/Los_Angeles' };
    const next = starts(slot, '2026-10-31T00:00:00Z', 2);
    expect(iso(next[0]!)).toBe('2026-11-01T08:30:00.000Z');
    expect(iso(next[1]!)).toBe('2026-11-08T09:30:00.000Z');
  });

  it('skips a slot that has just started', () => {
    const slot: WeeklySlot = { weekday: 'wednesday', time: '12:00', timeZone: 'UTC' };
    expect(iso(nextOccurrence(slot, Date.parse('2026-11-25T12:00:00Z')).start)).toBe('2026-12-02T12:00:00.000Z');
  });

  it('reads local dates and weekdays in the zone, not in UTC', () => {
    expect(localDate('America/Los_Angeles', Date.parse('2024-08-15T03:00:00Z'))).toBe('2024-08-14');
    expect(localDate('Pacific/Chatham', Date.parse('2024-08-14T12:00:00Z'))).toBe('2024-08-15');
    expect(['2024-08-11', '2024-08-14', '2024-08-17'].map(weekdayOf)).toEqual(['sunday', 'wednesday', 'saturday']);
  });
});

describe('time zone and time input', () => {
  it.each(['America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'])(
    '%s is accepted',
    (zone) => expect(parseTimeZone(zone)).toBe(zone),
  );
  it.each([
    ['PST', /Abbreviations are ambiguous/],
    ['+2', /Offsets change with daylight saving time/],
    ['UTC+2', /Offsets change/],
    ['Mars/Olympus', /Pick one from the list/],
  ])('%s is refused helpfully', (zone, message) => {
    expect(() => parseTimeZone(zone)).toThrow(UserError);
    expect(() => parseTimeZone(zone)).toThrow(message);
  });
  it('autocompletes by any part of the name', () => expect(matchTimeZones('los ang')).toEqual(['America/Los_Angeles']));
  it.each([
    ['9:05', '09:05'],
    ['18:30', '18:30'],
  ])('%s reads as %s', (input, time) => expect(parseTime(input)).toBe(time));
  it.each(['24:00', '7pm', '18.30', '18:60'])('%s is not a time', (input) =>
    expect(() => parseTime(input)).toThrow(/is not a time/),
  );
});
