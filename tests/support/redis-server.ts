import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const NO_REDIS_HELP =
  'The tests need Redis. Either install redis-server ' +
  '(Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`) ' +
  'so the tests can start a private one, ' +
  'or set REDIS_URL to a Redis 7 you can spare (for example `docker run -p 6379:6379 redis:7`).';

/** Set by the `cluster` test project: every private Redis is then a 3-master Redis Cluster. */
export const clusterRequested = () => process.env.LECTERN_TEST_REDIS === 'cluster';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Redis a test owns and stops: `url` reaches it (with a cluster, one of its nodes). */
export interface PrivateRedis {
  readonly url: string;
  /** Kills it hard (no final save) and starts it again on the same ports and data (AOF). */
  restart(): Promise<void>;
  /** Waits until every write it answered is in its append-only file (each node's, on a cluster): `restart` keeps it. */
  aofWritten(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const PrivateRedis = {
  available(): boolean {
    return spawnSync('redis-server', ['--version']).status === 0;
  },

  /**
   * One redis-server, or a Redis Cluster when the run asks for one (LECTERN_TEST_REDIS=cluster).
   * `debug: true` enables DEBUG SLEEP, which tests use to make Redis slow on demand, and is one server always.
   */
  async start(options: { debug?: boolean } = {}): Promise<PrivateRedis> {
    if (!PrivateRedis.available()) throw new Error(NO_REDIS_HELP);
    if (clusterRequested() && !options.debug) {
      // Loaded only when asked for: the cluster is built from this module's servers.
      const { PrivateRedisCluster } = await import('./redis-cluster.js');
      return PrivateRedisCluster.start();
    }
    return RedisServer.start(options.debug ? ['--enable-debug-command', 'yes'] : []);
  },
};

/** One redis-server process on a free port with its own data directory and AOF on, as production runs it. */
export class RedisServer implements PrivateRedis {
  private process: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'lectern-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const redis = new RedisServer(await freePort(), extraArgs);
    await redis.launch();
    return redis;
  }

  /** Starts the process on this port and directory (again, after `kill`), and waits until it answers. */
  async launch(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    // A run that dies leaves no server behind it.
    const child = this.process;
    const orphanGuard = () => child.kill('SIGKILL');
    process.once('exit', orphanGuard);
    child.once('exit', () => process.off('exit', orphanGuard));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /**
   * Polls INFO persistence until nothing waits in the AOF buffer: everything answered so far is written to the file.
   * Written is what a SIGKILL spares (the restarted server reads the OS's cached pages); fsync, every second, guards
   * only against the machine dying, which no test does, and Redis 7.0 reports no fsynced offset (WAITAOF is 7.2).
   */
  async aofWritten(timeoutMs = 10_000): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const info = (await client.info('persistence')).replaceAll('\r', '');
        const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1];
        if (field('aof_enabled') !== '1') throw new Error(`redis on port ${this.port} has no append-only file`);
        // A write postponed (an fsync still running) or failed stays in the buffer; a failure also sets the status.
        if (field('aof_buffer_length') === '0' && field('aof_last_write_status') === 'ok') return;
        if (Date.now() > deadline)
          throw new Error(`redis on port ${this.port}: append-only file not written in ${timeoutMs} ms\n${info}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      client.disconnect();
    }
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** SIGKILL: no final save, as a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
