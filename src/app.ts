import {
  Events,
  GatewayDispatchEvents,
  REST,
  type Client,
  type ClientOptions,
  type GatewayThreadDeleteDispatchData,
} from 'discord.js';
import type { Config } from './config.js';
import { createClient } from './discord/client.js';
import { DiscordMessages } from './discord/messages.js';
import { threadGoneNote } from './discord/render/paper.js';
import { DiscordScheduledEvents } from './discord/scheduled-events.js';
import { DiscordChannels } from './discord/threads.js';
import { onScheduledEventUpdate } from './discord/scheduled-event-updates.js';
import { jobHandlers } from './jobs/handlers/index.js';
import { JobQueue } from './jobs/job-queue.js';
import { MetadataService } from './papers/metadata-service.js';
import { PaperService } from './papers/paper-service.js';
import { PollService } from './papers/poll-service.js';
import { PollStore } from './store/poll-store.js';
import { PaperStore } from './store/paper-store.js';
import { loadCommands } from './discord/command-loader.js';
import { registerCommands } from './discord/register-commands.js';
import { InteractionRouter } from './discord/router.js';
import { onVoiceStateUpdate } from './discord/voice-events.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';
import { RateLimitStore } from './store/rate-limit-store.js';
import { migrate } from './store/migrations.js';
import { connectRedis, createWorkerRedis, persistsToDisk } from './store/redis.js';
import type { Stores } from './store/stores.js';
import { QuestionService } from './sessions/question-service.js';
import { RecapService } from './sessions/recap-service.js';
import { SpeakerService } from './sessions/speaker-service.js';
import { SettingsService } from './settings/settings-service.js';
import { QuestionStore } from './store/question-store.js';
import { SessionStore } from './store/session-store.js';
import { SpeakerStore } from './store/speaker-store.js';
import { LiveService } from './sessions/live-service.js';
import { ScheduleService } from './schedule/schedule-service.js';
import { ScheduleStore } from './store/schedule-store.js';
import { SettingsStore } from './store/settings-store.js';
import { VoiceService } from './voice/voice-service.js';
import { ArchiveService } from './archive/archive-service.js';
import { ArchiveStore } from './store/archive-store.js';
import { startWebServer, type WebServer } from './web/server.js';
import { PrivacyService } from './privacy/privacy-service.js';
import { PrivacyStore } from './store/privacy-store.js';
import { TranscriptStore } from './store/transcript-store.js';
import { TranscriptService } from './transcript/transcript-service.js';
import { ChatModel, SpeechToText } from './transcript/providers.js';

interface LecternOptions {
  config: Config;
  logger: Logger;
  clock?: () => number;
  clientOptions?: Partial<ClientOptions>;
  commandsDir?: string;
  /** Only a compressed clock (demo, tests) needs BullMQ's absolute due times re-timed at start. */
  realignDelayedJobs?: boolean;
}

interface LecternInternals extends Stores {
  jobs: JobQueue;
}

export interface Lectern {
  services: Services;
  internals: LecternInternals;
  client: Client | undefined;
  /** The archive's web server (roles `all` and `web`). */
  web: WebServer | undefined;
  stop(): Promise<void>;
}

export async function startLectern({
  config,
  logger,
  clientOptions,
  commandsDir,
  clock = Date.now,
  realignDelayedJobs = false,
}: LecternOptions): Promise<Lectern> {
  const commands = await loadCommands(commandsDir);
  const name = `lectern-${config.LECTERN_ROLE}-${process.pid}`;
  const redis = await connectRedis(config, { name, autoPipelining: true });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  // BullMQ's own connection: BullMQ is not tested with auto-pipelining.
  const jobsRedis = await connectRedis(config, { name: `${name}-jobs` }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  jobsRedis.on('error', (err) => logger.warn({ err }, 'redis connection error (jobs)'));
  const schema = await migrate(redis);
  if (schema.from !== schema.to) logger.info(schema, 'stored data migrated');
  const jobs = new JobQueue(
    jobsRedis,
    () => createWorkerRedis(config, { name: `${name}-worker` }),
    config.DISCORD_APPLICATION_ID,
    logger,
    clock,
    {
      stt: {
        concurrency: config.LECTERN_STT_CONCURRENCY,
        attempts: config.LECTERN_STT_ATTEMPTS,
        backoffMs: config.LECTERN_STT_BACKOFF_MS,
      },
    },
  );
  const papers = new PaperStore(redis);
  const metadata = new MetadataService(redis, {
    overrideBaseUrl: config.LECTERN_METADATA_BASE_URL,
    arxivIntervalMs: config.LECTERN_ARXIV_INTERVAL_MS,
  });
  const settings = new SettingsStore(redis);
  const sessions = new SessionStore(redis);
  const speakers = new SpeakerStore(redis);
  const questions = new QuestionStore(redis);
  const schedules = new ScheduleStore(redis);
  const rateLimits = new RateLimitStore(redis);
  const archive = new ArchiveStore(redis);
  // Audio waiting for its text, on a Redis that writes nothing to disk when one is given.
  const audioRedis = config.LECTERN_AUDIO_REDIS_URL
    ? await connectRedis(config.LECTERN_AUDIO_REDIS_URL, { name: `${name}-audio` })
    : undefined;
  audioRedis?.on('error', (err) => logger.warn({ err }, 'redis connection error (audio)'));
  const transcripts = new TranscriptStore(redis, audioRedis);
  // Audio is never written to disk: a Redis that would is refused for it (one that hides its settings is warned of).
  const holdsAudio = config.LECTERN_STT_URL !== undefined && config.LECTERN_ROLE !== 'web';
  const audioOnDisk = holdsAudio ? await persistsToDisk(audioRedis ?? redis) : false;
  if (audioOnDisk === true) {
    for (const connection of [redis, jobsRedis, audioRedis]) connection?.disconnect();
    throw new Error(
      `LECTERN_STT_URL is set, but the Redis that would hold audio waiting for its text (${
        audioRedis ? 'LECTERN_AUDIO_REDIS_URL' : 'REDIS_URL'
      }) writes to disk (RDB or AOF): set LECTERN_AUDIO_REDIS_URL to a Redis started with --save '' --appendonly no ` +
        '(docker-compose.yml has one, "audio")',
    );
  }
  if (audioOnDisk === undefined)
    logger.warn('the transcript is on and the Redis holding audio does not say whether it writes to disk (CONFIG)');
  const internals = { redis, sessions, speakers, questions, papers, settings, schedules, archive, transcripts, jobs };
  const stt =
    config.LECTERN_STT_URL === undefined
      ? undefined
      : new SpeechToText({
          url: config.LECTERN_STT_URL,
          model: config.LECTERN_STT_MODEL,
          apiKey: config.LECTERN_STT_API_KEY,
          language: config.LECTERN_STT_LANGUAGE,
          timeoutMs: config.LECTERN_STT_TIMEOUT_MS,
        });
  const chat =
    config.LECTERN_LLM_URL === undefined
      ? undefined
      : new ChatModel({
          url: config.LECTERN_LLM_URL,
          model: config.LECTERN_LLM_MODEL,
          apiKey: config.LECTERN_LLM_API_KEY,
          timeoutMs: config.LECTERN_LLM_TIMEOUT_MS,
        });
  const serves = config.LECTERN_ROLE === 'all' || config.LECTERN_ROLE === 'web';
  let web: WebServer | undefined;
  const archiveService = new ArchiveService(
    archive,
    sessions,
    settings,
    () => config.LECTERN_PUBLIC_URL ?? web?.url ?? `http://${config.LECTERN_WEB_HOST}:${config.LECTERN_WEB_PORT}`,
  );
  const schedule = new ScheduleService(schedules, settings, jobs, clock, logger);
  const live = new LiveService(sessions, papers, jobs, schedule);
  const polls = new PollService(papers, new PollStore(redis), jobs, schedule);
  const services: Services = {
    logger,
    settings: new SettingsService(settings, redis),
    rateLimits: {
      take: (guildId, userId, bucket, { limit, windowSeconds }) =>
        rateLimits.hit(rateLimits.key(guildId, userId, bucket), limit, windowSeconds * 1000),
    },
    live,
    speakers: new SpeakerService(speakers, jobs),
    questions: new QuestionService(questions, jobs),
    papers: new PaperService(papers, jobs, metadata, schedule),
    polls,
    recaps: new RecapService(sessions, jobs),
    archive: archiveService,
    schedule,
    privacy: new PrivacyService(
      new PrivacyStore(redis, questions, papers, archive, transcripts),
      jobs,
      schedule,
      clock,
    ),
    transcripts: new TranscriptService(transcripts, sessions, settings, stt !== undefined),
    now: clock,
  };

  let client: Client | undefined;
  let router: InteractionRouter | undefined;
  if (serves)
    web = await startWebServer({
      archive: archiveService,
      redis,
      logger,
      host: config.LECTERN_WEB_HOST,
      port: config.LECTERN_WEB_PORT,
    });
  if (serves) logger.info({ url: web?.url }, 'web archive listening');
  const token = config.DISCORD_TOKEN ?? '';
  if (config.LECTERN_ROLE === 'all' || config.LECTERN_ROLE === 'gateway') {
    client = createClient(config, clientOptions);
    services.voice = new VoiceService(
      client,
      { redis, settings, sessions, papers, transcripts, jobs, speechToText: stt !== undefined, now: clock },
      logger,
    );
    services.transcripts.voice = services.voice;
    const activeRouter = (router = new InteractionRouter(commands, services));
    client.on(Events.InteractionCreate, (interaction) => activeRouter.handle(interaction));
    client.on(Events.VoiceStateUpdate, (before, after) => {
      onVoiceStateUpdate(services, before, after).catch((err: unknown) =>
        logger.warn({ err }, 'voice state update not recorded'),
      );
    });
    client.on(Events.GuildScheduledEventUpdate, (before, after) => {
      onScheduledEventUpdate(services, schedules, before, after).catch((err: unknown) =>
        logger.warn({ err }, 'scheduled event update not handled'),
      );
    });
    // The raw event: discord.js emits ThreadDelete only for threads it has cached, and an archived one is not.
    client.ws.on(GatewayDispatchEvents.ThreadDelete, (thread: GatewayThreadDeleteDispatchData) => {
      services.papers
        .threadDeleted(thread.guild_id, thread.id, threadGoneNote)
        .catch((err: unknown) => logger.warn({ err }, 'thread deletion not handled'));
    });
    client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
    const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
    await client.login(token);
    await ready;
    await registerCommands({
      rest: client.rest,
      redis,
      logger,
      applicationId: config.DISCORD_APPLICATION_ID,
      guildId: config.DISCORD_DEV_GUILD_ID,
      commands: commands.values(),
    });
    await services.voice.restoreNicknames();
    logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'gateway ready');
  }
  if (config.LECTERN_ROLE === 'all' || config.LECTERN_ROLE === 'worker') {
    // Its own REST even beside the gateway: discord.js counts interaction callbacks (which Discord exempts) in its
    // global limit, so a wave of job posts sharing the client's would hold every reply back for its whole length.
    const rest = new REST({
      api: config.DISCORD_API_URL,
      globalRequestsPerSecond: config.DISCORD_GLOBAL_REQUESTS_PER_SECOND,
      ...clientOptions?.rest,
    }).setToken(token);
    await jobs.startWorker(
      jobHandlers({
        ...internals,
        metadata,
        logger,
        schedule,
        polls,
        live,
        archiveLinks: archiveService,
        stt,
        chat,
        summaryContextChars: config.LECTERN_LLM_CONTEXT_CHARS,
        now: clock,
        messages: new DiscordMessages(rest),
        channels: new DiscordChannels(rest),
        events: new DiscordScheduledEvents(rest),
      }),
    );
    const due = realignDelayedJobs ? await jobs.realign(clock()) : 0;
    logger.info({ due }, 'worker ready');
  }

  return {
    services,
    internals,
    client,
    web,
    async stop() {
      await router?.drain(4_000);
      await web?.close();
      await services.voice?.stopAll();
      await jobs.close();
      await client?.destroy();
      await Promise.all(
        [redis, jobsRedis, ...(audioRedis ? [audioRedis] : [])].map((connection) =>
          connection.quit().catch(() => connection.disconnect()),
        ),
      );
    },
  };
}
