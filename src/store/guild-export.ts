import { Cluster } from 'ioredis';
import { keys, PREFIX } from './keys.js';
import type { RedisClient } from './redis.js';

/** SCAN sees one node's keys, so a cluster is scanned master by master. */
export async function scanKeys(redis: RedisClient, pattern: string) {
  const found: string[] = [];
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return found;
}

/** Walks the guild's key space rather than a list of aggregates, so data added later is exported too. */
export async function exportGuildData(redis: RedisClient, guildId: string) {
  const data: Record<string, unknown> = {};
  const strip = `${PREFIX}:{${guildId}}:`;
  for (const key of (await scanKeys(redis, keys.guildPattern(guildId))).sort()) {
    // Audio waiting for its text is held only until then, and never leaves Redis.
    if (key.startsWith(keys.transcriptAudio(guildId, ''))) continue;
    data[key.slice(strip.length)] = await readKey(redis, key);
  }
  return data;
}

async function readKey(redis: RedisClient, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return parseMaybeJson((await redis.get(key)) ?? '');
    case 'hash':
      // Sorted, as sets are: Redis may reorder a large hash while rehashing it, with no write at all.
      return Object.fromEntries(
        Object.entries(await redis.hgetall(key))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([f, v]) => [f, parseMaybeJson(v)]),
      );
    case 'list':
      return (await redis.lrange(key, 0, -1)).map(parseMaybeJson);
    case 'set':
      return (await redis.smembers(key)).sort();
    case 'zset': {
      const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      const entries: Array<{ member: unknown; score: number }> = [];
      for (let i = 0; i < flat.length; i += 2)
        entries.push({ member: parseMaybeJson(flat[i]!), score: Number(flat[i + 1]) });
      return entries;
    }
    default:
      return null;
  }
}

function parseMaybeJson(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (!/^[[{"]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
