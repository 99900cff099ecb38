import { REST } from 'discord.js';
import { ConfigError, loadConfig } from './config.js';
import { loadCommands } from './discord/command-loader.js';
import { registerCommands } from './discord/register-commands.js';
import { createLogger } from './logger.js';
import { connectRedis } from './store/redis.js';

// Registers the commands now, whatever the stored hash says.
try {
  const config = loadConfig();
  const redis = await connectRedis(config);
  await registerCommands({
    rest: new REST({ api: config.DISCORD_API_URL }).setToken(config.DISCORD_TOKEN ?? ''),
    redis,
    logger: createLogger(config.LOG_LEVEL),
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_DEV_GUILD_ID,
    commands: (await loadCommands()).values(),
    force: true,
  });
  await redis.quit();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
