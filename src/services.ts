import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { RateLimitStore } from './store/rate-limit-store.js';
import type { SettingsStore } from './store/settings-store.js';

/** What handlers and jobs may use; built once in app.ts. */
export interface Services {
  redis: Redis;
  logger: Logger;
  settings: SettingsStore;
  rateLimits: RateLimitStore;
}
