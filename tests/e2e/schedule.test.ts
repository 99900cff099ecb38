import { afterEach, describe, expect, it } from 'vitest';
import { GuildScheduledEventStatus } from 'discord-api-types/v10';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { jobPrefix } from '../../src/jobs/job-queue.js';
import { until } from '../support/bot-process.js';
import { as, mentionLeaks } from '../support/as.js';
import { RunningClock } from '../support/clock.js';
import { startHarness, type Harness } from '../support/harness.js';
import { offsetsFor, postsSettled, schedulePosts, slotAhead } from '../support/schedule.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function configure(harness: Harness, offsets: string): Promise<void> {
  const tanishq = as(harness, 'Tanishq');
  for (const [sub, options] of [
    ['channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }],
    ['roles', { host: '@hosts', ping: '@paper-club' }],
    ['reminders', { offsets }],
  ] as const) {
    expect((await harness.emu.command(tanishq, 'setup', sub, options).answer()).content).toMatch(/^Saved/);
  }
}

/** Reads this bot's BullMQ queue directly, on a connection of its own. */
async function withQueue<T>(harness: Harness, read: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const queue = new Queue('lectern', { connection, prefix: jobPrefix(harness.config.DISCORD_APPLICATION_ID) });
  try {
    return await read(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Delayed jobs of this bot's queue, with when each falls due on the bot's clock (`clock`: the bot's, if not real). */
const delayedJobs = (harness: Harness, clock: () => number = Date.now) =>
  withQueue(harness, async (queue) =>
    (await queue.getDelayed()).map((job) => ({
      id: job.id,
      name: job.name,
      data: job.data as { guildId?: string; start?: number; at?: number },
      // BullMQ runs a delayed job at its add time plus its delay, on the real clock.
      dueAt: job.timestamp + job.delay + (clock() - Date.now()),
    })),
  );

/** The job that will open this guild's next session: its id, the start it was planned for, and when it falls due. */
async function openJobs(harness: Harness, clock?: () => number) {
  return (await delayedJobs(harness, clock))
    .filter((j) => j.name === 'schedule.open' && j.data.guildId === harness.guild.id)
    .map((j) => ({ id: j.id, at: j.data.at, dueAt: j.dueAt }));
}

/** Exactly one open job waits, for `start`, due then (give or take the millisecond the clock reading straddles). */
async function expectOpenJob(harness: Harness, clock: () => number, start: number): Promise<void> {
  const jobs = await openJobs(harness, clock);
  expect(jobs.map(({ id, at }) => ({ id, at }))).toEqual([{ id: `open-${harness.guild.id}-${start}`, at: start }]);
  expect(Math.abs(jobs[0]!.dueAt - start)).toBeLessThanOrEqual(2);
}

/** The schedule's own delayed jobs for this guild (posts and auto-end), by session start. */
async function plannedStarts(harness: Harness): Promise<number[]> {
  const jobs = (await delayedJobs(harness)).filter(
    (j) => (j.name === 'schedule.post' || j.name === 'schedule.autoend') && j.data.guildId === harness.guild.id,
  );
  return jobs.map((j) => j.data.start!).sort();
}

const eventsByStart = (harness: Harness) =>
  [...harness.guild.scheduledEvents.values()]
    .map((e) => ({ start: new Date(e.scheduled_start_time).toISOString(), status: e.status }))
    .sort((a, b) => a.start.localeCompare(b.start) || a.status - b.status);

describe('GIVEN a weekly schedule a few seconds ahead', () => {
  it('THEN the event, the agenda (with DMs) and each reminder go out once, within 1 s; the event follows', async () => {
    h = await startHarness();
    const harness = h;
    const slot = slotAhead(Date.now(), 20_000);
    const offsets = offsetsFor(slot.start, Date.now(), [4, 6, 8]);
    await configure(harness, offsets.text);
    const members = Object.fromEntries(
      ['Charlie', 'Cong', 'Hanish'].map((name) => [name, harness.emu.world.memberByName(harness.guild, name).user.id]),
    );
    harness.emu.world.dmClosed.add(members.Hanish!);
    for (const [url, presenter] of [
      ['https://example.org/first', 'Charlie'],
      ['https://example.org/second', 'Cong'],
      ['https://example.org/third', 'Hanish'],
      ['https://example.org/fourth', 'Charlie'],
    ] as const) {
      expect(
        (await harness.emu.command(as(harness, 'Aran'), 'paper', 'add', { url, presenter }).answer()).content,
      ).toMatch(/^Queued/);
    }

    const set = await harness.emu
      .command(as(harness, 'Tanishq'), 'schedule', 'set', {
        weekday: slot.weekday,
        time: slot.time,
        timezone: 'UTC',
        duration: 30,
      })
      .answer();
    expect(set.content).toContain(`Next session: <t:${slot.start / 1000}:F>`);

    // The event: on the stage, at the slot, scheduled.
    await until(() => harness.guild.scheduledEvents.size === 1, 5_000, 'the scheduled event');
    const event = [...harness.guild.scheduledEvents.values()][0]!;
    expect(Date.parse(event.scheduled_start_time)).toBe(slot.start);
    expect(Date.parse(event.scheduled_end_time!)).toBe(slot.start + 30 * 60_000);
    expect(event.channel_id).toBe(harness.emu.world.channelByName(harness.guild, 'paper-stage').id);
    expect(event.description).toContain('1. https://example.org/first');

    await until(() => schedulePosts(harness.emu, harness.guild).reminders.length === 2, 15_000, 'both reminders');
    await postsSettled(harness.jobs.queue, harness.guild.id, slot.start); // no post job left: the counts are final
    const { agendas, reminders } = schedulePosts(harness.emu, harness.guild);
    expect(agendas).toHaveLength(1);
    expect(reminders).toHaveLength(2);
    const sent = [agendas[0]!, ...reminders];
    sent.forEach((post, i) => {
      expect(post.at - offsets.targets[i]!).toBeGreaterThanOrEqual(0);
      expect(post.at - offsets.targets[i]!).toBeLessThan(1_000);
    });

    const ping = [...harness.guild.roles.values()].find((r) => r.name === 'paper-club')!.id;
    const agenda = agendas[0]!;
    expect(agenda.message.content).toBe(
      `<@&${ping}> The agenda for <t:${slot.start / 1000}:F> (<t:${slot.start / 1000}:R>) is up.`,
    );
    expect(agenda.pings.roles).toEqual([ping]);
    const lines = agenda.message.embeds[0]!.description!.split('\n').filter((l) => /^\d\./.test(l));
    expect(lines).toEqual([
      `1. [https://example.org/first](https://example.org/first) · presented by <@${members.Charlie}>`,
      `2. [https://example.org/second](https://example.org/second) · presented by <@${members.Cong}>`,
      `3. [https://example.org/third](https://example.org/third) · presented by <@${members.Hanish}>`,
      `4. [https://example.org/fourth](https://example.org/fourth) · presented by <@${members.Charlie}>`,
    ]);
    // The agenda gains the event link (an edit, not a new post).
    const eventLink = `https://discord.com/events/${harness.guild.id}/${event.id}`;
    await until(
      () => harness.emu.findMessage(agenda.messageId)!.embeds[0]!.fields!.some((f) => f.value.includes(eventLink)),
      5_000,
      'the event link on the agenda',
    );
    for (const reminder of reminders) {
      expect(reminder.message.content).toMatch(
        new RegExp(`^<@&${ping}> \\*\\*Paper reading starts in [\\dhms]+\\*\\*: <t:${slot.start / 1000}:F>`),
      );
      expect(reminder.pings.roles).toEqual([ping]);
    }

    // One DM per presenter, naming all their papers; Hanish has DMs closed: noted, not retried.
    const dms = (name: string) => harness.emu.messagesIn(harness.emu.dmChannel(members[name]!).id);
    expect(dms('Charlie')).toHaveLength(1);
    expect(dms('Charlie')[0]!.content).toMatch(
      /^You are presenting \*\*https:\/\/example\.org\/first\*\*.* and \*\*https:\/\/example\.org\/fourth\*\*/,
    );
    expect(dms('Cong')).toHaveLength(1);
    expect(dms('Hanish')).toHaveLength(0);
    const show = await harness.emu.command(as(harness, 'Charlie'), 'schedule', 'show').answer();
    expect(show.embeds[0]!.description).toContain(`**Could not DM** (DMs closed): <@${members.Hanish}>`);
    expect(show.embeds[0]!.description).toContain(`**Event**: ${eventLink}`);

    // The queue changes after the agenda: the agenda is edited, not posted again.
    await harness.emu
      .command(as(harness, 'Tanishq'), 'paper', 'move', { paper: 'https://example.org/fourth', position: 1 })
      .answer();
    await until(
      () =>
        harness.emu.findMessage(agenda.messageId)!.embeds[0]!.description!.includes('1. [https://example.org/fourth]'),
      6_000,
      'the agenda edit',
    );
    expect(schedulePosts(harness.emu, harness.guild).agendas).toHaveLength(1);

    // The session runs: the event goes active, then completed.
    await harness.emu.command(as(harness, 'Tanishq'), 'session', 'start').answer();
    await until(() => event.status === GuildScheduledEventStatus.Active, 5_000, 'the event to go active');
    await harness.emu.command(as(harness, 'Tanishq'), 'session', 'end').answer();
    await until(() => event.status === GuildScheduledEventStatus.Completed, 5_000, 'the event to complete');
    // Nothing of this session is left waiting.
    const jobs = await delayedJobs(harness);
    expect(jobs.filter((j) => j.name === 'schedule.post' && j.data.start === slot.start)).toEqual([]);
    // Ended before its slot: the job that opens next week's session still waits for the slot's start.
    await expectOpenJob(harness, Date.now, slot.start);
    expect(harness.emu.violations).toEqual([]);
    expect(mentionLeaks(harness, { roles: [ping] })).toEqual([]);
  }, 60_000);
});

describe("GIVEN a schedule WHEN a session's start comes", () => {
  it("THEN its open job runs at that second and opens next week's session: its event, posts and open job", async () => {
    const clock = new RunningClock('2026-12-02T11:59:57Z');
    h = await startHarness({ clock: clock.now });
    const harness = h;
    await configure(harness, '24h,1h');
    const S1 = Date.parse('2026-12-02T12:00:00Z');
    const S2 = Date.parse('2026-12-09T12:00:00Z');
    await harness.emu
      .command(as(harness, 'Tanishq'), 'schedule', 'set', { weekday: 'wednesday', time: '12:00', timezone: 'UTC' })
      .answer();
    await expectOpenJob(harness, clock.now, S1);

    await until(() => eventsByStart(harness).length === 2, 10_000, "next week's event");
    const opener = await withQueue(harness, (queue) => queue.getJob(`open-${harness.guild.id}-${S1}`));
    // BullMQ stamps the run with the real clock; on the bot's clock it ran within a second after 12:00.
    const ranAt = opener!.processedOn! + (clock.now() - Date.now());
    expect(ranAt - S1).toBeGreaterThanOrEqual(0);
    expect(ranAt - S1).toBeLessThan(1_000);
    expect(eventsByStart(harness).map((e) => e.start)).toEqual([S1, S2].map((t) => new Date(t).toISOString()));
    // This week's auto-end still waits; next week's agenda, reminder and auto-end are planned.
    expect(await plannedStarts(harness)).toEqual([S1, S2, S2, S2]);
    await expectOpenJob(harness, clock.now, S2);
    expect(harness.emu.violations).toEqual([]);
  }, 30_000);
});

describe('GIVEN a schedule WHEN hosts skip, pause, resume and move it', () => {
  it('THEN each change leaves no stale job in the queue, no stale post, and the events follow', async () => {
    const clock = new RunningClock('2026-12-01T11:59:56Z');
    h = await startHarness({ clock: clock.now });
    const harness = h;
    await configure(harness, '24h,1h,10m');
    const tanishq = as(harness, 'Tanishq');
    const S1 = Date.parse('2026-12-02T12:00:00Z');
    const S2 = Date.parse('2026-12-09T12:00:00Z');
    const { Scheduled, Canceled } = GuildScheduledEventStatus;

    await harness.emu
      .command(tanishq, 'schedule', 'set', { weekday: 'wednesday', time: '12:00', timezone: 'UTC' })
      .answer();
    expect(await plannedStarts(harness)).toEqual([S1, S1, S1, S1]);
    await expectOpenJob(harness, clock.now, S1);
    await until(() => eventsByStart(harness).length === 1, 5_000, 'the first event');

    // Skipped four seconds before its agenda was due.
    const skip = await harness.emu.command(tanishq, 'schedule', 'skip', { date: '2026-12-02' }).answer();
    expect(skip.content).toBe(
      'The session of 2026-12-02 is skipped; its reminders will not go out. ' +
        `Next session: <t:${S2 / 1000}:F> (<t:${S2 / 1000}:R>).`,
    );
    expect(await plannedStarts(harness)).toEqual([S2, S2, S2, S2]);
    await expectOpenJob(harness, clock.now, S2);
    await until(() => eventsByStart(harness).length === 2, 5_000, 'the next event');
    expect(eventsByStart(harness)).toEqual([
      { start: '2026-12-02T12:00:00.000Z', status: Canceled },
      { start: '2026-12-09T12:00:00.000Z', status: Scheduled },
    ]);

    // Refusals change nothing.
    expect((await harness.emu.command(tanishq, 'schedule', 'skip', { date: '2026-12-03' }).answer()).content).toBe(
      '2026-12-03 is a thursday; sessions are on wednesdays.',
    );
    expect((await harness.emu.command(tanishq, 'schedule', 'skip', { date: '2026-02-30' }).answer()).content).toMatch(
      /is not a date: write it as YYYY-MM-DD/,
    );
    expect(
      (
        await harness.emu
          .command(tanishq, 'schedule', 'set', { weekday: 'friday', time: '18:00', timezone: 'PST' })
          .answer()
      ).content,
    ).toMatch(/`PST` is not a time zone name\. Abbreviations are ambiguous/);
    expect((await harness.emu.command(as(harness, 'Charlie'), 'schedule', 'pause').answer()).content).toMatch(/hosts/i);
    expect(await plannedStarts(harness)).toEqual([S2, S2, S2, S2]);

    await harness.emu.command(tanishq, 'schedule', 'pause').answer();
    expect(await plannedStarts(harness)).toEqual([]);
    expect(await openJobs(harness)).toEqual([]);
    await until(
      () => eventsByStart(harness).every((e) => e.status === Canceled),
      5_000,
      "the paused session's event to be cancelled",
    );
    expect((await harness.emu.command(tanishq, 'schedule', 'show').answer()).content).toMatch(/\*\*Paused\*\*/);

    const resumed = await harness.emu.command(tanishq, 'schedule', 'resume').answer();
    expect(resumed.content).toBe(`Resumed. Next session: <t:${S2 / 1000}:F> (<t:${S2 / 1000}:R>).`);
    expect(await plannedStarts(harness)).toEqual([S2, S2, S2, S2]);
    await expectOpenJob(harness, clock.now, S2);
    await until(
      () => eventsByStart(harness).filter((e) => e.status === Scheduled).length === 1,
      15_000,
      'a new event for the resumed session',
    );

    // Moved to Thursdays 18:00 Berlin (17:00 UTC in winter).
    const S3 = Date.parse('2026-12-03T17:00:00Z');
    await harness.emu
      .command(tanishq, 'schedule', 'set', {
        weekday: 'thursday',
        time: '18:00',
        timezone: 'Europe/Berlin',
        duration: 120,
      })
      .answer();
    expect(await plannedStarts(harness)).toEqual([S3, S3, S3, S3]);
    await expectOpenJob(harness, clock.now, S3);
    await until(
      () => eventsByStart(harness).some((e) => e.start === '2026-12-03T17:00:00.000Z'),
      15_000,
      "the moved session's event",
    );
    await until(
      () => eventsByStart(harness).filter((e) => e.status === Scheduled).length === 1,
      5_000,
      'older events cancelled',
    );

    // Past the skipped session's agenda time: it never went out.
    await until(() => clock.now() > S1 - 86_400_000 + 2_000, 10_000, 'the skipped agenda time to pass');
    expect(schedulePosts(harness.emu, harness.guild).agendas).toEqual([]);
    expect(harness.emu.violations).toEqual([]);
  }, 60_000);
});

describe('GIVEN the bot down across a reminder WHEN it is back twenty minutes after it', () => {
  it('THEN that reminder is dropped, the next is on time, and a session left on ends 1 h past its end', async () => {
    const clock = new RunningClock('2026-12-02T11:29:57Z');
    h = await startHarness({ clock: clock.now });
    const harness = h;
    await configure(harness, '30m,25m,5m');
    await harness.emu
      .command(as(harness, 'Aran'), 'paper', 'add', { url: 'https://example.org/only', presenter: 'Cong' })
      .answer();
    await harness.emu
      .command(as(harness, 'Tanishq'), 'schedule', 'set', {
        weekday: 'wednesday',
        time: '12:00',
        timezone: 'UTC',
        duration: 30,
      })
      .answer();
    await until(() => schedulePosts(harness.emu, harness.guild).agendas.length === 1, 6_000, 'the agenda');

    // Down from 11:30 to 11:54:56: the 11:35 reminder passes unseen.
    await harness.restartBot(() => clock.jumpTo('2026-12-02T11:54:56Z'));
    await until(() => schedulePosts(harness.emu, harness.guild).reminders.length === 1, 8_000, 'the 5m reminder');
    // Each of the three posts has run (the 25m one late, to be dropped): a late reminder would be out by now.
    await postsSettled(harness.jobs.queue, harness.guild.id, Date.parse('2026-12-02T12:00:00Z'));
    const { reminders } = schedulePosts(harness.emu, harness.guild);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.message.content).toContain('starts in 5m');
    expect(reminders[0]!.at - Date.parse('2026-12-02T11:55:00Z')).toBeGreaterThanOrEqual(0);
    expect(reminders[0]!.at - Date.parse('2026-12-02T11:55:00Z')).toBeLessThan(1_000);
    const show = await harness.emu.command(as(harness, 'Tanishq'), 'schedule', 'show').answer();
    expect(show.embeds[0]!.description).toContain('**Done**: 30m posted, 25m dropped (late), 5m posted');

    await harness.emu.command(as(harness, 'Tanishq'), 'session', 'start').answer();
    const event = [...harness.guild.scheduledEvents.values()][0]!;
    await until(() => event.status === GuildScheduledEventStatus.Active, 5_000, 'the event to go active');
    // Nobody ends it: at 13:30 (an hour after the 12:30 end) it ends itself, with its recap.
    clock.jumpTo('2026-12-02T13:29:58Z');
    await harness.bot.internals.jobs.realign(clock.now());
    const recaps = harness.emu.world.channelByName(harness.guild, 'recaps').id;
    await until(() => harness.emu.messagesIn(recaps).length > 0, 10_000, 'the recap');
    expect((await harness.bot.internals.sessions.current(harness.guild.id))?.status).not.toBe('live');
    await until(() => event.status === GuildScheduledEventStatus.Completed, 5_000, 'the event to complete');
    expect(harness.emu.violations).toEqual([]);
  }, 60_000);
});

describe('GIVEN a live scheduled session WHEN its Scheduled Event is completed in Discord', () => {
  it('THEN the session ends as with /session end, and its recap is posted', async () => {
    const clock = new RunningClock('2026-12-02T11:59:50Z');
    h = await startHarness({ clock: clock.now });
    const harness = h;
    await configure(harness, '1h');
    await harness.emu
      .command(as(harness, 'Tanishq'), 'schedule', 'set', {
        weekday: 'wednesday',
        time: '12:00',
        timezone: 'UTC',
        duration: 30,
      })
      .answer();
    await until(() => harness.guild.scheduledEvents.size === 1, 5_000, 'the event');
    await harness.emu.command(as(harness, 'Tanishq'), 'session', 'start').answer();
    const event = [...harness.guild.scheduledEvents.values()][0]!;
    await until(() => event.status === GuildScheduledEventStatus.Active, 5_000, 'the event to go active');
    // A host ends the event from Discord's own menu.
    harness.emu.patchScheduledEvent(harness.guild.id, event.id, { status: GuildScheduledEventStatus.Completed });
    const recaps = harness.emu.world.channelByName(harness.guild, 'recaps').id;
    await until(() => harness.emu.messagesIn(recaps).length > 0, 10_000, 'the recap');
    const status = await harness.emu.command(as(harness, 'Charlie'), 'session', 'status').answer();
    expect(status.content).toMatch(/no session is live/i);
    expect(harness.emu.violations).toEqual([]);
  }, 30_000);
});
