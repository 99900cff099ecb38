import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../emulator/emulator.js';
import { BotProcess } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv } from '../support/harness.js';
import { freePort, PrivateRedis, RedisServer } from '../support/redis-server.js';
import { ArchiveService } from '../../src/archive/archive-service.js';
import { ArchiveStore } from '../../src/store/archive-store.js';
import { connectRedis } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { makeRecap } from '../fixtures/recaps.js';
import type { WorldGuild } from '../emulator/world.js';

describe('the bot process', () => {
  let emu: Emulator;
  let guild: WorldGuild;
  let redis: PrivateRedis;
  beforeAll(async () => {
    emu = await new Emulator().start();
    guild = paperClub(emu);
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await emu.stop();
    await redis.stop();
  });

  const env = (extra: Record<string, string> = {}) => botEnv(emu, redis.url, { LOG_LEVEL: 'info', ...extra });
  const tanishq = () => ({ guild, user: 'Tanishq', channel: 'general' });

  it.each([
    ['DISCORD_TOKEN', { DISCORD_TOKEN: '' }, 'DISCORD_TOKEN is required'],
    ['DISCORD_APPLICATION_ID', { DISCORD_APPLICATION_ID: 'abc' }, 'DISCORD_APPLICATION_ID must be a Discord id'],
    ['REDIS_URL', { REDIS_URL: 'localhost:6379' }, 'REDIS_URL must be a URL'],
    ['LECTERN_ROLE', { LECTERN_ROLE: 'everything' }, 'LECTERN_ROLE must be all, gateway, worker or web'],
  ])('GIVEN a bad %s THEN it refuses to start, naming it, with exit code 78', async (_name, extra, line) => {
    const bot = new BotProcess(env(extra));
    expect(await bot.exited).toEqual({ code: 78, signal: null });
    expect(bot.stderr).toContain(line);
    expect(bot.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('GIVEN no Redis at REDIS_URL THEN it exits with a message that says what to do', async () => {
    const bot = new BotProcess(env({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect((await bot.exited).code).toBe(1);
    expect(bot.stdout).toMatch(/Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1.*REDIS_URL/);
  });

  it('GIVEN a token Discord refuses THEN it exits with the reason', async () => {
    const bot = new BotProcess(env({ DISCORD_TOKEN: 'wrong' }));
    expect((await bot.exited).code).toBe(1);
    expect(bot.stdout).toMatch(/invalid token/i);
  });

  it('GIVEN settings saved WHEN the bot is SIGKILLed and Redis killed and restarted THEN all settings are still there and commands are not re-registered', async () => {
    const first = new BotProcess(env());
    await first.waitForLog(/gateway ready/);
    for (const [sub, options] of [
      ['channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }],
      ['roles', { host: '@hosts', ping: '@paper-club' }],
      ['reminders', { offsets: '3h,15m' }],
    ] as const) {
      expect((await emu.command(tanishq(), 'setup', sub, options).answer()).content).toMatch(/^Saved/);
    }
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    await redis.aofWritten(); // what was saved is in the append-only file before Redis is SIGKILLed too
    await redis.restart();

    const second = new BotProcess(env());
    await second.waitForLog(/gateway ready/);
    const show = await emu.command(tanishq(), 'setup', 'show').answer();
    const fields = Object.fromEntries(show.embeds[0]!.fields!.map((f) => [f.name, f.value]));
    expect(fields['Reminders before a session']).toBe('3h, 15m');
    expect(fields['Ping role']).toBe(`<@&${emu.world.roleByName(guild, 'paper-club').id}>`);
    expect(fields.Announcements).toBe(`<#${emu.world.channelByName(guild, 'announcements').id}>`);
    expect(second.stdout).toMatch(/commands unchanged/);
    expect(emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/commands'))).toHaveLength(1);

    const started = Date.now();
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(second.stdout).toMatch(/shutting down/);
  });

  it('GIVEN LECTERN_ROLE=web without a token THEN it serves the archive, answers 503 while Redis is down and pages again once it is back', async () => {
    const own = await RedisServer.start();
    const connection = await connectRedis(own.url);
    try {
      const guildId = '200000000000000001';
      const store = new ArchiveStore(connection);
      const sessions = new SessionStore(connection);
      const recap = makeRecap({ sessionId: 'web1', startedAt: Date.UTC(2024, 7, 14, 17) });
      await sessions.saveRecap(guildId, recap.sessionId, recap);
      await store.record(guildId, recap, new Map([['100000000000000001', 'Alice']]));
      const archive = new ArchiveService(store, sessions, new SettingsStore(connection), () => '');
      const { archiveToken } = await archive.configure(guildId, { visibility: 'link' });
      const port = await freePort();
      const web = new BotProcess(
        botEnv(emu, own.url, {
          LOG_LEVEL: 'info',
          LECTERN_ROLE: 'web',
          DISCORD_TOKEN: '',
          LECTERN_WEB_PORT: String(port),
        }),
      );
      await web.waitForLog(/web archive listening/);
      const page = `http://127.0.0.1:${port}/a/${archiveToken}/sessions/web1`;
      const status = async (url: string) => (await fetch(url)).status;
      expect(await status(page)).toBe(200);
      expect(await status(`http://127.0.0.1:${port}/healthz`)).toBe(200);

      await own.aofWritten();
      await own.kill();
      // Each answer comes at once, not after a hanging request (pages give up on Redis after 3 s).
      for (const url of [page, `http://127.0.0.1:${port}/healthz`]) {
        const asked = Date.now();
        expect(await status(url)).toBe(503);
        expect(Date.now() - asked).toBeLessThan(1_000);
      }

      await own.launch();
      const deadline = Date.now() + 15_000;
      while ((await status(page)) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const back = await fetch(page);
      expect(back.status).toBe(200);
      expect(await back.text()).toContain('Question 0: how does verifier search');
      expect(await web.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      connection.disconnect();
      await own.stop();
    }
  });
});
