import { z } from 'zod';
import { summarize, type ArchiveSummary } from '../domain/archive/archive.js';
import type { Recap } from '../domain/recap/recap.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';

const Summary: z.ZodType<ArchiveSummary> = z.object({
  sessionId: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  papers: z.array(z.object({ id: z.string(), title: z.string(), key: z.string() })),
  presenterIds: z.array(z.string()),
  asked: z.number(),
  answered: z.number(),
});

/** What the web archive reads: one summary per ended session, the names to show, and the link/slug → guild index. */
export class ArchiveStore {
  constructor(private readonly redis: RedisClient) {}

  /** After each recap (and each rewrite of one): its summary, the names it shows, and a new version for search. */
  async record(guildId: string, recap: Recap, names: ReadonlyMap<string, string> = new Map()) {
    const multi = this.redis.multi();
    multi.hset(keys.archiveIndex(guildId), recap.sessionId, JSON.stringify(summarize(recap)));
    if (names.size > 0) multi.hset(keys.archiveNames(guildId), Object.fromEntries(names));
    multi.incr(keys.archiveVersion(guildId));
    await multi.exec();
  }

  /** Newest first. */
  async summaries(guildId: string): Promise<ArchiveSummary[]> {
    const hash = await this.redis.hgetall(keys.archiveIndex(guildId));
    return Object.values(hash)
      .map((raw) => Summary.parse(JSON.parse(raw)))
      .sort((a, b) => b.startedAt - a.startedAt);
  }

  async names(guildId: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(keys.archiveNames(guildId))));
  }

  async forgetName(guildId: string, userId: string) {
    await this.redis.hdel(keys.archiveNames(guildId), userId);
    await this.redis.incr(keys.archiveVersion(guildId));
  }

  async version(guildId: string): Promise<number> {
    return Number((await this.redis.get(keys.archiveVersion(guildId))) ?? 0);
  }

  /** The guild a link token or a slug points at (check it against the guild's settings: this is only an index). */
  async guildFor(kind: 'link' | 'slug', value: string): Promise<string | undefined> {
    return (await this.redis.hget(kind === 'link' ? keys.archiveLinks() : keys.archiveSlugs(), value)) ?? undefined;
  }

  /** Points `value` at the guild; `previous` (a rotated token, a replaced slug) stops pointing anywhere. */
  async point(kind: 'link' | 'slug', guildId: string, value: string | undefined, previous?: string) {
    const key = kind === 'link' ? keys.archiveLinks() : keys.archiveSlugs();
    if (previous && previous !== value) await this.redis.hdel(key, previous);
    if (value) await this.redis.hset(key, value, guildId);
  }

  /** A slug already pointing at another guild. */
  async slugTaken(slug: string, guildId: string) {
    const owner = await this.guildFor('slug', slug);
    return owner !== undefined && owner !== guildId;
  }
}
