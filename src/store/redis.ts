import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisNode } from '../config.js';
import { defineScripts } from './scripts.js';

export type RedisClient = Redis | Cluster;

export type RedisTarget = string | { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly RedisNode[] | undefined };

export class RedisUnavailableError extends Error {
  constructor(where: string, cause: unknown) {
    super(
      `Cannot connect to Redis at ${where} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Start one (`docker compose up redis`, or `redis-server`) ' +
        'or point REDIS_URL (or REDIS_CLUSTER_NODES) at yours.',
    );
    this.name = 'RedisUnavailableError';
  }
}

function redactUrl(url: string) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}

interface ConnectOptions {
  connectTimeoutMs?: number;
  /** Shown by CLIENT LIST. */
  name?: string;
  autoPipelining?: boolean;
}

/** Commands issued while the connection is down fail at once, so an interaction never waits on a Redis that is gone. */
export async function connectRedis(target: RedisTarget, options: ConnectOptions = {}): Promise<RedisClient> {
  const { url, nodes } = parseTarget(target);
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const perNode: RedisOptions = {
    ...(options.name && { connectionName: options.name }),
    maxRetriesPerRequest: 1,
    connectTimeout,
  };
  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
  };
  const client = nodes
    ? new Cluster(nodes, { ...clusterOptions(url, perNode), ...common, clusterRetryStrategy: retryStrategy })
    : new Redis(url, { ...perNode, ...common, retryStrategy });
  // A failed start is reported by the rejection below; until then its 'error' events go nowhere.
  const quiet = () => {};
  client.on('error', quiet);
  // Before any command: an auto-pipeline made before a script is defined lacks it (ioredis then throws).
  defineScripts(client);
  try {
    await (client instanceof Cluster ? withTimeout(client.connect(), connectTimeout) : client.connect());
    client.off('error', quiet);
    return client;
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(nodes ? nodes.map((n) => `${n.host}:${n.port}`).join(',') : redactUrl(url), error);
  }
}

/** For a BullMQ Worker: its commands wait through a reconnect instead of failing, as BullMQ requires. */
export function createWorkerRedis(target: RedisTarget, options: { name?: string } = {}): RedisClient {
  const { url, nodes } = parseTarget(target);
  const perNode: RedisOptions = {
    ...(options.name && { connectionName: options.name }),
    maxRetriesPerRequest: null,
  };
  return nodes ? new Cluster(nodes, clusterOptions(url, perNode)) : new Redis(url, perNode);
}

function parseTarget(target: RedisTarget) {
  if (typeof target === 'string') return { url: target, nodes: undefined };
  const nodes = target.REDIS_CLUSTER_NODES;
  return { url: target.REDIS_URL, nodes: nodes && nodes.length > 0 ? [...nodes] : undefined };
}

/** Every node gets the URL's credentials and TLS; reads stay on masters, so a read follows the write before it. */
function clusterOptions(url: string, perNode: RedisOptions): ClusterOptions {
  const parsed = new URL(url);
  return {
    scaleReads: 'master',
    redisOptions: {
      ...perNode,
      ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
      ...(parsed.protocol === 'rediss:' && { tls: {} }),
    },
  };
}

/** A cluster whose slots are not all served never becomes ready; give up as a single server's connect does. */
async function withTimeout<T>(promise: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether Redis writes its data to disk (RDB snapshots or the AOF); undefined where CONFIG is not allowed. */
export async function persistsToDisk(redis: RedisClient) {
  try {
    const [, save] = (await redis.config('GET', 'save')) as [string, string];
    const [, aof] = (await redis.config('GET', 'appendonly')) as [string, string];
    return save.trim() !== '' || aof === 'yes';
  } catch {
    return undefined;
  }
}
