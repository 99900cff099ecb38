import { Queue, type Job } from 'bullmq';
import type { ClientOptions } from 'discord.js';
import { inject } from 'vitest';
import { startLectern, type Lectern } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { jobPayloads, type JobName } from '../../src/jobs/contract.js';
import { jobPrefix, QUEUE } from '../../src/jobs/job-queue.js';
import { createWorkerRedis, type RedisClient, type RedisTarget } from '../../src/store/redis.js';
import { createLogger } from '../../src/logger.js';
import { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import { paperClub, paperClubSpec } from './guild.js';
import { clusterEnv } from './redis-cluster.js';
import { PrivateRedis } from './redis-server.js';

/** discord.js options for tests only: no identify throttle wait (REST keeps Discord's own global limit). */
export const testClientOptions: Partial<ClientOptions> = {
  ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
  waitGuildTimeout: 200,
};

export function botEnv(emu: Emulator, redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: emu.token,
    DISCORD_APPLICATION_ID: emu.applicationId,
    DISCORD_API_URL: emu.apiUrl,
    REDIS_URL: redisUrl,
    ...clusterEnv(redisUrl),
    LOG_LEVEL: process.env.LECTERN_TEST_LOG_LEVEL ?? 'silent',
    // Any free port: test files run side by side, each bot with its own web server.
    LECTERN_WEB_PORT: '0',
    ...extra,
  };
}

export interface Harness {
  emu: Emulator;
  guild: WorldGuild;
  config: Config;
  bot: Lectern;
  /** The bot's jobs as BullMQ sees them: `await h.jobs.done()` waits for what is under way. */
  jobs: JobWatch;
  /**
   * Starts another bot process-equivalent (in this process) against the same emulator and Redis; `whileDown`
   * runs in between.
   */
  restartBot(whileDown?: () => void | Promise<void>): Promise<Lectern>;
  stop(): Promise<void>;
}

/** The emulator with the seed's guild, and the real bot logged in to it. */
export interface HarnessOptions {
  redisUrl?: string;
  guild?: (emu: Emulator) => WorldGuild;
  /** Where the bot fetches paper metadata (a MetadataServer); unset, sources are unreachable. */
  metadataBaseUrl?: string;
  /** The bot's clock; tests set it to replay a session at its real wall-clock times. */
  clock?: () => number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Discord's "now" is the bot's: a test that moves the clock moves both.
  const emu = await new Emulator(options.clock ? { now: options.clock } : {}).start();
  const guild = (options.guild ?? paperClub)(emu);
  const extra: Record<string, string> = {
    LECTERN_ARXIV_INTERVAL_MS: '20',
    ...(options.metadataBaseUrl ? { LECTERN_METADATA_BASE_URL: options.metadataBaseUrl } : {}),
  };
  const config = loadConfig(botEnv(emu, options.redisUrl ?? inject('redisUrl'), extra));
  const logger = createLogger(config.LOG_LEVEL);
  const start = () =>
    startLectern({
      config,
      logger,
      clientOptions: testClientOptions,
      ...(options.clock ? { clock: options.clock, realignDelayedJobs: true } : {}),
    });
  const harness: Harness = {
    emu,
    guild,
    config,
    bot: await start(),
    jobs: new JobWatch(config, config.DISCORD_APPLICATION_ID),
    async restartBot(whileDown) {
      await harness.bot.stop();
      await whileDown?.();
      harness.bot = await start();
      return harness.bot;
    },
    async stop() {
      await harness.bot.stop();
      await harness.jobs.close();
      await emu.stop();
    },
  };
  return harness;
}

/** A harness on a Redis of its own (stopped with it), in the seed's guild with `crowd` as extra members. */
export async function startPrivateHarness(crowd: readonly string[] = []): Promise<Harness> {
  const redis = await PrivateRedis.start();
  const h = await startHarness({
    redisUrl: redis.url,
    guild: (emu) => paperClub(emu, { members: [...paperClubSpec().members!, ...crowd.map((name) => ({ name }))] }),
  });
  const stop = h.stop.bind(h);
  h.stop = async () => {
    await stop();
    await redis.stop();
  };
  return h;
}

/** The URL of a private Redis a test started, with its cluster nodes when it is a cluster. */
function clusterTarget(url: string): RedisTarget {
  const seeds = clusterEnv(url).REDIS_CLUSTER_NODES;
  if (!seeds) return url;
  const nodes = seeds.split(',').map((seed) => {
    const [host = '', port = ''] = seed.split(/:(?=\d+$)/);
    return { host, port: Number(port) };
  });
  return { REDIS_URL: url, REDIS_CLUSTER_NODES: nodes };
}

/** Jobs that interactions and other jobs set off: coalesced edits and retries wait seconds, never days. */
export const FOLLOW_UP_JOBS: readonly JobName[] = (Object.keys(jobPayloads) as JobName[]).filter(
  (name) => !name.startsWith('schedule.'),
);

/** BullMQ's view of a bot's jobs (the queue named in src/jobs/job-queue.ts): tests wait on it and take no job. */
export class JobWatch {
  readonly queue: Queue;
  private readonly connection: RedisClient;

  /** `redis`: a bot's configuration, or the URL of a private Redis (or cluster) a test started. */
  constructor(redis: RedisTarget, applicationId: string) {
    this.connection = createWorkerRedis(typeof redis === 'string' ? clusterTarget(redis) : redis, {
      name: 'lectern-test-watch',
    });
    // Tests that stop Redis on purpose would log its reconnects; a wait on jobs still fails with the error.
    this.connection.on('error', () => {});
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: jobPrefix(applicationId) });
    this.queue.on('error', () => {});
  }

  /**
   * Waits until no job is waiting or running and none named in `delayed` waits out a short delay (a coalesced
   * board edit, a retry's backoff): what has been set in motion is done. Jobs planned a minute or more ahead (the
   * schedule's, days ahead; a Stage topic waiting for its 10-minute window) are left out.
   */
  async done({
    delayed = FOLLOW_UP_JOBS,
    timeoutMs = 60_000,
  }: { delayed?: readonly JobName[]; timeoutMs?: number } = {}): Promise<void> {
    const counts = async () => {
      const { waiting, prioritized, active, ...finished } = await this.queue.getJobCounts(
        'waiting',
        'prioritized',
        'active',
        'completed',
        'failed',
      );
      return { running: waiting! + prioritized! + active!, finished: JSON.stringify(finished) };
    };
    await eventually(
      async () => {
        const before = await counts();
        if (before.running > 0) return false;
        const soon = (job: Job) => job.timestamp + (job.opts.delay ?? 0) < Date.now() + 60_000;
        const pending = await this.queue.getDelayed();
        if (pending.some((job) => delayed.includes(job.name as JobName) && soon(job))) return false;
        // A delayed job that came due between the two reads shows up here, running or finished.
        const after = await counts();
        return after.running === 0 && after.finished === before.finished;
      },
      timeoutMs,
      'the jobs under way to finish',
    );
  }

  /** The queue does not close a connection it was given. */
  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}

/** Polls `check` until it holds; a slow machine makes the wait longer, and only the deadline makes it fail. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
