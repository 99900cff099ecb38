import { DiscordAPIError, Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';

export class DiscordChannels {
  constructor(private readonly rest: REST) {}

  /** Started already: the thread has the message's id. */
  async threadFromMessage(channelId: string, messageId: string, name: string) {
    try {
      const thread = (await this.rest.post(Routes.threads(channelId, messageId), {
        body: { name: name.slice(0, 100), auto_archive_duration: 1440 },
      })) as { id: string };
      return thread.id;
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === 160004) return messageId;
      throw error;
    }
  }

  /** A forum post (a thread whose first message is `message`); its id. */
  async forumPost(forumId: string, name: string, message: RESTPostAPIChannelMessageJSONBody, tagIds: string[]) {
    const thread = (await this.rest.post(Routes.threads(forumId), {
      body: { name: name.slice(0, 100), auto_archive_duration: 10080, applied_tags: tagIds, message },
    })) as { id: string };
    return thread.id;
  }

  /** Re-tags a forum post, unarchiving it (Discord refuses to edit an archived thread otherwise). */
  async setTags(threadId: string, tagIds: string[]) {
    await this.rest.patch(Routes.channel(threadId), { body: { archived: false, applied_tags: tagIds } });
  }

  /** `opened`: this session set a topic already, so the Stage is most likely open; the usual path meets no error. */
  async stageTopic(channelId: string, topic: string, opened: boolean) {
    const body = { topic: topic.slice(0, 120) || 'Paper reading' };
    const open = () =>
      this.rest.post(Routes.stageInstances(), { body: { channel_id: channelId, ...body, privacy_level: 2 } });
    const edit = () => this.rest.patch(Routes.stageInstance(channelId), { body });
    // 10067: no Stage instance (a host closed it); 150006: one is open already (a host opened it).
    await (opened ? orOnError(edit, 10067, open) : orOnError(open, 150006, edit));
  }

  async closeStage(channelId: string) {
    await this.rest.delete(Routes.stageInstance(channelId)).catch((error: unknown) => {
      if (!(error instanceof DiscordAPIError && error.code === 10067)) throw error;
    });
  }

  /** False when the member refuses DMs; the nonce makes a rerun send nothing twice. */
  async dm(userId: string, message: string | RESTPostAPIChannelMessageJSONBody, nonce?: string) {
    const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
    const body = typeof message === 'string' ? { content: message } : message;
    try {
      await this.rest.post(Routes.channelMessages(channel.id), {
        body: { ...body, allowed_mentions: { parse: [] }, ...(nonce && { nonce, enforce_nonce: true }) },
      });
      return true;
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === 50007) return false;
      throw error;
    }
  }
}

/** Runs `first`; if Discord answers with the error `code`, runs `instead`. */
async function orOnError(first: () => Promise<unknown>, code: number, instead: () => Promise<unknown>) {
  try {
    await first();
  } catch (error) {
    if (!(error instanceof DiscordAPIError && error.code === code)) throw error;
    await instead();
  }
}
