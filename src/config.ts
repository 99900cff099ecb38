import { z } from 'zod';

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');

const urlWithProtocols = (protocols: readonly string[]) =>
  z
    .string()
    .refine(
      (value) => URL.canParse(value) && protocols.includes(new URL(value).protocol),
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

const wholeNumber = (min: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`);

const Fields = z.object({
  // Required by every role but `web` (checked in loadConfig, beside the other problems).
  DISCORD_TOKEN: z.string().min(1, 'must not be empty').optional(),
  DISCORD_APPLICATION_ID: snowflake,
  DISCORD_API_URL: urlWithProtocols(['https:', 'http:']).default('https://discord.com/api'),
  DISCORD_DEV_GUILD_ID: snowflake.optional(),
  DISCORD_GLOBAL_REQUESTS_PER_SECOND: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(50),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  // With cluster seed nodes, REDIS_URL only gives the scheme (rediss: for TLS), user and password of every node.
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
  LECTERN_ROLE: z
    .enum(['all', 'gateway', 'worker', 'web'], { error: 'must be all, gateway, worker or web' })
    .default('all'),
  LECTERN_WEB_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a port number')
    .min(0, 'must be a port number (0: any free port)')
    .max(65_535, 'must be a port number')
    .default(8080),
  LECTERN_WEB_HOST: z.string().min(1).default('127.0.0.1'),
  // Where readers reach the web archive (the links the bot posts); unset: where the web server listens.
  LECTERN_PUBLIC_URL: urlWithProtocols(['https:', 'http:']).optional(),
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
  // The transcript (opt-in per server and per member): a speech-to-text server with OpenAI's audio transcription
  // protocol (OpenAI, Groq, faster-whisper servers, whisper.cpp's server). Unset: no transcript.
  LECTERN_STT_URL: urlWithProtocols(['https:', 'http:']).optional(),
  // Where utterances' audio waits for its text: a Redis that keeps nothing on disk (no RDB, no AOF). Unset: REDIS_URL.
  LECTERN_AUDIO_REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).optional(),
  LECTERN_STT_MODEL: z.string().min(1).max(200).default('whisper-1'),
  LECTERN_STT_API_KEY: z.string().min(1).optional(),
  /** An ISO-639-1 code such as `en`; unset: the provider detects the language. */
  LECTERN_STT_LANGUAGE: z
    .string()
    .regex(/^[a-z]{2}$/, 'must be a two-letter ISO-639-1 code such as en')
    .optional(),
  /** At most this many requests at once to the provider, across every worker process. */
  LECTERN_STT_CONCURRENCY: wholeNumber(1).default(4),
  LECTERN_STT_TIMEOUT_MS: wholeNumber(1_000).default(60_000),
  /** Tries per utterance before it is kept as a gap in the transcript. */
  LECTERN_STT_ATTEMPTS: wholeNumber(1).default(6),
  /** The first retry's wait; each later one waits twice as long (or what the provider's Retry-After asks). */
  LECTERN_STT_BACKOFF_MS: wholeNumber(1).default(2_000),
  // The written summary: an OpenAI-compatible chat completions server (OpenAI, Ollama, vLLM, llama.cpp's server).
  LECTERN_LLM_URL: urlWithProtocols(['https:', 'http:']).optional(),
  LECTERN_LLM_MODEL: z.string().min(1).max(200).default('gpt-4o-mini'),
  LECTERN_LLM_API_KEY: z.string().min(1).optional(),
  /** How much transcript (in characters) one request may carry; longer sessions are summarised per paper first. */
  LECTERN_LLM_CONTEXT_CHARS: wholeNumber(2_000).default(48_000),
  LECTERN_LLM_TIMEOUT_MS: wholeNumber(1_000).default(120_000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be a pino level: fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
});

const ConfigSchema = Fields.superRefine((config, ctx) => {
  const database = new URL(config.REDIS_URL).pathname.replace(/^\//, '');
  if (config.REDIS_CLUSTER_NODES && database !== '' && database !== '0')
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message: `names database ${database}, but a Redis Cluster (REDIS_CLUSTER_NODES is set) has only database 0`,
    });
});

export interface RedisNode {
  host: string;
  port: number;
}

function parseNode(entry: string): RedisNode | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65_535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Lectern cannot start; fix these environment variables:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset (`DISCORD_DEV_GUILD_ID=` in a `.env` file). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = setOnly(env);
  // The token is the one variable a role can do without: the web server never talks to Discord.
  const tokenMissing = present.DISCORD_TOKEN === undefined && present.LECTERN_ROLE !== 'web';
  return parse(
    ConfigSchema,
    present,
    tokenMissing ? ['DISCORD_TOKEN is required: the bot token from the Discord developer portal'] : [],
  );
}

/** Only where Redis is: for tools that read the data and talk to nothing else (`npm run export-site`). */
export function loadRedisConfig(env: Record<string, string | undefined> = process.env) {
  return parse(Fields.pick({ REDIS_URL: true, REDIS_CLUSTER_NODES: true }), setOnly(env));
}

function setOnly(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

function parse<T>(schema: z.ZodType<T>, present: Record<string, string | undefined>, problems: string[] = []): T {
  const result = schema.safeParse(present);
  const all = [
    ...problems,
    ...(result.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const message = issue.code === 'invalid_type' && present[name] === undefined ? 'is required' : issue.message;
      return `${name} ${message}`;
    }),
  ];
  if (result.success && all.length === 0) return result.data;
  throw new ConfigError(all);
}
