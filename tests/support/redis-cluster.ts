import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { clusterRequested, freePort, RedisServer, type PrivateRedis } from './redis-server.js';

/** The clusters this process started, by the URL tests hand around, so `botEnv` can name their seed nodes. */
const running = new Map<string, PrivateRedisCluster>();

/**
 * `REDIS_CLUSTER_NODES` for a bot whose REDIS_URL is `url`: the seed list when
 * `url` is a node of a cluster started here, nothing for a single server.
 * Under LECTERN_TEST_REDIS=cluster a single server is refused, so the cluster
 * project never passes on one by mistake.
 */
export function clusterEnv(url: string): Record<string, string> {
  const cluster = running.get(url);
  if (cluster) return { REDIS_CLUSTER_NODES: cluster.seedList };
  if (clusterRequested())
    throw new Error(
      `LECTERN_TEST_REDIS=cluster, but the bot was given ${url}, ` +
        'not a cluster this test file started with PrivateRedis.start(): ' +
        'a test that needs one server (DEBUG SLEEP) does not belong in the cluster project',
    );
  return {};
}

/**
 * A private Redis Cluster of `masters` redis-server processes (no replicas),
 * each on free ports with its own data directory and AOF on, as production
 * runs it; every slot is served when `start` returns.
 */
export class PrivateRedisCluster implements PrivateRedis {
  private constructor(readonly servers: RedisServer[]) {}

  /** One of the nodes: a REDIS_URL for the bot (with REDIS_CLUSTER_NODES) or a seed for a test's client. */
  get url(): string {
    return this.servers[0]!.url;
  }

  get nodes(): Array<{ host: string; port: number }> {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  /** `host:port,host:port,…`, as REDIS_CLUSTER_NODES takes it. */
  get seedList(): string {
    return this.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  }

  static async start(masters = 3): Promise<PrivateRedisCluster> {
    const servers: RedisServer[] = [];
    try {
      for (let i = 0; i < masters; i++) {
        // The bus port is chosen too: the default (port + 10000) may be taken or past 65535.
        const bus = await freePort();
        servers.push(
          await RedisServer.start([
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(bus),
          ]),
        );
      }
      const cluster = new PrivateRedisCluster(servers);
      await cluster.create();
      await cluster.waitUntilServed();
      running.set(cluster.url, cluster);
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((server) => server.stop()));
      throw error;
    }
  }

  /** Every node killed at once (no final save), then started again on the same ports, data and nodes.conf. */
  async restart(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    await Promise.all(this.servers.map((server) => server.launch()));
    await this.waitUntilServed();
  }

  /** Each node keeps its own append-only file of the slots it serves. */
  async aofWritten(timeoutMs?: number): Promise<void> {
    await Promise.all(this.servers.map((server) => server.aofWritten(timeoutMs)));
  }

  async stop(): Promise<void> {
    running.delete(this.url);
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  /** Splits the 16384 slots between the masters, as an operator does with `redis-cli --cluster create`. */
  private async create(): Promise<void> {
    const addresses = this.nodes.map((node) => `${node.host}:${node.port}`);
    const cli = spawn('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stdin.end('yes\n');
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output}`);
  }

  /** Until every node reports cluster_state:ok: before that, commands for some slots are refused. */
  private async waitUntilServed(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const clients = this.servers.map((server) => new Redis(server.url, { maxRetriesPerRequest: 1 }));
    try {
      for (;;) {
        const states = await Promise.all(clients.map((client) => client.cluster('INFO').catch(() => '')));
        if (states.every((info) => /^cluster_state:ok\b/m.test(info))) return;
        if (Date.now() > deadline) throw new Error(`cluster not ok in ${timeoutMs} ms:\n${states.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clients.forEach((client) => client.disconnect());
    }
  }
}
