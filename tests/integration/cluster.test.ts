import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { jobPrefix, JobQueue } from '../../src/jobs/job-queue.js';
import type { JobHandlers, JobName } from '../../src/jobs/contract.js';
import { jobPayloads } from '../../src/jobs/contract.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { connectRedis, createWorkerRedis, RedisUnavailableError, type RedisClient } from '../../src/store/redis.js';
import { snowflake } from '../emulator/snowflake.js';
import { PrivateRedisCluster } from '../support/redis-cluster.js';
import { freePort, RedisServer } from '../support/redis-server.js';

/** Lectern on a real 3-master Redis Cluster, configured as a user would: REDIS_CLUSTER_NODES. */
describe('GIVEN a 3-master Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let config: Config;
  let redis: RedisClient;
  const applicationId = snowflake();

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start();
    config = loadConfig({
      DISCORD_TOKEN: 'token',
      DISCORD_APPLICATION_ID: applicationId,
      REDIS_CLUSTER_NODES: cluster.seedList,
    });
    redis = await connectRedis(config, { name: 'lectern-cluster-test', autoPipelining: true });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  /** Which master serves each key, by its port. */
  async function ownerOf(key: string): Promise<number> {
    const slot = Number(await redis.cluster('KEYSLOT', key));
    const ranges = await redis.cluster('SLOTS');
    return ranges.find(([from, to]) => slot >= from && slot <= to)![2]![1];
  }

  it('THEN every slot is served by three masters, and Lectern connects to it as a Cluster', async () => {
    const info = await redis.cluster('INFO');
    expect(info).toMatch(/^cluster_state:ok\r?$/m);
    expect(info).toMatch(/^cluster_slots_assigned:16384\r?$/m);
    expect(info).toMatch(/^cluster_size:3\r?$/m);
    expect(redis).toBeInstanceOf(Cluster);
    const masters = (redis as Cluster).nodes('master').map((node) => node.options.port);
    expect(masters.sort()).toEqual(cluster.nodes.map((node) => node.port).sort());
  });

  it("THEN one guild's keys share one slot, and two guilds can sit on different masters", async () => {
    const guildKeys = (guildId: string) => [
      keys.settings(guildId),
      keys.paperQueue(guildId),
      keys.paper(guildId, 'p1'),
      keys.session(guildId, 's1'),
      keys.timeline(guildId, 's1'),
      keys.question(guildId, 'q1'),
      keys.schedule(guildId),
      keys.rateLimit(guildId, '1', 'ask'),
    ];
    const first = snowflake();
    const slots = await Promise.all(guildKeys(first).map((key) => redis.cluster('KEYSLOT', key)));
    expect(new Set(slots).size).toBe(1);
    // Guild ids are spread over the slots by their hash tag: a few fresh ids reach another master.
    const home = await ownerOf(keys.settings(first));
    let second = snowflake();
    for (let i = 0; i < 50 && (await ownerOf(keys.settings(second))) === home; i++) second = snowflake();
    expect(await ownerOf(keys.settings(second))).not.toBe(home);

    // Written through Lectern's connection, each guild's keys are all on its own master and nowhere else.
    for (const guild of [first, second]) for (const key of guildKeys(guild)) await redis.set(key, guild);
    for (const guild of [first, second]) {
      const holders = await Promise.all(
        cluster.servers.map(async (server) => {
          const node = new Redis(server.url);
          const found = await node.keys(`*{${guild}}*`);
          node.disconnect();
          return found.length > 0 ? server.port : undefined;
        }),
      );
      expect(holders.filter((port) => port !== undefined)).toEqual([await ownerOf(keys.settings(guild))]);
    }
  });

  it("THEN the project's JobQueue adds a job and a worker runs it, BullMQ's keys all on one slot", async () => {
    const logger = createLogger('silent');
    const jobs = new JobQueue(
      redis,
      () => createWorkerRedis(config, { name: 'lectern-cluster-test-worker' }),
      applicationId,
      logger,
      Date.now,
    );
    const guildId = snowflake();
    const ran = new Promise<unknown>((resolve) => {
      const handlers = Object.fromEntries(
        (Object.keys(jobPayloads) as JobName[]).map((name) => [name, async () => {}]),
      ) as unknown as JobHandlers;
      handlers['agenda.refresh'] = async (data) => resolve(data);
      jobs.startWorker(handlers);
    });
    try {
      await jobs.enqueue('agenda.refresh', { guildId }, { delayMs: 200 });
      expect(await ran).toEqual({ guildId });
      const bullKeys = await Promise.all(
        cluster.servers.map(async (server) => {
          const node = new Redis(server.url);
          const found = await node.keys(`${jobPrefix(applicationId)}:*`);
          node.disconnect();
          return found;
        }),
      );
      const all = bullKeys.flat();
      expect(all.length).toBeGreaterThan(0);
      expect(bullKeys.filter((found) => found.length > 0)).toHaveLength(1);
      expect(new Set(await Promise.all(all.map((key) => redis.cluster('KEYSLOT', key)))).size).toBe(1);
    } finally {
      await jobs.close();
    }
  });
});

describe('GIVEN REDIS_CLUSTER_NODES that cannot serve Lectern', () => {
  const target = (port: number) => ({
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_CLUSTER_NODES: [{ host: '127.0.0.1', port }],
  });

  it("WHEN REDIS_URL has a user, a password and rediss: THEN every node's connection uses them", () => {
    const worker = createWorkerRedis({ ...target(1), REDIS_URL: 'rediss://lectern:p%40ss@ignored:6379' }) as Cluster;
    worker.on('error', () => {});
    worker.disconnect();
    expect(worker).toBeInstanceOf(Cluster);
    expect(worker.options.redisOptions).toMatchObject({
      username: 'lectern',
      password: 'p@ss',
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(worker.options.scaleReads).toBe('master');
  });

  it('WHEN no seed node answers THEN start fails at once, naming the nodes', async () => {
    const port = await freePort();
    const error = await connectRedis(target(port)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain(`Cannot connect to Redis at 127.0.0.1:${port}`);
  });

  it('WHEN its slots are not assigned (cluster_state:fail) THEN start fails within the connect timeout', async () => {
    const node = await RedisServer.start(['--cluster-enabled', 'yes', '--cluster-port', String(await freePort())]);
    try {
      const began = Date.now();
      const error = await connectRedis(target(node.port), { connectTimeoutMs: 1_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toContain('not ready within 1000 ms');
      expect(Date.now() - began).toBeLessThan(3_000);
    } finally {
      await node.stop();
    }
  });
});
