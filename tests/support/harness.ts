import type { ClientOptions } from 'discord.js';
import { inject } from 'vitest';
import { startLectern, type Lectern } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import { paperClub, paperClubSpec } from './guild.js';
import { PrivateRedis } from './redis-server.js';

/** discord.js options for tests only: no identify throttle wait, no global REST limit. */
export const testClientOptions: Partial<ClientOptions> = {
  rest: { globalRequestsPerSecond: 10_000 },
  ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) },
  waitGuildTimeout: 200,
};

export function botEnv(emu: Emulator, redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: emu.token,
    DISCORD_APPLICATION_ID: emu.applicationId,
    DISCORD_API_URL: emu.apiUrl,
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.LECTERN_TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  };
}

export interface Harness {
  emu: Emulator;
  guild: WorldGuild;
  config: Config;
  bot: Lectern;
  /** Starts another bot process-equivalent (in this process) against the same emulator and Redis; `whileDown` runs in between. */
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
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const harness: Harness = {
    emu,
    guild,
    config,
    bot: await start(),
    async restartBot(whileDown) {
      await harness.bot.stop();
      await whileDown?.();
      harness.bot = await start();
      return harness.bot;
    },
    async stop() {
      await harness.bot.stop();
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
