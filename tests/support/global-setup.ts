import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { PrivateRedisCluster } from './redis-cluster.js';
import { NO_REDIS_HELP, PrivateRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** REDIS_CLUSTER_NODES for `redisUrl` when the run's Redis is a cluster; empty for one server. */
    redisClusterNodes: string;
  }
}

/**
 * One Redis for the run: REDIS_URL (with REDIS_CLUSTER_NODES for a cluster)
 * when set (tests only add keys under fresh guild and application ids, never
 * flush), otherwise a private redis-server, or a private 3-master cluster for
 * a project whose env sets LECTERN_TEST_REDIS=cluster.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    project.provide('redisClusterNodes', process.env.REDIS_CLUSTER_NODES ?? '');
    return async () => {};
  }
  if (!PrivateRedis.available()) throw new Error(NO_REDIS_HELP);
  if (project.config.env?.LECTERN_TEST_REDIS === 'cluster') {
    const cluster = await PrivateRedisCluster.start();
    project.provide('redisUrl', cluster.url);
    project.provide('redisClusterNodes', cluster.seedList);
    return () => cluster.stop();
  }
  const redis = await PrivateRedis.start();
  project.provide('redisUrl', redis.url);
  project.provide('redisClusterNodes', '');
  return () => redis.stop();
}
