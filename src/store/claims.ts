import { z } from 'zod';
import { PREFIX } from './keys.js';
import type { RedisClient } from './redis.js';
import { luaList, runScript } from './scripts.js';

/** Under the guild's hash tag but outside its data, so never exported. */
export const claimKey = (guildId: string, what: string) => `${PREFIX}:claim:{${guildId}}:${what}`;

/** How long a claim keeps other jobs out when its run died before posting. */
export const CLAIM_TTL_MS = 60_000;

const Held = z.object({ held: luaList(z.boolean()) });

/** The same job id may claim again, so a rerun after a crash proceeds; another job waits until the claim lapses. */
export async function claimPost(
  redis: RedisClient,
  guildId: string,
  what: string,
  jobId: string,
  ttlMs = CLAIM_TTL_MS,
) {
  const { held } = await runScript(redis, 'claims/take', [claimKey(guildId, what)], [jobId, ttlMs], Held);
  return held[0] === true;
}
