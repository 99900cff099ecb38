import { DiscordAPIError, Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';

const UNKNOWN_MESSAGE = 10008;

/** For job handlers: workers hold no gateway. */
export class DiscordMessages {
  constructor(private readonly rest: REST) {}

  async create(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody,
    files: Array<{ name: string; data: Buffer }> = [],
  ) {
    const attachments = files.map((f, id) => ({ id: String(id), filename: f.name }));
    return (await this.rest.post(Routes.channelMessages(channelId), {
      body: { allowed_mentions: { parse: [] }, ...body, ...(files.length > 0 && { attachments }) },
      files,
    })) as { id: string };
  }

  async displayNames(guildId: string, userIds: Iterable<string>) {
    const names = new Map<string, string>();
    await Promise.all(
      [...new Set(userIds)].map(async (id) => {
        try {
          const member = (await this.rest.get(Routes.guildMember(guildId, id))) as {
            nick?: string | null;
            user?: { global_name?: string | null; username: string };
          };
          names.set(id, member.nick ?? member.user?.global_name ?? member.user?.username ?? id);
        } catch {
          names.set(id, `member ${id}`);
        }
      }),
    );
    return names;
  }

  async edit(channelId: string, messageId: string, body: RESTPostAPIChannelMessageJSONBody) {
    const { nonce: _nonce, enforce_nonce: _enforce, ...editable } = body;
    await this.rest.patch(Routes.channelMessage(channelId, messageId), {
      body: { allowed_mentions: { parse: [] }, ...editable },
    });
  }
}

export function isUnknownMessage(error: unknown) {
  return error instanceof DiscordAPIError && error.code === UNKNOWN_MESSAGE;
}
