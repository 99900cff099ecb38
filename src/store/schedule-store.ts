import { z } from 'zod';
import type { Occurrence, OccurrenceRecord, Schedule } from '../domain/schedule/plan.js';
import { WEEKDAYS } from '../domain/schedule/weekly.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';

/** The schedule with the generation every change bumps: a job planned under an older one is stale. */
export interface StoredSchedule extends Schedule {
  generation: number;
}

const jsonStrings = z.string().transform((s) => z.array(z.string()).parse(JSON.parse(s)));

const ScheduleHash = z.object({
  weekday: z.enum(WEEKDAYS),
  time: z.string(),
  timeZone: z.string(),
  durationMin: z.coerce.number().int(),
  paused: z.enum(['true', 'false']).transform((s) => s === 'true'),
  skips: jsonStrings,
  generation: z.coerce.number().int(),
});

const OccurrenceHash = z.object({
  start: z.coerce.number(),
  end: z.coerce.number(),
  date: z.string(),
  generation: z.coerce.number().int(),
  status: z.enum(['open', 'cancelled']),
  eventId: z.string().optional(),
  sessionId: z.string().optional(),
  agenda: z
    .string()
    .transform((s) => z.object({ channelId: z.string(), messageId: z.string() }).parse(JSON.parse(s)))
    .optional(),
  jobIds: jsonStrings,
});

function toOccurrence(hash: Record<string, string>): OccurrenceRecord {
  const { eventId, sessionId, agenda, ...fields } = OccurrenceHash.parse(hash);
  const posts: Record<string, string> = {};
  const dms: Record<string, 'sent' | 'closed'> = {};
  const confirms: Record<string, 'sent' | 'closed'> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('post:')) posts[field.slice(5)] = value;
    if (field.startsWith('dm:')) dms[field.slice(3)] = value === 'closed' ? 'closed' : 'sent';
    if (field.startsWith('confirm:')) confirms[field.slice(8)] = value === 'closed' ? 'closed' : 'sent';
  }
  return {
    ...fields,
    posts,
    dms,
    confirms,
    ...(eventId && { eventId }),
    ...(sessionId && { sessionId }),
    ...(agenda && { agenda }),
  };
}

export class ScheduleStore {
  constructor(private readonly redis: RedisClient) {}

  async schedule(guildId: string): Promise<StoredSchedule | undefined> {
    const hash = await this.redis.hgetall(keys.schedule(guildId));
    return hash.weekday ? ScheduleHash.parse(hash) : undefined;
  }

  /** Returns the new generation. */
  async saveSchedule(guildId: string, { weekday, time, timeZone, durationMin, paused, skips }: Schedule) {
    const key = keys.schedule(guildId);
    const result = await this.redis
      .multi()
      .hset(key, { weekday, time, timeZone, durationMin, paused: String(paused), skips: JSON.stringify(skips) })
      .hincrby(key, 'generation', 1)
      .exec();
    return Number(result?.[1]?.[1]);
  }

  async occurrence(guildId: string, start: number) {
    const hash = await this.redis.hgetall(keys.occurrence(guildId, start));
    return hash.start ? toOccurrence(hash) : undefined;
  }

  async open(guildId: string) {
    const start = await this.redis.get(keys.openOccurrence(guildId));
    return start ? this.occurrence(guildId, Number(start)) : undefined;
  }

  /** What was posted for the occurrence before (agenda, reminders, event) is kept. */
  async markOpen(guildId: string, { start, end, date }: Occurrence, generation: number, jobIds: string[]) {
    await this.redis
      .multi()
      .hset(keys.occurrence(guildId, start), {
        start,
        end,
        date,
        generation,
        status: 'open',
        jobIds: JSON.stringify(jobIds),
      })
      .zadd(keys.occurrences(guildId), start, String(start))
      .set(keys.openOccurrence(guildId), String(start))
      .exec();
  }

  async cancel(guildId: string, start: number) {
    await this.redis.hset(keys.occurrence(guildId, start), 'status', 'cancelled');
  }

  async clearOpen(guildId: string) {
    await this.redis.del(keys.openOccurrence(guildId));
  }

  /** True when this call set the field (it was unset). */
  async setOnce(
    guildId: string,
    start: number,
    field: `post:${string}` | `dm:${string}` | `confirm:${string}` | 'eventId' | 'sessionId' | 'agenda',
    value: string,
  ) {
    return (await this.redis.hsetnx(keys.occurrence(guildId, start), field, value)) === 1;
  }

  async setField(guildId: string, start: number, field: 'eventId' | 'sessionId', value: string | null) {
    const key = keys.occurrence(guildId, start);
    if (value === null) await this.redis.hdel(key, field);
    else await this.redis.hset(key, field, value);
  }

  /** The latest occurrence starting between `since` and `at`, both included. */
  async latestBetween(guildId: string, since: number, at: number) {
    const [start] = await this.redis.zrevrangebyscore(keys.occurrences(guildId), at, since, 'LIMIT', 0, 1);
    return start ? this.occurrence(guildId, Number(start)) : undefined;
  }

  /** Looks among the last four occurrences only. */
  async byEvent(guildId: string, eventId: string) {
    const starts = await this.redis.zrevrange(keys.occurrences(guildId), 0, 3);
    for (const start of starts) {
      const occurrence = await this.occurrence(guildId, Number(start));
      if (occurrence?.eventId === eventId) return occurrence;
    }
    return undefined;
  }
}
