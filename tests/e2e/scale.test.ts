import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../emulator/emulator.js';
import { shardOf } from '../emulator/gateway.js';
import { snowflake } from '../emulator/snowflake.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv, JobWatch } from '../support/harness.js';
import { PrivateRedis } from '../support/redis-server.js';

/**
 * Lectern at scale: two gateway processes (one shard each of two) and two
 * worker processes on one Redis, 20 servers. Every interaction reaches only
 * the shard that owns its server and is answered once; every job's post is
 * made once, even with a worker killed while the posts are going out.
 */
describe('GIVEN two shards and two workers on one Redis, 20 servers', () => {
  let redis: PrivateRedis;
  let emu: Emulator;
  let guilds: WorldGuild[];
  const processes: BotProcess[] = [];
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    emu = await new Emulator({ shardCount: 2 }).start();
    // Ids a millisecond apart, so that the servers alternate between the two shards: fresh ids made within
    // one millisecond would all land on the same shard.
    const start = Date.now();
    guilds = Array.from({ length: 20 }, (_, i) => paperClub(emu, { name: `Club ${i}`, id: snowflake(start + i) }));
    const env = (extra: Record<string, string>) =>
      botEnv(emu, redis.url, { LOG_LEVEL: 'info', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000', ...extra });
    processes.push(
      new BotProcess(env({ LECTERN_ROLE: 'gateway', LECTERN_SHARDS: '0/2' })),
      new BotProcess(env({ LECTERN_ROLE: 'gateway', LECTERN_SHARDS: '1/2' })),
      // Each worker its share of Discord's global 50 a second (README): a card, its thread and the thread's first
      // message are 300 requests here.
      new BotProcess(env({ LECTERN_ROLE: 'worker', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '25' })),
      new BotProcess(env({ LECTERN_ROLE: 'worker', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '25' })),
    );
    await Promise.all([
      processes[0]!.waitForLog(/gateway ready/),
      processes[1]!.waitForLog(/gateway ready/),
      processes[2]!.waitForLog(/worker ready/),
      processes[3]!.waitForLog(/worker ready/),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => (p.child.exitCode === null ? p.kill('SIGTERM') : undefined)));
    await emu.stop();
    await redis.stop();
  });

  it('THEN the servers are split between the shards, each interaction goes to its owner only and is answered once, and every card is posted once though a worker was killed', async () => {
    const owners = guilds.map((g) => shardOf(g.id, 2));
    expect(owners.filter((s) => s === 0)).toHaveLength(10);
    expect(owners.filter((s) => s === 1)).toHaveLength(10);
    expect(emu.gateway.connectedShards).toBe(2);

    const records = [];
    for (const guild of guilds) {
      const as = (user: string) => ({ guild, user, channel: 'general' });
      records.push(
        emu.command(as('Tanishq'), 'setup', 'channels', {
          announce: '#announcements',
          recap: '#recaps',
          stage: '#paper-stage',
        }),
      );
      records.push(emu.command(as('Tanishq'), 'setup', 'roles', { host: '@hosts' }));
    }
    for (const record of records) expect((await record.answer()).content).toMatch(/^Saved/);
    // Five papers in each server, all at once: 100 card posts for the workers, each taking Discord 100 ms,
    // so that the killed worker dies with posts in flight.
    emu.fault({ method: 'POST', path: /^\/channels\/\d+\/messages$/, delayMs: 100, times: 100 });
    const adds = guilds.flatMap((guild) =>
      Array.from({ length: 5 }, (_, i) =>
        emu.command({ guild, user: 'Aran', channel: 'general' }, 'paper', 'add', {
          url: `https://example.org/${guild.id}/${i}`,
        }),
      ),
    );
    const cards = () => guilds.map((g) => emu.messagesIn(emu.world.channelByName(g, 'announcements').id).length);
    // One worker dies while the cards are going out; the other takes over its jobs once their locks lapse.
    await until(() => cards().reduce((a, b) => a + b, 0) >= 10, 20_000, 'the first cards');
    await processes[2]!.kill('SIGKILL');
    const atKill = cards().reduce((a, b) => a + b, 0);
    expect(atKill).toBeLessThan(90);
    for (const record of adds) expect((await record.answer(10_000)).content).toMatch(/^Queued/);
    await until(() => cards().every((n) => n >= 5), 45_000, 'every card');
    // The killed worker's jobs count as running until the other takes them over and finishes them.
    const jobs = new JobWatch(redis.url, emu.applicationId);
    await jobs.done({ timeoutMs: 45_000 }).finally(() => jobs.close());
    expect(cards()).toEqual(guilds.map(() => 5));
    for (const guild of guilds) {
      const titles = emu.messagesIn(emu.world.channelByName(guild, 'announcements').id).map((m) => m.embeds[0]!.title);
      expect(new Set(titles).size).toBe(5);
    }

    // Each interaction was sent to one shard, the owner of its server, and answered once.
    const all = [...records, ...adds];
    const delivered = emu.gateway.deliveries('INTERACTION_CREATE') as Array<{
      shard: [number, number];
      d: { id: string; guild_id: string };
    }>;
    for (const record of all) {
      const to = delivered.filter((d) => d.d.id === record.id);
      expect(to.map((d) => d.shard[0])).toEqual([shardOf(to[0]!.d.guild_id, 2)]);
    }
    const callbacks = emu.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/callback'));
    expect(callbacks).toHaveLength(all.length);
    expect(callbacks.every((r) => r.status === 204 || r.status === 200)).toBe(true);
    expect(emu.violations).toEqual([]);
  }, 120_000);
});
