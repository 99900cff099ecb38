import { Temporal } from 'temporal-polyfill';
import { UserError, quoteInput } from '../errors.js';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The same wall-clock time every week, whatever DST does. */
export interface WeeklySlot {
  weekday: Weekday;
  /** `HH:MM`, 24-hour. */
  time: string;
  timeZone: string;
}

function acceptedByIntl(name: string) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// ICU lists some zones under their older names (Asia/Calcutta); offer today's names too.
const CURRENT_NAMES = [
  'Asia/Kolkata',
  'Europe/Kyiv',
  'Asia/Ho_Chi_Minh',
  'Asia/Kathmandu',
  'America/Nuuk',
  'Asia/Yangon',
];
const ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', ...CURRENT_NAMES.filter(acceptedByIntl)]);

export function parseTimeZone(input: string) {
  const name = input.trim();
  if (ZONES.has(name) || (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(name) && acceptedByIntl(name))) return name;
  const hint =
    /^[+-]?\d/.test(name) || /^(utc|gmt)[+-]/i.test(name)
      ? 'Offsets change with daylight saving time; give the place instead'
      : /^[A-Z]{2,5}$/i.test(name)
        ? 'Abbreviations are ambiguous and ignore daylight saving time; give the place instead'
        : 'Pick one from the list as you type';
  throw new UserError(
    'timezone-invalid',
    `${quoteInput(name)} is not a time zone name. ${hint}, like America/Los_Angeles or Europe/Berlin.`,
  );
}

export function matchTimeZones(typed: string, limit = 25) {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '_');
  return [...ZONES].filter((z) => z.toLowerCase().includes(q)).slice(0, limit);
}

export function parseTime(input: string) {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(input.trim());
  if (!match)
    throw new UserError(
      'time-invalid',
      `${quoteInput(input)} is not a time: write it as HH:MM on a 24-hour clock, like 18:30.`,
    );
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

/** `date` is local (YYYY-MM-DD). */
interface SlotTime {
  date: string;
  start: number;
}

/** A time DST skips moves forward by the gap; a repeated one takes the earlier instant ('compatible'). */
export function slotInstant(timeZone: string, date: string, time: string) {
  return Temporal.PlainDate.from(date)
    .toPlainDateTime(Temporal.PlainTime.from(time))
    .toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
}

export function localDate(timeZone: string, ms: number) {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

export function weekdayOf(date: string) {
  // Temporal counts Monday 1 to Sunday 7.
  return WEEKDAYS[Temporal.PlainDate.from(date).dayOfWeek % 7]!;
}

export function nextOccurrence(slot: WeeklySlot, after: number): SlotTime {
  const today = Temporal.Instant.fromEpochMilliseconds(after).toZonedDateTimeISO(slot.timeZone).toPlainDate();
  // Start from the last slot date on or before today: a DST gap can push that one past `after`.
  const back = (today.dayOfWeek - (WEEKDAYS.indexOf(slot.weekday) || 7) + 7) % 7;
  for (let date = today.subtract({ days: back }); ; date = date.add({ weeks: 1 })) {
    const start = slotInstant(slot.timeZone, date.toString(), slot.time);
    if (start > after) return { date: date.toString(), start };
  }
}

export function upcoming(slot: WeeklySlot, after: number, count: number) {
  const out: SlotTime[] = [];
  for (let cursor = after; out.length < count; cursor = out.at(-1)!.start) out.push(nextOccurrence(slot, cursor));
  return out;
}
