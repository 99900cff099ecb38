import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { WEEKDAYS, type Weekday } from '../../src/domain/schedule/weekly.js';
import { jobPayloads, type JobHandlers, type JobName } from '../../src/jobs/contract.js';
import { scheduleHandlers, type ScheduleDeps } from '../../src/jobs/handlers/schedule.js';
import { JobQueue, jobPrefix } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { ScheduleService } from '../../src/schedule/schedule-service.js';
import { ScheduleStore } from '../../src/store/schedule-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { snowflake } from '../emulator/snowflake.js';
import { TestClock } from '../support/clock.js';

/**
 * Each slot runs 150 weeks through the real chain on a real Redis: /schedule
 * set plans the first open job, and each open job, run by a BullMQ worker at
 * its due time, plans the next. Every due time is read from BullMQ's delayed
 * set and checked against an answer worked out here with Intl alone.
 */
const WEEKS = 150;
const FROM = '2026-01-01T00:00:00Z';

interface Slot {
  timeZone: string;
  weekday: Weekday;
  time: string;
  /** Whether 150 weeks from FROM hold a week whose time falls in a gap, and one where it happens twice. */
  gaps: boolean;
  overlaps: boolean;
}

const SLOTS: Slot[] = [
  { timeZone: 'Australia/Lord_Howe', weekday: 'sunday', time: '02:15', gaps: true, overlaps: false },
  { timeZone: 'Australia/Lord_Howe', weekday: 'sunday', time: '01:45', gaps: false, overlaps: true },
  { timeZone: 'America/Santiago', weekday: 'sunday', time: '00:30', gaps: true, overlaps: false },
  { timeZone: 'America/Santiago', weekday: 'saturday', time: '23:30', gaps: false, overlaps: true },
  { timeZone: 'Asia/Kolkata', weekday: 'friday', time: '19:30', gaps: false, overlaps: false },
  { timeZone: 'Pacific/Chatham', weekday: 'sunday', time: '03:00', gaps: true, overlaps: true },
  { timeZone: 'Europe/Berlin', weekday: 'sunday', time: '02:30', gaps: true, overlaps: true },
  { timeZone: 'America/Los_Angeles', weekday: 'sunday', time: '02:30', gaps: true, overlaps: false },
  { timeZone: 'America/Los_Angeles', weekday: 'sunday', time: '01:30', gaps: false, overlaps: true },
  { timeZone: 'America/Havana', weekday: 'sunday', time: '00:30', gaps: true, overlaps: true },
  { timeZone: 'Europe/London', weekday: 'sunday', time: '01:30', gaps: true, overlaps: true },
  { timeZone: 'Australia/Sydney', weekday: 'sunday', time: '02:30', gaps: true, overlaps: true },
  { timeZone: 'Pacific/Auckland', weekday: 'sunday', time: '02:30', gaps: true, overlaps: true },
  { timeZone: 'Asia/Kathmandu', weekday: 'monday', time: '00:00', gaps: false, overlaps: false },
  { timeZone: 'Africa/Casablanca', weekday: 'sunday', time: '02:30', gaps: true, overlaps: true },
];

// The oracle: plain Intl, none of Lectern's code and no Temporal.
const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string, ms: number): { date: string; time: string; asUtc: number } {
  let format = formats.get(timeZone);
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
    });
    formats.set(timeZone, format);
  }
  const part = (type: string) => format.formatToParts(ms).find((p) => p.type === type)!.value;
  const date = `${part('year')}-${part('month')}-${part('day')}`;
  const time = `${part('hour')}:${part('minute')}`;
  return { date, time, asUtc: Date.parse(`${date}T${time}:${part('second')}Z`) };
}
const offsetAt = (timeZone: string, ms: number) => wallClock(timeZone, ms).asUtc - ms;

type Kind = 'plain' | 'gap' | 'overlap';

/**
 * When `time` on local `date` starts: the first instant whose wall clock reads it, trying each offset the zone has
 * within a day and a half (no zone changes twice in that span), or, in a gap, that wall time read with the offset
 * from before the jump.
 */
function expectedStart(timeZone: string, date: string, time: string): { start: number; kind: Kind } {
  const wall = Date.parse(`${date}T${time}:00Z`);
  const before = offsetAt(timeZone, wall - 36 * 3600_000);
  const offsets = new Set([before, offsetAt(timeZone, wall), offsetAt(timeZone, wall + 36 * 3600_000)]);
  const instants = [...offsets]
    .map((offset) => wall - offset)
    .filter((t) => {
      const seen = wallClock(timeZone, t);
      return seen.date === date && seen.time === time;
    })
    .sort((a, b) => a - b);
  if (instants.length > 0) return { start: instants[0]!, kind: instants.length > 1 ? 'overlap' : 'plain' };
  return { start: wall - before, kind: 'gap' };
}

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The slot's local dates, week by week, from the first whose start is after `from`. */
function expectedWeeks(slot: Slot, from: number): Array<{ date: string; start: number; kind: Kind }> {
  let date = addDays(wallClock(slot.timeZone, from).date, -1);
  while (WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] !== slot.weekday) date = addDays(date, 1);
  if (expectedStart(slot.timeZone, date, slot.time).start <= from) date = addDays(date, 7);
  return Array.from({ length: WEEKS }, (_, i) => {
    const day = addDays(date, 7 * i);
    return { date: day, ...expectedStart(slot.timeZone, day, slot.time) };
  });
}

const redisUrl = inject('redisUrl');
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

/** A bot's schedule half on its own queue: the service, and a worker whose `schedule.open` is Lectern's handler. */
async function scheduleBot(clock: TestClock) {
  const applicationId = snowflake();
  const redis = new Redis(redisUrl);
  const logger = createLogger('silent');
  const jobs = new JobQueue(
    redis,
    () => new Redis(redisUrl, { maxRetriesPerRequest: null }),
    applicationId,
    logger,
    clock.now,
  );
  const store = new ScheduleStore(redis);
  const schedule = new ScheduleService(store, new SettingsStore(redis), jobs, clock.now, logger);
  // Only `schedule.open` matters here; the posts, events and auto-ends it plans are someone else's test.
  const idle = Object.fromEntries((Object.keys(jobPayloads) as JobName[]).map((name) => [name, async () => {}]));
  // The open handler reads only the schedule service.
  const open = scheduleHandlers({ schedule } as unknown as ScheduleDeps)['schedule.open'];
  jobs.startWorker({ ...idle, 'schedule.open': open } as JobHandlers);
  const [connection, listening] = [1, 2].map(() => new Redis(redisUrl, { maxRetriesPerRequest: null })) as [
    Redis,
    Redis,
  ];
  const prefix = jobPrefix(applicationId);
  const queue = new Queue('lectern', { connection, prefix });
  const events = new QueueEvents('lectern', { connection: listening, prefix });
  await events.waitUntilReady();
  closers.push(
    () => jobs.close(),
    () => queue.close(),
    () => events.close(),
    async () => [connection, listening, redis].forEach((c) => c.disconnect()),
  );
  return { schedule, store, queue, events, redis, delayedKey: `${prefix}:lectern:delayed` };
}

/** Runs one slot's 150 weeks; returns what each week's open job was due at, and the week it opened. */
async function runSlot(slot: Slot) {
  const clock = new TestClock(Date.parse(FROM));
  const bot = await scheduleBot(clock);
  const guildId = snowflake();
  await bot.schedule.set(guildId, { weekday: slot.weekday, time: slot.time, timeZone: slot.timeZone, durationMin: 60 });
  const weeks: Array<{ date: string; runsAt: number; at: number }> = [];
  for (let i = 0; i < WEEKS; i++) {
    const waiting = (await bot.redis.zrangebyscore(bot.delayedKey, '-inf', '+inf')).filter((id) =>
      id.startsWith(`open-${guildId}-`),
    );
    expect(waiting, `one open job waits in week ${i}`).toHaveLength(1);
    const id = waiting[0]!;
    const job = (await bot.queue.getJob(id))!;
    const due = Math.floor(Number(await bot.redis.zscore(bot.delayedKey, id)) / 0x1000);
    expect(due).toBe(job.timestamp + job.delay);
    // The test clock stands still while a job is planned: it runs when that clock has moved on by BullMQ's wait.
    const runsAt = clock.now() + (due - job.timestamp);
    const open = (await bot.store.open(guildId))!;
    weeks.push({ date: open.date, runsAt, at: (job.data as { at: number }).at });
    clock.set(new Date(runsAt).toISOString());
    await job.promote();
    await job.waitUntilFinished(bot.events, 10_000);
  }
  return weeks;
}

describe('GIVEN weekly slots in 12 time zones, in DST gaps and overlaps', () => {
  it(`THEN for ${WEEKS} weeks each, the job opening each session is due at its start; no week is missed`, async () => {
    const results = await Promise.all(SLOTS.map(runSlot));
    for (const [i, slot] of SLOTS.entries()) {
      const label = `${slot.weekday} ${slot.time} ${slot.timeZone}`;
      const expected = expectedWeeks(slot, Date.parse(FROM));
      const weeks = results[i]!;
      expect(
        weeks.map((w) => w.date),
        label,
      ).toEqual(expected.map((e) => e.date));
      expect(
        weeks.map((w) => new Date(w.runsAt).toISOString()),
        label,
      ).toEqual(expected.map((e) => new Date(e.start).toISOString()));
      expect(
        weeks.map((w) => w.at),
        label,
      ).toEqual(weeks.map((w) => w.runsAt));
      // The slots do reach what they are here for.
      expect(
        expected.some((e) => e.kind === 'gap'),
        `${label} meets a gap`,
      ).toBe(slot.gaps);
      expect(
        expected.some((e) => e.kind === 'overlap'),
        `${label} meets an overlap`,
      ).toBe(slot.overlaps);
      // In a gap, the session starts later by the gap's length; otherwise at the slot's own wall time.
      for (const week of expected) {
        const local = wallClock(slot.timeZone, week.start);
        if (week.kind !== 'gap') expect(local.time, `${label} ${week.date}`).toBe(slot.time);
        else {
          const gap = offsetAt(slot.timeZone, week.start) - offsetAt(slot.timeZone, week.start - 36 * 3600_000);
          const moved = Date.parse(`${week.date}T${slot.time}:00Z`) + gap;
          expect(local.asUtc, `${label} ${week.date}`).toBe(moved);
        }
      }
    }
    expect(new Set(SLOTS.map((s) => s.timeZone)).size).toBe(12);
  }, 240_000);
});
