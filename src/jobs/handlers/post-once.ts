import { createHash } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';
import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { DiscordMessages } from '../../discord/messages.js';
import { claimPost } from '../../store/claims.js';

/**
 * Posts a message that must exist once: the claim keeps a second job out,
 * and Discord's nonce (enforced) makes a rerun of the same job after a crash
 * get the message it already posted instead of a new one.
 */
export async function postOnce(
  deps: { redis: RedisClient; messages: DiscordMessages },
  guildId: string,
  what: string,
  jobId: string,
  channelId: string,
  body: RESTPostAPIChannelMessageJSONBody,
  files: Array<{ name: string; data: Buffer }> = [],
): Promise<{ id: string }> {
  if (!(await claimPost(deps.redis, guildId, what, jobId))) throw new Error(`another run is posting ${what}`);
  return postClaimed(deps, guildId, what, channelId, body, files);
}

/** The post of `postOnce`, for a caller that already holds the claim on `what` (taken in a script with its reads). */
export function postClaimed(
  deps: { messages: DiscordMessages },
  guildId: string,
  what: string,
  channelId: string,
  body: RESTPostAPIChannelMessageJSONBody,
  files: Array<{ name: string; data: Buffer }> = [],
): Promise<{ id: string }> {
  const nonce = createHash('sha256').update(`${guildId}:${what}`).digest('base64url').slice(0, 25);
  return deps.messages.create(channelId, { ...body, nonce, enforce_nonce: true }, files);
}
