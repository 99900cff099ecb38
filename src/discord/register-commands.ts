import { createHash } from 'node:crypto';
import { Routes, type REST } from 'discord.js';
import type { RedisClient } from '../store/redis.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import type { AnyCommand } from './command.js';

export interface RegisterOptions {
  rest: REST;
  redis: RedisClient;
  logger: Logger;
  applicationId: string;
  /** Register in this guild only (instant updates while developing); global otherwise. */
  guildId?: string | undefined;
  commands: Iterable<AnyCommand>;
  /** Overwrite even when the stored hash matches (npm run deploy-commands). */
  force?: boolean;
}

/**
 * Bulk-overwrites the application's commands when their definition changed
 * since the last registration (a hash kept in RedisClient), so restarts cost no
 * request and never hit Discord's daily command-creation limit.
 */
export async function registerCommands(options: RegisterOptions): Promise<'registered' | 'unchanged'> {
  const body = [...options.commands]
    .map((command) => command.data)
    .sort((a, b) => a.name.localeCompare(b.name) || (a.type ?? 1) - (b.type ?? 1));
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const scope = options.guildId ? `guild:${options.guildId}` : 'global';
  const key = keys.commandsHash(options.applicationId, scope);
  if (!options.force && (await options.redis.get(key)) === hash) {
    options.logger.info({ scope }, 'commands unchanged; not registering');
    return 'unchanged';
  }
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  await options.rest.put(route, { body });
  await options.redis.set(key, hash);
  options.logger.info({ scope, count: body.length }, 'commands registered');
  return 'registered';
}
