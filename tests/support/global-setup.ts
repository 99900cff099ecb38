import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { NO_REDIS_HELP, PrivateRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * One Redis for the run: REDIS_URL when set (tests only add keys under fresh
 * guild and application ids, never flush), otherwise a private redis-server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return async () => {};
  }
  if (!PrivateRedis.available()) throw new Error(NO_REDIS_HELP);
  const redis = await PrivateRedis.start();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
