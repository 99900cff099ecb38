import type { Redis } from 'ioredis';
import { keys, PREFIX } from './keys.js';

/**
 * Everything stored for a guild, key by key, for /setup export. It walks the
 * guild's key space rather than a list of aggregates, so data added by later
 * features is exported without anyone remembering to add it here.
 */
export async function exportGuildData(redis: Redis, guildId: string): Promise<Record<string, unknown>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', keys.guildPattern(guildId), 'COUNT', 500);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');

  const data: Record<string, unknown> = {};
  const strip = `${PREFIX}:{${guildId}}:`;
  for (const key of found.sort()) {
    data[key.slice(strip.length)] = await readKey(redis, key);
  }
  return data;
}

async function readKey(redis: Redis, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return parseMaybeJson((await redis.get(key)) ?? '');
    case 'hash':
      return Object.fromEntries(Object.entries(await redis.hgetall(key)).map(([f, v]) => [f, parseMaybeJson(v)]));
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
