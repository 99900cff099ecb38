import { UserError, quoteInput } from '../errors.js';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly slot in a guild's time zone: the same wall-clock time every week, whatever DST does. */
export interface WeeklySlot {
  weekday: Weekday;
  /** `HH:MM`, 24-hour. */
  time: string;
  /** IANA name, like America/Los_Angeles. */
  timeZone: string;
}

function acceptedByIntl(name: string): boolean {
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

/** Accepts IANA names only (Area/Place, or UTC); "PST" or "+2" get a message saying what to write instead. */
export function parseTimeZone(input: string): string {
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

/** IANA names containing `typed`, for autocomplete (at most `limit`). */
export function matchTimeZones(typed: string, limit = 25): string[] {
  const q = typed.trim().toLowerCase().replace(/\s+/g, '_');
  return [...ZONES].filter((z) => z.toLowerCase().includes(q)).slice(0, limit);
}

export function parseTime(input: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(input.trim());
  if (!match)
    throw new UserError(
      'time-invalid',
      `${quoteInput(input)} is not a time: write it as HH:MM on a 24-hour clock, like 18:30.`,
    );
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(timeZone: string, ms: number) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
    });
    formatters.set(timeZone, format);
  }
  const get = (type: string) => format!.formatToParts(ms).find((p) => p.type === type)!.value;
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: get('weekday').toLowerCase() as Weekday,
  };
}

/** The zone's offset from UTC at `ms`, in ms (local = UTC + offset). */
function offsetAt(timeZone: string, ms: number): number {
  const p = partsIn(timeZone, ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens. A time that happens twice (the
 * hour DST repeats) gives the first; a time that does not happen (the hour DST
 * skips) gives the moment just after the jump, the same distance past it.
 */
export function zonedToInstant(
  timeZone: string,
  y: number,
  m: number,
  d: number,
  hour: number,
  minute: number,
): number {
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  const candidates = [
    ...new Set([
      offsetAt(timeZone, wall - 36 * 3600_000),
      offsetAt(timeZone, wall),
      offsetAt(timeZone, wall + 36 * 3600_000),
    ]),
  ]
    .map((offset) => wall - offset)
    .filter((t) => {
      const p = partsIn(timeZone, t);
      return p.hour === hour && p.minute === minute && p.day === d;
    })
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // Skipped: use the offset from before the jump, which lands after it by the gap.
  return wall - offsetAt(timeZone, wall - 36 * 3600_000);
}

/** The first start of the weekly slot strictly after `after`. */
export function nextOccurrence(slot: WeeklySlot, after: number): number {
  const [hour, minute] = slot.time.split(':').map(Number) as [number, number];
  const today = partsIn(slot.timeZone, after);
  const base = Date.UTC(today.year, today.month - 1, today.day);
  for (let i = 0; i <= 7; i++) {
    const date = new Date(base + i * 86_400_000);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (WEEKDAYS[date.getUTCDay()] !== slot.weekday) continue;
    const at = zonedToInstant(slot.timeZone, y, m, d, hour, minute);
    if (at > after) return at;
  }
  // Only reached when this week's slot has just passed: take next week's.
  return nextOccurrence(slot, after + 86_400_000);
}

/** The next `count` starts after `after`. */
export function upcoming(slot: WeeklySlot, after: number, count: number): number[] {
  const out: number[] = [];
  let cursor = after;
  for (let i = 0; i < count; i++) out.push((cursor = nextOccurrence(slot, cursor)));
  return out;
}
