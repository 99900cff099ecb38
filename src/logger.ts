import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'lectern' },
    redact: [
      'token',
      '*.token',
      'apiKey',
      '*.apiKey',
      'config.DISCORD_TOKEN',
      'config.LECTERN_STT_API_KEY',
      'config.LECTERN_LLM_API_KEY',
    ],
  });
}
