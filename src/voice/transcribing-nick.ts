import type { Client, Guild, GuildMember } from 'discord.js';
import type { Logger } from '../logger.js';
import type { TranscriptStore } from '../store/transcript-store.js';

/** Discord's limit on a nickname. */
const MAX_NICK = 32;
const MARK = '🔴';

/**
 * While it transcribes, the bot's nickname says so (as recording bots do). The nickname it had before is kept in
 * the session's transcript state, so it is restored after the session, and after a restart in the middle of one.
 */
export class TranscribingNick {
  /** Changes run one after another per guild: a restore never overtakes the change it undoes. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: Client,
    private readonly transcripts: TranscriptStore,
    private readonly logger: Logger,
  ) {}

  /** Best effort: without Change Nickname, the notice in the channel and /session status still say it. */
  show(guildId: string, sessionId: string) {
    return this.change(guildId, async (me) => {
      const nick = `${MARK} ${me.user.displayName} (transcribing)`;
      // A restart while transcribing leaves the mark on: never keep it as the nickname to go back to.
      const before = me.nickname?.startsWith(MARK) ? '' : (me.nickname ?? '');
      await this.transcripts.rememberNick(guildId, sessionId, before);
      await me.setNickname([...nick].length <= MAX_NICK ? nick : `${MARK} transcribing`);
    });
  }

  /** Back to the nickname before, if this session changed it. */
  restore(guildId: string, sessionId: string) {
    return this.change(guildId, async (me) => {
      const { nickBefore } = await this.transcripts.state(guildId, sessionId);
      if (nickBefore !== undefined) await me.setNickname(nickBefore === '' ? null : nickBefore);
    });
  }

  /** At start: no session is transcribed by this new process yet, so a mark left by the last one goes. */
  async restoreAll(lastSession: (guild: Guild) => Promise<string | undefined>) {
    for (const guild of this.client.guilds.cache.values()) {
      if (!guild.members.me?.nickname?.startsWith(MARK)) continue;
      const sessionId = await lastSession(guild).catch(() => undefined);
      const { nickBefore } = sessionId ? await this.transcripts.state(guild.id, sessionId) : {};
      await this.change(guild.id, (me) => me.setNickname(nickBefore ? nickBefore : null));
    }
  }

  private change(guildId: string, work: (me: GuildMember) => Promise<unknown>) {
    const me = this.client.guilds.cache.get(guildId)?.members.me;
    if (!me) return Promise.resolve();
    const next = (this.chains.get(guildId) ?? Promise.resolve())
      .then(() => work(me))
      .catch((err: unknown) => this.logger.info({ err, guildId }, 'nickname not changed'));
    this.chains.set(guildId, next);
    void next.then(() => {
      if (this.chains.get(guildId) === next) this.chains.delete(guildId);
    });
    return next;
  }
}
