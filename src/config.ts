import { z } from 'zod';

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');

const urlWithProtocols = (protocols: readonly string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const ConfigSchema = z
  .object({
    DISCORD_TOKEN: z
      .string({ error: 'is required: the bot token from the Discord developer portal' })
      .min(1, 'must not be empty'),
    DISCORD_APPLICATION_ID: snowflake,
    DISCORD_API_URL: urlWithProtocols(['https:', 'http:']).default('https://discord.com/api'),
    DISCORD_DEV_GUILD_ID: snowflake.optional(),
    DISCORD_GLOBAL_REQUESTS_PER_SECOND: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .default(50),
    REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    /**
     * Seed nodes of a Redis Cluster, `host:port,host:port`. When set, Lectern connects to the cluster through them;
     * REDIS_URL then only gives the scheme (rediss: for TLS), user and password every node shares.
     */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((value, ctx) => {
        const entries = value.split(',').map((entry) => entry.trim());
        const nodes = entries.map(parseNode);
        const bad = entries.filter((_, i) => nodes[i] === undefined);
        if (bad.length > 0)
          ctx.addIssue({
            code: 'custom',
            message: `must list host:port seed nodes separated by commas (redis-1:6379,redis-2:6379); not ${bad
              .map((entry) => JSON.stringify(entry))
              .join(', ')}`,
          });
        return nodes.filter((node) => node !== undefined);
      })
      .optional(),
    LECTERN_ROLE: z.enum(['all', 'gateway', 'worker'], { error: 'must be all, gateway or worker' }).default('all'),
    /**
     * Which gateway shards this process runs, as `ids/total` (`0/2`, `2,3/4`); unset: all of them, as Discord
     * recommends.
     */
    LECTERN_SHARDS: z
      .string()
      .regex(/^\d+(,\d+)*\/\d+$/, "must look like 0/2 or 2,3/4 (this process's shard ids / the total)")
      .transform((value, ctx) => {
        const [ids, total] = value.split('/') as [string, string];
        const shards = ids.split(',').map(Number);
        const count = Number(total);
        if (count < 1 || shards.some((id) => id >= count))
          ctx.addIssue({ code: 'custom', message: 'has a shard id not below the total' });
        return { shards, count };
      })
      .optional(),
    LECTERN_METADATA_BASE_URL: urlWithProtocols(['https:', 'http:']).optional(),
    LECTERN_ARXIV_INTERVAL_MS: z.coerce
      .number({ error: 'must be a whole number of milliseconds' })
      .int('must be a whole number of milliseconds')
      .min(0, 'must be 0 or more')
      .default(3_000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be a pino level: fatal, error, warn, info, debug, trace or silent',
      })
      .default('info'),
  })
  .superRefine((config, ctx) => {
    const database = new URL(config.REDIS_URL).pathname.replace(/^\//, '');
    if (config.REDIS_CLUSTER_NODES && database !== '' && database !== '0')
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: `names database ${database}, but a Redis Cluster (REDIS_CLUSTER_NODES is set) has only database 0`,
      });
  });

/** One seed node of a Redis Cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/** `host:port`, `[ipv6]:port`; undefined when it is neither or the port is out of range. */
function parseNode(entry: string): RedisNode | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

/** The bot's whole configuration, validated once at start. */
export type Config = z.infer<typeof ConfigSchema>;

/** Thrown when the environment does not satisfy the contract; `problems` has one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Lectern cannot start; fix these environment variables:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment. Empty strings count as unset, so `.env` files with
 * `DISCORD_DEV_GUILD_ID=` behave as users expect.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const message = issue.code === 'invalid_type' && present[name] === undefined ? 'is required' : issue.message;
    return `${name} ${message}`;
  });
  throw new ConfigError(problems);
}
