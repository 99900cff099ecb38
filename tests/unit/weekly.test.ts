import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import {
  matchTimeZones,
  nextOccurrence,
  parseTime,
  parseTimeZone,
  upcoming,
  type WeeklySlot,
} from '../../src/domain/schedule/weekly.js';

const local = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(ms);

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
    const starts = upcoming(slot, Date.parse(from), expected.length);
    expect(starts.map((ms) => local(ms, timeZone))).toEqual(expected);
    // Exactly a week apart in wall time: never twice, never missed.
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('keeps 18:00 Berlin at 17:00 UTC in winter and 16:00 UTC in summer', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '18:00', timeZone: 'Europe/Berlin' };
    expect(new Date(nextOccurrence(slot, Date.parse('2026-03-23T00:00:00Z'))).toISOString()).toBe(
      '2026-03-29T16:00:00.000Z',
    );
    expect(new Date(nextOccurrence(slot, Date.parse('2026-03-16T00:00:00Z'))).toISOString()).toBe(
      '2026-03-22T17:00:00.000Z',
    );
  });

  it('moves a slot in the skipped hour to just after the jump, and still runs that week', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '02:30', timeZone: 'America/Los_Angeles' };
    const starts = upcoming(slot, Date.parse('2026-03-01T00:00:00Z'), 3);
    expect(starts.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-01T10:30:00.000Z',
      '2026-03-08T10:30:00.000Z',
      '2026-03-15T09:30:00.000Z',
    ]);
    expect(local(starts[1]!, 'America/Los_Angeles')).toBe('2026-03-08 03:30');
  });

  it('takes the first of a time that happens twice, once', () => {
    const slot: WeeklySlot = { weekday: 'sunday', time: '01:30', timeZone: 'America/Los_Angeles' };
    const starts = upcoming(slot, Date.parse('2026-10-31T00:00:00Z'), 2);
    expect(new Date(starts[0]!).toISOString()).toBe('2026-11-01T08:30:00.000Z');
    expect(new Date(starts[1]!).toISOString()).toBe('2026-11-08T09:30:00.000Z');
  });

  it('skips a slot that has just started', () => {
    const slot: WeeklySlot = { weekday: 'wednesday', time: '12:00', timeZone: 'UTC' };
    expect(new Date(nextOccurrence(slot, Date.parse('2026-11-25T12:00:00Z'))).toISOString()).toBe(
      '2026-12-02T12:00:00.000Z',
    );
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
