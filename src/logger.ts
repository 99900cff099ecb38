import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'lectern' }, redact: ['token', '*.token', 'config.DISCORD_TOKEN'] });
}
