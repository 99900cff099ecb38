import { Temporal } from 'temporal-polyfill';
import { UserError, quoteInput } from '../errors.js';
import type { GuildSettings } from '../settings.js';
import { localDate, nextOccurrence, weekdayOf, type WeeklySlot } from './weekly.js';

export interface Schedule extends WeeklySlot {
  durationMin: number;
  paused: boolean;
  /** Local dates (YYYY-MM-DD) with no session. */
  skips: string[];
}

const DEFAULT_DURATION_MIN = 90;
export const MAX_DURATION_MIN = 12 * 60;
/** A post later than this is dropped, not sent stale. */
export const LATE_LIMIT_MS = 15 * 60_000;
/** Counted from the scheduled end. */
export const AUTO_END_AFTER_MS = 60 * 60_000;
const MAX_SKIP_AHEAD_DAYS = 366;

/** `start` (ms) identifies it. */
export interface Occurrence {
  start: number;
  end: number;
  date: string;
}

export interface OccurrenceRecord extends Occurrence {
  generation: number;
  status: 'open' | 'cancelled';
  eventId?: string;
  agenda?: { channelId: string; messageId: string };
  /** Offset (s) → message id, or `dropped` when it would have been late. */
  posts: Record<string, string>;
  dms: Record<string, 'sent' | 'closed'>;
  /** Paper id → its presenter's "Still presenting?" DM. */
  confirms: Record<string, 'sent' | 'closed'>;
  /** Delayed jobs, removed when it is cancelled or replanned. */
  jobIds: string[];
  sessionId?: string;
}

interface PlannedPost {
  kind: 'agenda' | 'reminder';
  /** Seconds before the start. */
  offset: number;
  at: number;
}

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

/** The agenda at the largest offset, or now if that has passed; a reminder at each other offset still ahead. */
export function planPosts(occurrence: Occurrence, offsetsSeconds: number[], now: number) {
  const [first, ...rest] = [...offsetsSeconds].sort((a, b) => b - a);
  if (first === undefined || occurrence.start <= now) return [];
  const posts: PlannedPost[] = [{ kind: 'agenda', offset: first, at: Math.max(occurrence.start - first * 1000, now) }];
  for (const offset of rest) {
    const at = occurrence.start - offset * 1000;
    if (at >= now) posts.push({ kind: 'reminder', offset, at });
  }
  return posts;
}

/** The poll (`pollOffset`, closing at the agenda) and the presenters' confirm DMs (`confirmOffset`), if still ahead. */
export function planExtras(
  occurrence: Occurrence,
  {
    reminderOffsets,
    pollOffset,
    confirmOffset,
  }: Pick<GuildSettings, 'reminderOffsets' | 'pollOffset' | 'confirmOffset'>,
  now: number,
) {
  const closesAt = occurrence.start - Math.max(...reminderOffsets) * 1000;
  const pollAt = pollOffset === undefined ? undefined : occurrence.start - pollOffset * 1000;
  const confirmAt = confirmOffset === undefined ? undefined : occurrence.start - confirmOffset * 1000;
  return {
    poll: pollAt !== undefined && pollAt >= now && pollAt < closesAt ? { at: pollAt, closesAt } : undefined,
    confirm:
      confirmAt !== undefined && confirmAt >= now && confirmAt < occurrence.start ? { at: confirmAt } : undefined,
  };
}

export function onTime(at: number, now: number) {
  return now - at <= LATE_LIMIT_MS;
}

export function parseSkipDate(input: string, schedule: Schedule, now: number) {
  const text = input.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? realDate(text) : undefined;
  if (!date)
    throw new UserError(
      'skip-date-invalid',
      `${quoteInput(input)} is not a date: write it as YYYY-MM-DD, like 2026-12-24.`,
    );
  const weekday = weekdayOf(text);
  if (weekday !== schedule.weekday)
    throw new UserError('skip-date-weekday', `${text} is a ${weekday}; sessions are on ${schedule.weekday}s.`);
  const today = Temporal.PlainDate.from(localDate(schedule.timeZone, now));
  if (Temporal.PlainDate.compare(date, today) < 0) throw new UserError('skip-date-past', `${text} has already passed.`);
  if (today.until(date).days > MAX_SKIP_AHEAD_DAYS)
    throw new UserError('skip-date-far', `${text} is more than a year away; skip dates within the next year.`);
  return text;
}

function realDate(text: string) {
  try {
    return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    return undefined;
  }
}

export function parseDuration(minutes: number | undefined) {
  if (minutes === undefined) return DEFAULT_DURATION_MIN;
  if (!Number.isInteger(minutes) || minutes < 10 || minutes > MAX_DURATION_MIN)
    throw new UserError(
      'duration-range',
      `A session lasts from 10 to ${MAX_DURATION_MIN} minutes; you gave ${minutes}.`,
    );
  return minutes;
}
