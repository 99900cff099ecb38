import { createHash } from 'node:crypto';
import { Routes, type REST } from 'discord.js';
import type { RedisClient } from '../store/redis.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import type { AnyCommand } from './command.js';

interface RegisterOptions {
  rest: REST;
  redis: RedisClient;
  logger: Logger;
  applicationId: string;
  guildId?: string | undefined;
  commands: Iterable<AnyCommand>;
  force?: boolean;
}

// Skipped when unchanged: Discord limits command creations per day.
export async function registerCommands({
  rest,
  redis,
  logger,
  applicationId,
  guildId,
  commands,
  force,
}: RegisterOptions): Promise<'registered' | 'unchanged'> {
  const body = [...commands]
    .map((command) => command.data)
    .sort((a, b) => a.name.localeCompare(b.name) || (a.type ?? 1) - (b.type ?? 1));
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const scope = guildId ? `guild:${guildId}` : 'global';
  const key = keys.commandsHash(applicationId, scope);
  if (!force && (await redis.get(key)) === hash) {
    logger.info({ scope }, 'commands unchanged; not registering');
    return 'unchanged';
  }
  await rest.put(
    guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId),
    { body },
  );
  await redis.set(key, hash);
  logger.info({ scope, count: body.length }, 'commands registered');
  return 'registered';
}
