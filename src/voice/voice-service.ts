import { entersState, joinVoiceChannel, VoiceConnectionStatus, type VoiceConnection } from '@discordjs/voice';
import { ChannelType, PermissionFlagsBits, type Client, type Guild, type VoiceBasedChannel } from 'discord.js';
import { SpeakingTracker } from '../domain/voice/speaking.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { claimPost } from '../store/claims.js';
import type { Stores } from '../store/stores.js';

const READY_TIMEOUT_MS = 10_000;
const REJOIN_ATTEMPTS = 5;
const FLUSH_INTERVAL_MS = 1_000;

interface Listening {
  sessionId: string;
  channelId: string;
  connection: VoiceConnection;
  tracker: SpeakingTracker;
  timer: NodeJS.Timeout;
  stopping: boolean;
}

interface VoiceDeps extends Pick<Stores, 'redis' | 'settings' | 'sessions'> {
  jobs: JobQueue;
  now(): number;
}

/** Notes who speaks when (speaking start/end, never audio). */
export class VoiceService {
  private readonly listening = new Map<string, Listening>();

  constructor(
    private readonly client: Client,
    private readonly deps: VoiceDeps,
    private readonly logger: Logger,
  ) {}

  /** Returns what to tell the host in the /session start reply, if anything; joins in the background. */
  async start(guildId: string, sessionId: string) {
    const settings = await this.deps.settings.get(guildId);
    if (!settings.voiceEnabled || !settings.stageChannelId || this.listening.has(guildId)) return undefined;
    const guild = this.client.guilds.cache.get(guildId);
    const channel = guild?.channels.cache.get(settings.stageChannelId);
    if (!guild || !channel?.isVoiceBased())
      return this.unavailable(guildId, sessionId, 'the session channel is gone; run /setup channels', false);
    const missing = await this.missingPermissions(guild, channel);
    if (missing.length > 0)
      return this.unavailable(guildId, sessionId, `I lack ${missing.join(', ')} in <#${channel.id}>`, false);
    void this.join(guild, channel, sessionId).catch((err: unknown) =>
      this.logger.warn({ err, guildId }, 'voice join failed'),
    );
    return undefined;
  }

  async stop(guildId: string, at: number) {
    const state = this.listening.get(guildId);
    if (!state || state.stopping) return;
    state.stopping = true;
    clearInterval(state.timer);
    state.tracker.finish(at);
    try {
      await this.flush(guildId, state);
    } finally {
      this.listening.delete(guildId);
      state.connection.destroy();
    }
  }

  async stopAll() {
    await Promise.all([...this.listening.keys()].map((guildId) => this.stop(guildId, this.deps.now())));
  }

  private async missingPermissions(guild: Guild, channel: VoiceBasedChannel) {
    const me = guild.members.me ?? (await guild.members.fetchMe());
    const permissions = channel.permissionsFor(me);
    const needed: Array<[bigint, string]> = [
      [PermissionFlagsBits.ViewChannel, 'View Channel'],
      [PermissionFlagsBits.Connect, 'Connect'],
    ];
    if (channel.type === ChannelType.GuildStageVoice)
      needed.push(
        [PermissionFlagsBits.RequestToSpeak, 'Request to Speak'],
        [PermissionFlagsBits.MuteMembers, 'Mute Members'],
      );
    else needed.push([PermissionFlagsBits.Speak, 'Speak']);
    return needed.filter(([flag]) => !permissions.has(flag)).map(([, name]) => name);
  }

  private async join(guild: Guild, channel: VoiceBasedChannel, sessionId: string) {
    const connection = joinVoiceChannel({
      guildId: guild.id,
      channelId: channel.id,
      adapterCreator: guild.voiceAdapterCreator,
      // Deaf bots hear nothing; muted, since it never talks.
      selfDeaf: false,
      selfMute: true,
    });
    const state: Listening = {
      sessionId,
      channelId: channel.id,
      connection,
      tracker: new SpeakingTracker(),
      stopping: false,
      timer: setInterval(() => void this.tick(guild.id), FLUSH_INTERVAL_MS),
    };
    this.listening.set(guild.id, state);
    connection.on('error', (err) => this.logger.warn({ err, guildId: guild.id }, 'voice connection error'));
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, READY_TIMEOUT_MS);
    } catch {
      await this.giveUp(guild.id, state, 'the voice connection could not be set up');
      return;
    }
    connection.receiver.speaking.on('start', (userId) => state.tracker.start(userId, this.deps.now()));
    connection.receiver.speaking.on('end', (userId) => state.tracker.end(userId, this.deps.now()));
    connection.on('stateChange', (_before, after) => {
      if (state.stopping) return;
      if (after.status === VoiceConnectionStatus.Disconnected || after.status === VoiceConnectionStatus.Signalling)
        state.tracker.connectionLost(this.deps.now());
      if (after.status === VoiceConnectionStatus.Ready) state.tracker.connectionRestored(this.deps.now());
      if (after.status === VoiceConnectionStatus.Disconnected) void this.rejoin(guild.id, state);
    });
    await this.announce(guild.id, channel.id, sessionId);
    this.logger.info({ guildId: guild.id, channelId: channel.id }, 'listening in the session channel');
  }

  private async rejoin(guildId: string, state: Listening) {
    for (let attempt = 0; attempt < REJOIN_ATTEMPTS && !state.stopping; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000 * 2 ** attempt));
      if (state.stopping || state.connection.state.status === VoiceConnectionStatus.Ready) return;
      if (state.connection.state.status === VoiceConnectionStatus.Disconnected) state.connection.rejoin();
      try {
        await entersState(state.connection, VoiceConnectionStatus.Ready, 5_000);
        this.logger.info({ guildId, attempt }, 'voice connection back');
        return;
      } catch {
        this.logger.warn({ guildId, attempt }, 'voice rejoin failed');
      }
    }
    if (!state.stopping) await this.giveUp(guildId, state, 'the voice connection dropped and could not be restored');
  }

  private async tick(guildId: string) {
    const state = this.listening.get(guildId);
    if (!state || state.stopping) return;
    try {
      // The session may have been ended by another process or the auto-end.
      const current = await this.deps.sessions.current(guildId);
      if (current?.id !== state.sessionId || current.status !== 'live')
        return await this.stop(guildId, current?.endedAt ?? this.deps.now());
      state.tracker.tick(this.deps.now());
      await this.flush(guildId, state);
    } catch (err) {
      this.logger.warn({ err, guildId }, 'speaking segments not stored yet; retrying');
    }
  }

  /** A failed write keeps the segments for the next flush. */
  private async flush(guildId: string, state: Listening) {
    const heard = state.tracker.take();
    try {
      await this.deps.sessions.logVoice(guildId, state.sessionId, heard.segments, heard.gaps);
    } catch (err) {
      state.tracker.giveBack(heard);
      throw err;
    }
  }

  private async giveUp(guildId: string, state: Listening, reason: string) {
    state.stopping = true;
    clearInterval(state.timer);
    state.tracker.finish(this.deps.now());
    await this.flush(guildId, state).catch(() => {});
    this.listening.delete(guildId);
    state.connection.destroy();
    await this.unavailable(guildId, state.sessionId, reason);
  }

  /** After the /session start reply, the hosts are told in the session thread instead. */
  private async unavailable(guildId: string, sessionId: string, reason: string, postInThread = true) {
    const message =
      `I cannot note who speaks in this session: ${reason}. ` +
      'The session goes on; the recap will time speakers from their calls instead.';
    await this.deps.sessions.log(guildId, sessionId, { type: 'voice.unavailable', reason, at: this.deps.now() });
    if (postInThread)
      await this.deps.jobs.enqueue('thread.post', {
        guildId,
        sessionId,
        postId: `voice-${sessionId}`,
        content: message,
      });
    this.logger.warn({ guildId, reason }, 'voice unavailable for this session');
    return message;
  }

  /** Once per session, in the voice channel's own chat. */
  private async announce(guildId: string, channelId: string, sessionId: string) {
    if (!(await claimPost(this.deps.redis, guildId, `voice-hello:${sessionId}`, sessionId, 24 * 3600_000))) return;
    const channel = this.client.channels.cache.get(channelId);
    if (!channel?.isSendable()) return;
    await channel
      .send({
        content: 'I am here to note who speaks and when, for the recap. I record no audio.',
        allowedMentions: { parse: [] },
      })
      .catch((err: unknown) => this.logger.info({ err, guildId }, 'could not say hello in the session channel'));
  }
}
