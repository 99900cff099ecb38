import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floorMs } from '../../bench/limits.js';
import { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { botEnv, JobWatch } from '../support/harness.js';
import { PrivateRedis } from '../support/redis-server.js';
import { scheduleWave, smallClubs, wavePosts, waveOutcome, type Wave } from '../support/reminder-wave.js';

const CLUBS = 1_000;

/**
 * A thousand servers on the same weekly slot: every agenda falls due in one second, and every reminder in another.
 * Discord takes 50 requests a second from the bot, so a wave cannot end sooner than its floor (19 s for 1,000
 * posts); it must end within 10 % of it, each club's post once, no 429 provoked, and commands answered meanwhile.
 * The bot runs in its own process, as in production: Discord's clock is not slowed by the bot's work, nor the other way.
 */
describe('GIVEN 1,000 servers whose agendas and reminders fall due in the same second', () => {
  let redis: PrivateRedis;
  let emu: Emulator;
  let bot: BotProcess;
  let jobs: JobWatch;
  let clubs: WorldGuild[];
  let wave: Wave;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    emu = await new Emulator().start();
    clubs = smallClubs(emu, CLUBS);
    bot = new BotProcess(botEnv(emu, redis.url, { LOG_LEVEL: 'info' }));
    await bot.waitForLog(/worker ready/, 60_000);
    jobs = new JobWatch(redis.url, emu.applicationId);
    // Set up at 20 servers a second (about 50 s): each server's Scheduled Event goes out before the waves.
    wave = await scheduleWave(emu, clubs, { leadMs: 80_000, gapMs: 30_000 });
    await jobs.done({ timeoutMs: 70_000 });
  }, 240_000);
  afterAll(async () => {
    if (bot?.child.exitCode === null) await bot.kill('SIGTERM');
    await jobs?.close();
    await emu?.stop();
    await redis?.stop();
  });

  const floor = floorMs(CLUBS, 1);

  it('THEN every agenda is posted once, the last within the floor + 10 %, and /ping is answered meanwhile', async () => {
    expect(Date.now()).toBeLessThan(wave.agendaAt);
    const pings: number[] = [];
    await until(() => Date.now() >= wave.agendaAt + 1_000, 120_000, 'the agendas to fall due');
    for (const club of clubs.slice(0, 5)) {
      const sent = Date.now();
      await emu.command({ guild: club, user: 'Host', channel: 'general' }, 'ping').answer();
      pings.push(Date.now() - sent);
    }
    await until(() => wavePosts(emu, clubs).agendas.length >= CLUBS, 60_000, 'every agenda');
    const outcome = waveOutcome(emu, clubs, wavePosts(emu, clubs).agendas, wave.agendaAt);
    expect(outcome.once).toBe(true);
    expect(outcome.lastMs).toBeLessThan(floor * 1.1);
    expect(Math.max(...pings)).toBeLessThan(1_000);
  }, 120_000);

  it('THEN every reminder is posted once, the last within the floor + 10 %', async () => {
    await until(() => wavePosts(emu, clubs).reminders.length >= CLUBS, 120_000, 'every reminder');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const outcome = waveOutcome(emu, clubs, wavePosts(emu, clubs).reminders, wave.reminderAt);
    expect(outcome.once).toBe(true);
    expect(outcome.lastMs).toBeLessThan(floor * 1.1);
  }, 180_000);
});
