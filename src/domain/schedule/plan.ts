import { Temporal } from 'temporal-polyfill';
import { UserError, quoteInput } from '../errors.js';
import { localDate, nextOccurrence, weekdayOf, type WeeklySlot } from './weekly.js';

/** A guild's weekly schedule, as set with /schedule. */
export interface Schedule extends WeeklySlot {
  /** Length of a session in minutes. */
  durationMin: number;
  paused: boolean;
  /** Local dates (YYYY-MM-DD in the schedule's zone) with no session. */
  skips: string[];
}

export const DEFAULT_DURATION_MIN = 90;
export const MAX_DURATION_MIN = 12 * 60;
/** A reminder that would go out later than this after its time is dropped, not sent stale. */
export const LATE_LIMIT_MS = 15 * 60_000;
/** A session nobody ended ends itself this long after its scheduled end. */
export const AUTO_END_AFTER_MS = 60 * 60_000;
/** Skips further out than this are refused (a typo in the year, most likely). */
const MAX_SKIP_AHEAD_DAYS = 366;

/** One week's session: when it starts and ends. `start` (ms) identifies it. */
export interface Occurrence {
  start: number;
  end: number;
  /** Its local date, YYYY-MM-DD in the schedule's zone. */
  date: string;
}

/** A session the schedule opened, with what has been posted for it so far. */
export interface OccurrenceRecord extends Occurrence {
  generation: number;
  status: 'open' | 'cancelled';
  eventId?: string;
  agenda?: { channelId: string; messageId: string };
  /** Reminder offset (seconds) → the message posted, or `dropped` when it would have been late. */
  posts: Record<string, string>;
  /** Presenter id → whether the agenda DM reached them. */
  dms: Record<string, 'sent' | 'closed'>;
  /** Ids of the delayed jobs planned for it, removed when it is cancelled or replanned. */
  jobIds: string[];
  /** The live session that ran it. */
  sessionId?: string;
}

/** A post a session gets before it starts: the agenda at the first offset, reminders at the others. */
export interface PlannedPost {
  kind: 'agenda' | 'reminder';
  /** Seconds before the start (the configured offset). */
  offset: number;
  /** When it goes out (ms). */
  at: number;
}

/** The next session strictly after `after` that is not skipped; undefined when paused. */
export function nextSession(schedule: Schedule, after: number): Occurrence | undefined {
  if (schedule.paused) return undefined;
  const skipped = new Set(schedule.skips);
  let cursor = after;
  // A year of weeks is more than any list of skips can cover.
  for (let i = 0; i < 60; i++) {
    const { start, date } = nextOccurrence(schedule, cursor);
    if (!skipped.has(date)) return { start, end: start + schedule.durationMin * 60_000, date };
    cursor = start;
  }
  return undefined;
}

/**
 * The posts of a session opened at `now`: the agenda at the largest offset
 * (or at once, if that moment has passed: a schedule set late still gets its
 * agenda), and a reminder at each other offset still ahead.
 */
export function planPosts(occurrence: Occurrence, offsetsSeconds: number[], now: number): PlannedPost[] {
  const [first, ...rest] = [...offsetsSeconds].sort((a, b) => b - a);
  if (first === undefined || occurrence.start <= now) return [];
  const posts: PlannedPost[] = [{ kind: 'agenda', offset: first, at: Math.max(occurrence.start - first * 1000, now) }];
  for (const offset of rest) {
    const at = occurrence.start - offset * 1000;
    if (at >= now) posts.push({ kind: 'reminder', offset, at });
  }
  return posts;
}

/** Whether a post due at `at` may still go out at `now`. */
export function onTime(at: number, now: number): boolean {
  return now - at <= LATE_LIMIT_MS;
}

/** Checks a `/schedule skip` date: a real YYYY-MM-DD, on the schedule's weekday, not past, within a year. */
export function parseSkipDate(input: string, schedule: Schedule, now: number): string {
  const text = input.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? realDate(text) : undefined;
  if (!date) {
    throw new UserError(
      'skip-date-invalid',
      `${quoteInput(input)} is not a date: write it as YYYY-MM-DD, like 2026-12-24.`,
    );
  }
  const weekday = weekdayOf(text);
  if (weekday !== schedule.weekday) {
    throw new UserError('skip-date-weekday', `${text} is a ${weekday}; sessions are on ${schedule.weekday}s.`);
  }
  const today = Temporal.PlainDate.from(localDate(schedule.timeZone, now));
  if (Temporal.PlainDate.compare(date, today) < 0) throw new UserError('skip-date-past', `${text} has already passed.`);
  if (today.until(date).days > MAX_SKIP_AHEAD_DAYS) {
    throw new UserError('skip-date-far', `${text} is more than a year away; skip dates within the next year.`);
  }
  return text;
}

/** A YYYY-MM-DD that names a real day (not February 30th), or undefined. */
function realDate(text: string): Temporal.PlainDate | undefined {
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

/** Parses `/schedule set duration` (minutes), defaulting when absent. */
export function parseDuration(minutes: number | undefined): number {
  if (minutes === undefined) return DEFAULT_DURATION_MIN;
  if (!Number.isInteger(minutes) || minutes < 10 || minutes > MAX_DURATION_MIN) {
    throw new UserError(
      'duration-range',
      `A session lasts from 10 to ${MAX_DURATION_MIN} minutes; you gave ${minutes}.`,
    );
  }
  return minutes;
}
