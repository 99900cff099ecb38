import { entersState, joinVoiceChannel, VoiceConnectionStatus, type VoiceConnection } from '@discordjs/voice';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  PermissionFlagsBits,
  type Client,
  type Guild,
  type VoiceBasedChannel,
} from 'discord.js';
import { SpeakingTracker } from '../domain/voice/speaking.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { claimPost } from '../store/claims.js';
import type { Stores } from '../store/stores.js';
import type { TranscriptStore } from '../store/transcript-store.js';
import { Transcriber } from './transcriber.js';
import { TranscribingNick } from './transcribing-nick.js';

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
  /** While the session is transcribed: the members who opted in are heard. */
  transcriber?: Transcriber;
}

interface VoiceDeps extends Pick<Stores, 'redis' | 'settings' | 'sessions' | 'papers'> {
  jobs: JobQueue;
  transcripts: TranscriptStore;
  /** Whether a speech-to-text server is set up (LECTERN_STT_URL): without one, nothing is transcribed. */
  speechToText: boolean;
  now(): number;
}

/** The button on the notice: anyone in the server may press it to opt in. */
export const TRANSCRIPT_JOIN_BUTTON = 'transcript:join';
/**
 * The bot in the session channel: notes who speaks when (Discord's speaking signals), and, while the session is
 * transcribed, hears the members who opted in through the Transcriber (never anyone else's audio).
 */
export class VoiceService {
  private readonly listening = new Map<string, Listening>();
  private readonly nick: TranscribingNick;

  constructor(
    private readonly client: Client,
    private readonly deps: VoiceDeps,
    private readonly logger: Logger,
  ) {
    this.nick = new TranscribingNick(client, deps.transcripts, logger);
  }

  /** At start-up: a nickname left showing "transcribing" by a process that died goes back. */
  async restoreNicknames() {
    await this.nick.restoreAll(async (guild) => {
      const current = await this.deps.sessions.current(guild.id);
      return current?.id ?? (await this.deps.sessions.lastEnded(guild.id))?.id;
    });
  }

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
    const transcribe = settings.transcriptEnabled && this.deps.speechToText;
    void this.join(guild, channel, sessionId, transcribe).catch((err: unknown) =>
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
      await this.stopTranscriber(guildId, state);
      await this.flush(guildId, state);
    } finally {
      this.listening.delete(guildId);
      state.connection.destroy();
    }
  }

  /** /transcript stop: nobody is heard any more this session; what was said until now is still transcribed. */
  async stopTranscript(guildId: string) {
    const state = this.listening.get(guildId);
    if (state) await this.stopTranscriber(guildId, state);
  }

  /** /transcript join or leave: who is heard changes at once. */
  async transcriptMembersChanged(guildId: string) {
    await this.listening.get(guildId)?.transcriber?.refresh();
  }

  /** Everything heard is queued before the recap is told it may go on; the nickname goes back meanwhile. */
  private async stopTranscriber(guildId: string, state: Listening) {
    const transcriber = state.transcriber;
    if (!transcriber) return;
    delete state.transcriber;
    const restored = this.nick.restore(guildId, state.sessionId);
    await transcriber.stop();
    await this.deps.transcripts.close(guildId, state.sessionId, this.deps.now());
    await restored;
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

  private async join(guild: Guild, channel: VoiceBasedChannel, sessionId: string, transcribe: boolean) {
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
    if (transcribe)
      await this.startTranscriber(guild.id, state).catch((err: unknown) =>
        this.logger.warn({ err, guildId: guild.id }, 'transcript not started: the session goes on without it'),
      );
    connection.receiver.speaking.on('start', (userId) => {
      state.tracker.start(userId, this.deps.now());
      state.transcriber?.speakingStarted(userId);
    });
    connection.receiver.speaking.on('end', (userId) => state.tracker.end(userId, this.deps.now()));
    connection.on('stateChange', (_before, after) => {
      if (state.stopping) return;
      if (after.status === VoiceConnectionStatus.Disconnected || after.status === VoiceConnectionStatus.Signalling)
        state.tracker.connectionLost(this.deps.now());
      if (after.status === VoiceConnectionStatus.Ready) state.tracker.connectionRestored(this.deps.now());
      if (after.status === VoiceConnectionStatus.Disconnected) void this.rejoin(guild.id, state);
    });
    await this.announce(guild.id, channel.id, sessionId, state.transcriber !== undefined);
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
      // Joins and leaves made through another process (or the notice's button there) are picked up here.
      await state.transcriber?.refresh();
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
    await this.stopTranscriber(guildId, state).catch(() => {});
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

  private async startTranscriber(guildId: string, state: Listening) {
    const { transcripts, papers, jobs, now } = this.deps;
    const transcriber = new Transcriber(state.connection.receiver, guildId, state.sessionId, {
      transcripts,
      papers,
      jobs,
      now,
      logger: this.logger,
    });
    await transcripts.start(guildId, state.sessionId);
    // Stopped by a host already (/transcript stop while the bot was joining): nobody is heard.
    if ((await transcripts.state(guildId, state.sessionId)).stoppedAt !== undefined) return;
    await transcriber.refresh();
    state.transcriber = transcriber;
    // In the background: a nickname change held back by Discord's rate limits must not hold back the session.
    void this.nick.show(guildId, state.sessionId);
  }

  /** Once per session, in the voice channel's own chat. */
  private async announce(guildId: string, channelId: string, sessionId: string, transcribing: boolean) {
    if (!(await claimPost(this.deps.redis, guildId, `voice-hello:${sessionId}`, sessionId, 24 * 3600_000))) return;
    const channel = this.client.channels.cache.get(channelId);
    if (!channel?.isSendable()) return;
    const content = transcribing
      ? 'I am here to note who speaks and when, for the recap, and to **transcribe members who opted in**: only ' +
        'their words are heard, turned into text and kept with the recap (audio is never stored). ' +
        'To be transcribed, press the button or run `/transcript join`; `/transcript leave` stops it and removes ' +
        'your lines. Everyone else is not heard.'
      : 'I am here to note who speaks and when, for the recap. I record no audio.';
    const components = transcribing
      ? [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder()
              .setCustomId(TRANSCRIPT_JOIN_BUTTON)
              .setLabel('Transcribe me')
              .setStyle(ButtonStyle.Primary),
          ),
        ]
      : [];
    await channel
      .send({ content, components, allowedMentions: { parse: [] } })
      .catch((err: unknown) => this.logger.info({ err, guildId }, 'could not say hello in the session channel'));
  }
}
