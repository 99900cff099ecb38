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
  /** Newest first; an entry that does not read as a summary is left out rather than failing the whole index. */
  async summaries(guildId: string): Promise<ArchiveSummary[]> {
    const hash = await this.redis.hgetall(keys.archiveIndex(guildId));
    return Object.values(hash)
      .flatMap((raw) => {
        const parsed = Summary.safeParse(parseJson(raw));
        return parsed.success ? [parsed.data] : [];
      })
      .sort((a, b) => b.startedAt - a.startedAt);
  }

  async names(guildId: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(keys.archiveNames(guildId))));
  }

  async forgetName(guildId: string, userId: string) {
    await this.redis.multi().hdel(keys.archiveNames(guildId), userId).incr(keys.archiveVersion(guildId)).exec();
  }

  /** Pages cached by a running web server miss (a migration changed what they show). */
  async bumpVersion(guildId: string) {
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
    // Another guild may hold the previous one by now (a slug given up, then claimed): it is left to them.
    if (previous && previous !== value) await this.release(kind, previous, guildId);
    if (value) await this.redis.hset(kind === 'link' ? keys.archiveLinks() : keys.archiveSlugs(), value, guildId);
  }

  /** Points the slug at the guild unless it points somewhere already. */
  async claimSlug(slug: string, guildId: string) {
    return (await this.redis.hsetnx(keys.archiveSlugs(), slug, guildId)) === 1;
  }

  /** Removes `value` from the index if it still points at `guildId`. */
  async release(kind: 'link' | 'slug', value: string, guildId: string) {
    if ((await this.guildFor(kind, value)) === guildId)
      await this.redis.hdel(kind === 'link' ? keys.archiveLinks() : keys.archiveSlugs(), value);
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
