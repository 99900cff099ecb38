import { afterEach, describe, expect, it } from 'vitest';
import { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv, eventually, JobWatch } from '../support/harness.js';
import { PrivateRedis } from '../support/redis-server.js';
import { offsetsFor, postsSettled, schedulePosts, slotAhead } from '../support/schedule.js';

/**
 * The fault cases, each against real bot processes, a real Redis and
 * the emulator: every agenda, reminder and DM ends up present exactly once.
 */
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  cleanup = [];
});

async function world(): Promise<{ emu: Emulator; guild: WorldGuild; redis: PrivateRedis }> {
  const redis = await PrivateRedis.start();
  const emu = await new Emulator().start();
  cleanup.push(
    () => redis.stop(),
    () => emu.stop(),
  );
  return { emu, guild: paperClub(emu), redis };
}

function bot(emu: Emulator, redis: PrivateRedis, extra: Record<string, string> = {}): BotProcess {
  const process = new BotProcess(
    botEnv(emu, redis.url, { LOG_LEVEL: 'info', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000', ...extra }),
  );
  cleanup.push(() => process.kill('SIGKILL'));
  return process;
}

/**
 * Setup, two papers with presenters (cards posted), and reminders at `secondsFromNow` for a slot a little ahead;
 * `extras`: the weekly poll and the presenters' confirmations, in seconds from now too.
 */
async function scheduleSoon(
  emu: Emulator,
  guild: WorldGuild,
  secondsFromNow: number[],
  extras: { poll?: number; confirm?: number } = {},
) {
  const as = (user: string) => ({ guild, user, channel: 'general' });
  await emu
    .command(as('Tanishq'), 'setup', 'channels', {
      announce: '#announcements',
      recap: '#recaps',
      stage: '#paper-stage',
    })
    .answer();
  await emu.command(as('Tanishq'), 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();
  await emu.command(as('Aran'), 'paper', 'add', { url: 'https://example.org/one', presenter: 'Charlie' }).answer();
  await emu.command(as('Aran'), 'paper', 'add', { url: 'https://example.org/two', presenter: 'Cong' }).answer();
  const announce = emu.world.channelByName(guild, 'announcements').id;
  await until(() => emu.messagesIn(announce).length === 2, 10_000, 'the paper cards');
  const slot = slotAhead(Date.now(), (Math.max(...secondsFromNow) + 15) * 1000);
  const offsets = offsetsFor(slot.start, Date.now(), secondsFromNow);
  const [poll, confirm] = offsetsFor(slot.start, Date.now(), [extras.poll ?? 0, extras.confirm ?? 0]).seconds;
  await emu
    .command(as('Tanishq'), 'setup', 'reminders', {
      offsets: offsets.text,
      ...(extras.poll !== undefined && { poll: `${poll}s` }),
      confirm: extras.confirm === undefined ? 'off' : `${confirm}s`,
    })
    .answer();
  const set = await emu
    .command(as('Tanishq'), 'schedule', 'set', { weekday: slot.weekday, time: slot.time, timezone: 'UTC' })
    .answer();
  expect(set.content).toMatch(/^Saved/);
  return { announce, start: slot.start, targets: offsets.targets };
}

/** Waits for the agenda, both reminders and both DMs and for the session's post jobs to end, then checks each once. */
async function expectEachPostOnce(
  emu: Emulator,
  guild: WorldGuild,
  redis: PrivateRedis,
  start: number,
  timeoutMs: number,
): Promise<void> {
  const dms = (name: string) => emu.messagesIn(emu.dmChannel(emu.world.memberByName(guild, name).user.id).id);
  const complete = () => {
    const { agendas, reminders } = schedulePosts(emu, guild);
    return agendas.length >= 1 && reminders.length >= 2 && dms('Charlie').length >= 1 && dms('Cong').length >= 1;
  };
  await until(complete, timeoutMs, 'the agenda, both reminders and both DMs');
  // A post sent twice would come from a job still to run (a rerun after a crash, a retry): none is left.
  const jobs = new JobWatch(redis.url, emu.applicationId);
  try {
    await postsSettled(jobs.queue, guild.id, start);
  } finally {
    await jobs.close();
  }
  const { agendas, reminders } = schedulePosts(emu, guild);
  expect(agendas).toHaveLength(1);
  expect(reminders).toHaveLength(2);
  expect(new Set(reminders.map((r) => r.message.content.match(/starts in ([\dhms]+)\*\*/)?.[1])).size).toBe(2);
  expect(dms('Charlie')).toHaveLength(1);
  expect(dms('Cong')).toHaveLength(1);
  expect(emu.violations).toEqual([]);
}

/** One poll, one result, and one "Still presenting?" DM per presenter, with no poll or confirm job left to run. */
async function expectPollOnce(
  emu: Emulator,
  guild: WorldGuild,
  redis: PrivateRedis,
  announce: string,
  timeoutMs: number,
) {
  const asked = (name: string) =>
    emu
      .messagesIn(emu.dmChannel(emu.world.memberByName(guild, name).user.id).id)
      .filter((m) => m.content.startsWith('Still presenting'));
  const results = () => emu.messagesIn(announce).filter((m) => m.content.startsWith('**The poll has closed.**'));
  await until(
    () => results().length >= 1 && asked('Charlie').length >= 1 && asked('Cong').length >= 1,
    timeoutMs,
    'the poll result and both confirm DMs',
  );
  const jobs = new JobWatch(redis.url, emu.applicationId);
  try {
    const mine = ['schedule.poll', 'schedule.confirm', 'poll.post', 'poll.close'];
    await eventually(
      async () =>
        !(await jobs.queue.getJobs(['wait', 'prioritized', 'active', 'delayed'])).some((j) => mine.includes(j.name)),
      20_000,
      'the poll and confirm jobs to be done',
    );
  } finally {
    await jobs.close();
  }
  expect(emu.messagesIn(announce).filter((m) => m.poll)).toHaveLength(1);
  expect(results()).toHaveLength(1);
  expect(asked('Charlie')).toHaveLength(1);
  expect(asked('Cong')).toHaveLength(1);
  expect(emu.violations).toEqual([]);
}

/**
 * Holds back Discord's answer to the next post in `announce` (stored, not yet answered), SIGKILLs `first` once
 * `reached` sees it, and starts a second process in its place.
 */
async function killOnceDiscordTook(
  emu: Emulator,
  redis: PrivateRedis,
  first: BotProcess,
  announce: string,
  reached: () => boolean,
) {
  emu.fault({
    method: 'POST',
    path: new RegExp(`^/channels/${announce}/messages$`),
    afterAccept: true,
    delayMs: 5_000,
    times: 1,
  });
  await until(reached, 10_000, 'the post to reach Discord');
  await first.kill('SIGKILL');
  const second = bot(emu, redis);
  await second.waitForLog(/worker ready/);
}

describe('GIVEN scheduled posts WHEN things go wrong', () => {
  it('(a) the worker is SIGKILLed once Discord took the agenda, before the job ended: once after restart', async () => {
    const { emu, guild, redis } = await world();
    const first = bot(emu, redis);
    await first.waitForLog(/worker ready/);
    const { announce, start } = await scheduleSoon(emu, guild, [3, 30, 34]);
    // The agenda is stored by Discord, but its answer is held back: the worker dies waiting for it.
    await killOnceDiscordTook(emu, redis, first, announce, () => schedulePosts(emu, guild).agendas.length === 1);
    await expectEachPostOnce(emu, guild, redis, start, 45_000);
  }, 90_000);

  it('(b) Redis is killed and restarted (AOF) between planning and firing: each post still goes out once', async () => {
    const { emu, guild, redis } = await world();
    const process = bot(emu, redis);
    await process.waitForLog(/worker ready/);
    // The reminders fall due well after the restart: a whole Redis Cluster coming back from its AOF, and the
    // clients finding every node again, took up to ~12 s on a loaded CI machine (one server: under 1 s).
    const { start, targets } = await scheduleSoon(emu, guild, [6, 16, 18]);
    await redis.aofWritten(); // the plan, stored before /schedule set answered, is in the append-only file
    await redis.restart();
    await expectEachPostOnce(emu, guild, redis, start, 30_000);
    // Reconnected in time: nothing went out late.
    const { reminders } = schedulePosts(emu, guild);
    for (const [i, reminder] of reminders.entries()) expect(reminder.at - targets[i + 1]!).toBeLessThan(1_000);
  }, 60_000);

  it('(c) Discord answers 500 twice and then 429 with retry_after: each post once', async () => {
    const { emu, guild, redis } = await world();
    const process = bot(emu, redis);
    await process.waitForLog(/worker ready/);
    const { announce, start } = await scheduleSoon(emu, guild, [3, 8, 12]);
    const path = new RegExp(`^/channels/${announce}/messages$`);
    emu.fault({ method: 'POST', path, status: 500, times: 2 });
    emu.fault({ method: 'POST', path, status: 429, retryAfter: 0.5, times: 1 });
    await expectEachPostOnce(emu, guild, redis, start, 25_000);
    expect(
      emu.requests.filter((r) => r.method === 'POST' && path.test(r.path) && r.status >= 400).map((r) => r.status),
    ).toEqual([500, 500, 429]);
  }, 60_000);

  it('(e) the worker is SIGKILLed once Discord took the weekly poll: one poll, one result, one confirm DM each', async () => {
    const { emu, guild, redis } = await world();
    const first = bot(emu, redis);
    await first.waitForLog(/worker ready/);
    const { announce } = await scheduleSoon(emu, guild, [14], { poll: 3, confirm: 8 });
    await killOnceDiscordTook(emu, redis, first, announce, () => emu.messagesIn(announce).some((m) => m.poll));
    await expectPollOnce(emu, guild, redis, announce, 45_000);
  }, 90_000);

  it('(f) Redis is killed and restarted (AOF) before the poll and the confirmations: each once', async () => {
    const { emu, guild, redis } = await world();
    const process = bot(emu, redis);
    await process.waitForLog(/worker ready/);
    const { announce } = await scheduleSoon(emu, guild, [20], { poll: 8, confirm: 12 });
    await redis.aofWritten();
    await redis.restart();
    await expectPollOnce(emu, guild, redis, announce, 45_000);
  }, 90_000);

  it('(d) two bot processes run at once on one Redis: each post once', async () => {
    const { emu, guild, redis } = await world();
    const gateway = bot(emu, redis);
    const worker = bot(emu, redis, { LECTERN_ROLE: 'worker' });
    await Promise.all([gateway.waitForLog(/worker ready/), worker.waitForLog(/worker ready/)]);
    const { start } = await scheduleSoon(emu, guild, [3, 5, 7]);
    await expectEachPostOnce(emu, guild, redis, start, 20_000);
  }, 60_000);
});
