import {
  DiscordAPIError,
  Routes,
  type APIMessage,
  type REST,
  type RESTPostAPIChannelMessageJSONBody,
} from 'discord.js';

const UNKNOWN_MESSAGE = 10008;

/** For job handlers: workers hold no gateway. */
const NAMES_PER_SECOND = 30;

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

  /**
   * At most NAMES_PER_SECOND lookups a second: a recap naming a hundred members would otherwise spend the bot's
   * whole global limit (50 requests a second) at once, and the posts queued behind it would wait.
   */
  async displayNames(guildId: string, userIds: Iterable<string>) {
    const names = new Map<string, string>();
    const ids = [...new Set(userIds)];
    for (let from = 0; from < ids.length; from += NAMES_PER_SECOND) {
      const second = new Promise((resolve) => setTimeout(resolve, from + NAMES_PER_SECOND < ids.length ? 1_000 : 0));
      await Promise.all(
        ids.slice(from, from + NAMES_PER_SECOND).map(async (id) => names.set(id, await this.name(guildId, id))),
      );
      await second;
    }
    return names;
  }

  private async name(guildId: string, id: string): Promise<string> {
    try {
      const member = (await this.rest.get(Routes.guildMember(guildId, id))) as {
        nick?: string | null;
        user?: { global_name?: string | null; username: string };
      };
      return member.nick ?? member.user?.global_name ?? member.user?.username ?? id;
    } catch {
      return `member ${id}`;
    }
  }

  async get(channelId: string, messageId: string) {
    return (await this.rest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
  }

  /** Ends a poll now; one that had ended already is fine. */
  async expirePoll(channelId: string, messageId: string) {
    try {
      await this.rest.post(Routes.expirePoll(channelId, messageId));
    } catch (error) {
      if (!(error instanceof DiscordAPIError && error.code === POLL_EXPIRED)) throw error;
    }
  }

  async edit(channelId: string, messageId: string, body: RESTPostAPIChannelMessageJSONBody) {
    const { nonce: _nonce, enforce_nonce: _enforce, ...editable } = body;
    await this.rest.patch(Routes.channelMessage(channelId, messageId), {
      body: { allowed_mentions: { parse: [] }, ...editable },
    });
  }
}

/** 520001: the poll had ended already. */
const POLL_EXPIRED = 520001;

export function isUnknownMessage(error: unknown) {
  return error instanceof DiscordAPIError && error.code === UNKNOWN_MESSAGE;
}
