import { z } from 'zod';
import { summarize } from '../domain/archive/archive.js';
import type { Recap } from '../domain/recap/recap.js';
import { scanKeys } from './guild-export.js';
import { newId } from './ids.js';
import { keys, PREFIX, RANKED_STATUSES, sessionKeys } from './keys.js';
import { rankMember } from './question-store.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

// Append only: the stored schema version counts the steps run. Each step checks the old shape is still there,
// so a rerun after a crash, or a concurrent run, changes nothing twice.
const MIGRATIONS = [stageToSortedSet, dropVoicePresence, livePointerToHash, rankQuestions, indexArchive];

export const SCHEMA_VERSION = MIGRATIONS.length;

const Migrated = z.object({ migrated: z.union([z.boolean(), z.number()]).optional(), changed: z.boolean().optional() });

/** One process migrates while the others wait; a process that died holding the lock delays them by its TTL at most. */
export async function migrate(redis: RedisClient, options: { pollMs?: number; lockTtlMs?: number } = {}) {
  const { pollMs = 200, lockTtlMs = 60_000 } = options;
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
        await MIGRATIONS[step]!(redis);
        await runScript(
          redis,
          'meta/raise-version',
          [keys.schemaVersion()],
          [step + 1],
          z.object({ version: z.number() }),
        );
      }
    } finally {
      await runScript(redis, 'meta/unlock', [keys.schemaLock()], [token], z.object({ released: z.boolean() }));
    }
  }
}

async function version(redis: RedisClient) {
  return Number((await redis.get(keys.schemaVersion())) ?? 0);
}

async function stageToSortedSet(redis: RedisClient) {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:*:stage`))
    await runScript(redis, 'migrations/stage-to-zset', [key], [], Migrated);
}

async function dropVoicePresence(redis: RedisClient) {
  for (const key of await scanKeys(redis, `${PREFIX}:voice:{*}`)) await redis.del(key);
}

async function livePointerToHash(redis: RedisClient) {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:current`)) {
    if ((await redis.type(key)) !== 'string') continue;
    const id = await redis.get(key);
    if (!id) continue;
    await runScript(redis, 'migrations/live-pointer', [key, key.replace(/:current$/, `:${id}`)], [id], Migrated);
  }
}

/** Recaps saved before the web archive get their index entry (names come with their next recap post). */
async function indexArchive(redis: RedisClient) {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:*:recap`)) {
    const match = /^lectern:\{([^}]+)\}:session:([^:]+):recap$/.exec(key);
    const raw = match && (await redis.get(key));
    if (!match || !raw) continue;
    const [, guildId, sessionId] = match as unknown as [string, string, string];
    await redis.hsetnx(keys.archiveIndex(guildId), sessionId, JSON.stringify(summarize(JSON.parse(raw) as Recap)));
    // A web server already running (another process) drops its cached pages of this server.
    await redis.incr(keys.archiveVersion(guildId));
  }
}

async function rankQuestions(redis: RedisClient) {
  for (const key of await scanKeys(redis, `${PREFIX}:{*}:session:*:questions`)) {
    const match = /^lectern:\{([^}]+)\}:session:([^:]+):questions$/.exec(key);
    if (!match) continue;
    const [, guildId, sessionId] = match as unknown as [string, string, string];
    if ((await redis.exists(keys.ranked(guildId, sessionId, 'all'))) === 1) continue;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (!(await rankSession(redis, guildId, sessionId)).changed) break;
    }
  }
}

async function rankSession(redis: RedisClient, guildId: string, sessionId: string) {
  const session = sessionKeys(guildId, sessionId);
  const ids = await redis.zrange(session.questions, '0', '-1');
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hmget(keys.question(guildId, id), 'askedAt', 'text');
  const rows = ((await pipeline.exec()) ?? []).map(([, row]) => row as [string | null, string | null]);
  return runScript(
    redis,
    'migrations/questions',
    [
      session.questions,
      `${session.session}:open`,
      `${session.session}:votes`,
      ...RANKED_STATUSES.map(session.rank),
      session.openTexts,
      ...ids.map((id) => keys.question(guildId, id)),
    ],
    ids.flatMap((id, i) => [id, rankMember(Number(rows[i]![0] ?? 0), id), (rows[i]![1] ?? '').toLowerCase()]),
    Migrated,
  );
}
