import { z } from 'zod';
import { scanKeys } from './guild-export.js';
import { newId } from './ids.js';
import { keys, PREFIX } from './keys.js';
import { rankMember } from './question-store.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/**
 * Changes to the shape of stored data, in order; each runs once, at start-up,
 * and `lectern:meta:schema` records how many have. Each step is one script per
 * key (or per session) that checks the old shape is still there, so a step
 * rerun after a crash, or run by two processes at once, changes nothing twice.
 */
const MIGRATIONS: Array<{ name: string; run: (redis: RedisClient) => Promise<void> }> = [
  { name: 'stage sets become sorted sets', run: stageToSortedSet },
  { name: 'the voice presence mirror goes', run: dropVoicePresence },
  { name: 'the live-session pointer becomes a hash', run: livePointerToHash },
  { name: 'questions get rankings by votes and search texts', run: rankQuestions },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

const LOCK_TTL_MS = 60_000;
const Migrated = z.object({ migrated: z.union([z.boolean(), z.number()]).optional(), changed: z.boolean().optional() });

/**
 * Brings the data up to SCHEMA_VERSION. One process migrates while others
 * wait for it (a lock with a lifetime, so a process that died holding it
 * delays the rest by at most LOCK_TTL_MS).
 */
export async function migrate(
  redis: RedisClient,
  options: { pollMs?: number; lockTtlMs?: number } = {},
): Promise<{ from: number; to: number }> {
  const { pollMs = 200, lockTtlMs = LOCK_TTL_MS } = options;
  const from = await version(redis);
  for (;;) {
    const at = await version(redis);
    if (at >= SCHEMA_VERSION) return { from, to: at };
    const token = newId();
    if ((await redis.set(keys.schemaLock(), token, 'PX', lockTtlMs, 'NX')) !== 'OK') {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      continue;
    }
    try {
      for (let step = at; step < SCHEMA_VERSION; step++) {
        await MIGRATIONS[step]!.run(redis);
        await runScript(
          redis,
          'metaRaiseVersion',
          [keys.schemaVersion()],
          [step + 1],
          z.object({ version: z.number() }),
        );
      }
    } finally {
      await runScript(redis, 'metaUnlock', [keys.schemaLock()], [token], z.object({ released: z.boolean() }));
    }
  }
}

async function version(redis: RedisClient): Promise<number> {
  return Number((await redis.get(keys.schemaVersion())) ?? 0);
}

/** 1: an early version kept a session's stage as a plain set. */
async function stageToSortedSet(redis: RedisClient): Promise<void> {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:*:stage`))
    await runScript(redis, 'migrateStage', [key], [], Migrated);
}

/** 2: the Redis mirror of who is in which voice channel; discord.js's voice-state cache answers that now. */
async function dropVoicePresence(redis: RedisClient): Promise<void> {
  for (const key of await scanKeys(redis, `${PREFIX}:voice:{*}`)) await redis.del(key);
}

/** 3: the pointer held only the live session's id; it now holds what the router needs of the session. */
async function livePointerToHash(redis: RedisClient): Promise<void> {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:current`)) {
    if ((await redis.type(key)) !== 'string') continue;
    const id = await redis.get(key);
    if (!id) continue;
    // The pointer is `lectern:{guild}:session:current`; the session sits next to it.
    const session = key.replace(/:current$/, `:${id}`);
    await runScript(redis, 'migrateLivePointer', [key, session], [id], Migrated);
  }
}

/** 4: a session's open set and votes become rankings by votes per status; votes move to each question. */
async function rankQuestions(redis: RedisClient): Promise<void> {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:*:questions`)) {
    const match = /^lectern:\{([^}]+)\}:session:([^:]+):questions$/.exec(key);
    if (!match) continue;
    const [, guildId, sessionId] = match as unknown as [string, string, string];
    if ((await redis.exists(keys.ranked(guildId, sessionId, 'all'))) === 1) continue;
    for (let attempt = 0; attempt < 10; attempt++) {
      const reply = await rankSession(redis, guildId, sessionId);
      if (!reply.changed) break;
    }
  }
}

async function rankSession(redis: RedisClient, guildId: string, sessionId: string) {
  const ids = await redis.zrange(keys.questions(guildId, sessionId), '0', '-1');
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hmget(keys.question(guildId, id), 'askedAt', 'text');
  const rows = ((await pipeline.exec()) ?? []).map(([, row]) => row as [string | null, string | null]);
  const session = `${keys.session(guildId, sessionId)}`;
  return runScript(
    redis,
    'migrateQuestions',
    [
      keys.questions(guildId, sessionId),
      `${session}:open`,
      `${session}:votes`,
      ...(['open', 'answered', 'dismissed', 'all'] as const).map((s) => keys.ranked(guildId, sessionId, s)),
      keys.openTexts(guildId, sessionId),
      ...ids.map((id) => keys.question(guildId, id)),
    ],
    ids.flatMap((id, i) => [id, rankMember(Number(rows[i]![0] ?? 0), id), (rows[i]![1] ?? '').toLowerCase()]),
    Migrated,
  );
}
