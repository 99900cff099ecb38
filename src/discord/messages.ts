import { DiscordAPIError, Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';

export const UNKNOWN_MESSAGE = 10008;

/**
 * Channel messages over REST, for job handlers (worker processes hold no
 * gateway). Mentions are off unless a body names them in allowed_mentions.
 */
export class DiscordMessages {
  constructor(private readonly rest: REST) {}

  async create(channelId: string, body: RESTPostAPIChannelMessageJSONBody): Promise<{ id: string }> {
    return (await this.rest.post(Routes.channelMessages(channelId), { body: { allowed_mentions: { parse: [] }, ...body } })) as { id: string };
  }

  async edit(channelId: string, messageId: string, body: RESTPostAPIChannelMessageJSONBody): Promise<void> {
    const { nonce: _nonce, enforce_nonce: _enforce, ...editable } = body;
    await this.rest.patch(Routes.channelMessage(channelId, messageId), { body: { allowed_mentions: { parse: [] }, ...editable } });
  }
}

export function isUnknownMessage(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === UNKNOWN_MESSAGE;
}
