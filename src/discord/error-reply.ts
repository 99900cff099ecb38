import { randomBytes } from 'node:crypto';
import { DiscordAPIError } from 'discord.js';
import { UserError } from '../domain/errors.js';
import type { Logger } from '../logger.js';

export function describeError(error: unknown, logger: Logger, context: Record<string, unknown>) {
  if (error instanceof UserError) return error.message;
  const errorId = randomBytes(4).toString('hex');
  if (error instanceof DiscordAPIError && error.code === 50013) {
    logger.warn({ err: error, errorId, ...context }, 'missing Discord permission');
    const route = `${error.method} ${error.url.replace(/^.*\/v\d+/, '')}`;
    return (
      `I am missing a Discord permission for that (${route}). Ask an admin to check my role. ` +
      `(error id \`${errorId}\`)`
    );
  }
  logger.error({ err: error, errorId, ...context }, 'interaction failed');
  return `Something went wrong on my side. If it keeps happening, give a host this error id: \`${errorId}\`.`;
}
