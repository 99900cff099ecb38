import { createHash } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';
import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { isUnknownMessage, type DiscordMessages } from '../../discord/messages.js';
import { claimPost } from '../../store/claims.js';

export const nonceOf = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 25);

/** False if the message was deleted. */
export async function editIfExists(
  deps: { messages: DiscordMessages },
  { channelId, messageId }: { channelId: string; messageId: string },
  body: RESTPostAPIChannelMessageJSONBody,
) {
  try {
    await deps.messages.edit(channelId, messageId, body);
    return true;
  } catch (error) {
    if (!isUnknownMessage(error)) throw error;
    return false;
  }
}

/** Posts a message that must exist once: the claim keeps a second job out, the enforced nonce a rerun. */
export async function postOnce(
  deps: { redis: RedisClient; messages: DiscordMessages },
  guildId: string,
  what: string,
  jobId: string,
  channelId: string,
  body: RESTPostAPIChannelMessageJSONBody,
  files: Array<{ name: string; data: Buffer }> = [],
) {
  if (!(await claimPost(deps.redis, guildId, what, jobId))) throw new Error(`another run is posting ${what}`);
  return postClaimed(deps, guildId, what, channelId, body, files);
}

/** `postOnce` for a caller that already holds the claim on `what`. */
export function postClaimed(
  deps: { messages: DiscordMessages },
  guildId: string,
  what: string,
  channelId: string,
  body: RESTPostAPIChannelMessageJSONBody,
  files: Array<{ name: string; data: Buffer }> = [],
) {
  return deps.messages.create(channelId, { ...body, nonce: nonceOf(`${guildId}:${what}`), enforce_nonce: true }, files);
}
