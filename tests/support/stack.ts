import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import { MetadataServer } from './metadata-server.js';
import { PrivateRedis } from './redis-server.js';

/**
 * A test's own Redis (AOF on; a cluster in the `cluster` project) and paper sources, with the emulator and the bot
 * on top.
 */
export interface Stack {
  redis: PrivateRedis;
  sources: MetadataServer;
  h: Harness;
  stop(): Promise<void>;
}

export async function startStack(options: Omit<HarnessOptions, 'redisUrl' | 'metadataBaseUrl'> = {}): Promise<Stack> {
  const redis = await PrivateRedis.start();
  const sources = await new MetadataServer().start();
  const h = await startHarness({ ...options, redisUrl: redis.url, metadataBaseUrl: sources.url });
  return {
    redis,
    sources,
    h,
    async stop() {
      await h.stop();
      await sources.stop();
      await redis.stop();
    },
  };
}
