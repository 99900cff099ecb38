import { Events, type Client, type Guild } from 'discord.js';
import type { Logger } from '../logger.js';
import type { VoicePresenceStore } from '../store/voice-presence-store.js';

/**
 * Keeps the Redis mirror of who is in which voice channel (VoicePresenceStore)
 * in step with this gateway's cache. Single changes come from voice state
 * updates (onVoiceStateUpdate); the whole guild is written again whenever
 * Discord sends it whole: at start-up, after a new gateway session (updates
 * may have been missed in between), and when the bot joins a guild.
 */
export class VoicePresenceMirror {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    client: Client,
    private readonly store: VoicePresenceStore,
    private readonly logger: Logger,
  ) {
    // Each (re)connection marks the shard's guilds unavailable until their GUILD_CREATE, with every voice
    // state, arrives: discord.js then says guildAvailable. A guild joined later says guildCreate.
    client.on(Events.GuildAvailable, (guild) => this.sync(guild));
    client.on(Events.GuildCreate, (guild) => this.sync(guild));
  }

  /** Writes the guild's voice channels as this process's cache holds them now. */
  private sync(guild: Guild): void {
    const members: Array<[string, string]> = [];
    for (const state of guild.voiceStates.cache.values())
      if (state.channelId) members.push([state.id, state.channelId]);
    this.track(this.store.replace(guild.id, members), guild.id);
  }

  /** Resolves once every write started so far has been made (or has failed and been logged). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(write: Promise<void>, guildId: string): void {
    const done = write.catch((err: unknown) => this.logger.warn({ err, guildId }, 'voice presence not mirrored'));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }
}
