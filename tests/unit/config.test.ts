import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = { DISCORD_TOKEN: 'token', DISCORD_APPLICATION_ID: '123456789012345678' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('GIVEN only the required variables THEN the documented defaults apply', () => {
    expect(loadConfig(valid)).toEqual({
      ...valid,
      DISCORD_API_URL: 'https://discord.com/api',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LECTERN_ROLE: 'all',
      LOG_LEVEL: 'info',
      LECTERN_ARXIV_INTERVAL_MS: 3_000,
      DISCORD_GLOBAL_REQUESTS_PER_SECOND: 50,
      LECTERN_WEB_PORT: 8080,
      LECTERN_WEB_HOST: '127.0.0.1',
      LECTERN_STT_MODEL: 'whisper-1',
      LECTERN_STT_CONCURRENCY: 4,
      LECTERN_STT_TIMEOUT_MS: 60_000,
      LECTERN_STT_ATTEMPTS: 6,
      LECTERN_STT_BACKOFF_MS: 2_000,
      LECTERN_LLM_MODEL: 'gpt-4o-mini',
      LECTERN_LLM_CONTEXT_CHARS: 48_000,
      LECTERN_LLM_TIMEOUT_MS: 120_000,
    });
  });

  it('GIVEN transcript settings THEN bad ones are named, and the API keys are kept as given', () => {
    const problems = problemsOf({
      ...valid,
      LECTERN_STT_URL: 'ftp://whisper.local',
      LECTERN_STT_LANGUAGE: 'english',
      LECTERN_STT_CONCURRENCY: '0',
      LECTERN_LLM_CONTEXT_CHARS: '100',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^LECTERN_STT_URL must be a URL starting with https:\/\/ or http:\/\//),
        expect.stringMatching(/^LECTERN_STT_LANGUAGE must be a two-letter ISO-639-1 code/),
        'LECTERN_STT_CONCURRENCY must be at least 1',
        'LECTERN_LLM_CONTEXT_CHARS must be at least 2000',
      ]),
    );
    expect(
      loadConfig({ ...valid, LECTERN_STT_URL: 'http://127.0.0.1:9000/v1', LECTERN_STT_API_KEY: 'sk-secret' }),
    ).toMatchObject({ LECTERN_STT_URL: 'http://127.0.0.1:9000/v1', LECTERN_STT_API_KEY: 'sk-secret' });
  });

  it('GIVEN LECTERN_ROLE=web THEN no token is needed (the web server never talks to Discord), and every other role needs one', () => {
    const web = { DISCORD_APPLICATION_ID: valid.DISCORD_APPLICATION_ID, LECTERN_ROLE: 'web' };
    expect(loadConfig(web)).toMatchObject({ LECTERN_ROLE: 'web', LECTERN_WEB_PORT: 8080 });
    expect(loadConfig(web).DISCORD_TOKEN).toBeUndefined();
    expect(problemsOf({ ...web, LECTERN_ROLE: 'worker' })[0]).toMatch(/^DISCORD_TOKEN is required/);
    expect(
      loadConfig({ ...valid, LECTERN_WEB_PORT: '0', LECTERN_PUBLIC_URL: 'https://lectern.example/' }),
    ).toMatchObject({
      LECTERN_WEB_PORT: 0,
      LECTERN_PUBLIC_URL: 'https://lectern.example/',
    });
  });

  it.each([
    [
      'DISCORD_TOKEN',
      { DISCORD_APPLICATION_ID: valid.DISCORD_APPLICATION_ID },
      'DISCORD_TOKEN is required: the bot token from the Discord developer portal',
    ],
    ['DISCORD_APPLICATION_ID', { DISCORD_TOKEN: 'token' }, 'DISCORD_APPLICATION_ID is required'],
  ])('GIVEN %s missing THEN start is refused naming it', (_name, env, line) => {
    expect(problemsOf(env)).toEqual([line]);
  });

  it.each([
    ['DISCORD_APPLICATION_ID', '12ab', 'DISCORD_APPLICATION_ID must be a Discord id'],
    ['DISCORD_API_URL', 'ftp://discord.com/api', 'DISCORD_API_URL must be a URL'],
    ['DISCORD_API_URL', 'not a url', 'DISCORD_API_URL must be a URL'],
    ['DISCORD_DEV_GUILD_ID', 'my-guild', 'DISCORD_DEV_GUILD_ID must be a Discord id'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL must be a URL starting with redis:// or rediss://'],
    ['REDIS_CLUSTER_NODES', 'redis-1', 'REDIS_CLUSTER_NODES must list host:port seed nodes'],
    ['LECTERN_ROLE', 'both', 'LECTERN_ROLE must be all, gateway, worker or web'],
    ['LECTERN_WEB_PORT', '70000', 'LECTERN_WEB_PORT must be a port number'],
    ['LECTERN_WEB_PORT', 'http', 'LECTERN_WEB_PORT must be a port number'],
    ['LECTERN_PUBLIC_URL', 'javascript:alert(1)', 'LECTERN_PUBLIC_URL must be a URL starting with https:// or http://'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be a pino level'],
    ['LECTERN_METADATA_BASE_URL', 'file:///etc', 'LECTERN_METADATA_BASE_URL must be a URL'],
    ['LECTERN_ARXIV_INTERVAL_MS', 'soon', 'LECTERN_ARXIV_INTERVAL_MS must be a whole number'],
  ])('GIVEN %s=%s THEN start is refused with one line naming it', (name, value, line) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(line);
  });

  it('GIVEN several bad variables THEN every one is named, one line each', () => {
    expect(problemsOf({ REDIS_URL: 'x', LECTERN_ROLE: 'x' })).toHaveLength(4);
  });

  it("GIVEN LECTERN_SHARDS THEN it names this process's shards out of the total, and refuses ids beyond it", () => {
    expect(loadConfig({ ...valid, LECTERN_SHARDS: '0/2' }).LECTERN_SHARDS).toEqual({ shards: [0], count: 2 });
    expect(loadConfig({ ...valid, LECTERN_SHARDS: '2,3/4' }).LECTERN_SHARDS).toEqual({ shards: [2, 3], count: 4 });
    expect(problemsOf({ ...valid, LECTERN_SHARDS: '2/2' })).toEqual([
      'LECTERN_SHARDS has a shard id not below the total',
    ]);
    expect(problemsOf({ ...valid, LECTERN_SHARDS: 'half' })[0]).toMatch(/^LECTERN_SHARDS must look like 0\/2/);
  });

  it('GIVEN REDIS_CLUSTER_NODES THEN each seed node is read as host and port, hostnames, IPv4 and [IPv6] alike', () => {
    expect(loadConfig({ ...valid, REDIS_CLUSTER_NODES: 'redis-1:6379, 10.0.0.2:7001,[::1]:7002' })).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: [
        { host: 'redis-1', port: 6379 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(loadConfig(valid).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('GIVEN bad REDIS_CLUSTER_NODES entries THEN one line names every bad entry', () => {
    expect(problemsOf({ ...valid, REDIS_CLUSTER_NODES: 'redis-1:6379,redis-2,redis-3:70000,' })).toEqual([
      'REDIS_CLUSTER_NODES must list host:port seed nodes separated by commas (redis-1:6379,redis-2:6379); ' +
        'not "redis-2", "redis-3:70000", ""',
    ]);
  });

  it('GIVEN REDIS_CLUSTER_NODES and a REDIS_URL naming database 2 THEN start is refused: a cluster has only 0', () => {
    const cluster = { ...valid, REDIS_CLUSTER_NODES: 'redis-1:6379' };
    expect(problemsOf({ ...cluster, REDIS_URL: 'redis://:secret@ignored:6379/2' })).toEqual([
      'REDIS_URL names database 2, but a Redis Cluster (REDIS_CLUSTER_NODES is set) has only database 0',
    ]);
    expect(problemsOf({ ...cluster, REDIS_URL: 'rediss://user:secret@ignored:6379/0' })).toEqual([]);
    expect(problemsOf({ ...valid, REDIS_URL: 'redis://127.0.0.1:6379/2' })).toEqual([]);
  });

  it('GIVEN an empty optional variable THEN it counts as unset', () => {
    expect(loadConfig({ ...valid, DISCORD_DEV_GUILD_ID: '' }).DISCORD_DEV_GUILD_ID).toBeUndefined();
  });
});
