import { Client, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { Config } from '../config.js';

export function createClient(config: Config, overrides: Partial<ClientOptions> = {}) {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates, GatewayIntentBits.GuildScheduledEvents],
    allowedMentions: { parse: [], repliedUser: false },
    ...(config.LECTERN_SHARDS && { shards: config.LECTERN_SHARDS.shards, shardCount: config.LECTERN_SHARDS.count }),
    ...overrides,
    rest: {
      api: config.DISCORD_API_URL,
      globalRequestsPerSecond: config.DISCORD_GLOBAL_REQUESTS_PER_SECOND,
      ...overrides.rest,
    },
  });
}
