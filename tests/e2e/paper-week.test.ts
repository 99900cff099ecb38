import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { customIdOf } from '../support/live.js';
import { offsetsFor, schedulePosts, slotAhead } from '../support/schedule.js';
import { configureSeedGuild } from '../support/setup-guild.js';

const VOTERS = Array.from({ length: 12 }, (_, i) => `Voter ${i + 1}`);
const SUGGESTERS = ['Charlie', 'Cong', 'Hanish', 'David'];
const link = (i: number) => `https://example.org/papers/${i}`;
const numberOf = (text: string | undefined) => Number(text?.match(/papers\/(\d+)/)?.[1]);

/**
 * A week of the paper club, compressed into seconds: papers suggested and voted on with buttons, the weekly poll
 * at its offset, presenters asked to confirm (one can't), the poll closing as the agenda goes out, and the agenda
 * in the poll's order with its presenters.
 */
describe('GIVEN 12 suggested papers voted on with buttons, two presenters, and a weekly poll and confirmations set', () => {
  let h: Harness;
  let ids: Record<string, string>;
  let slot: ReturnType<typeof slotAhead>;
  let agendaOffset = 0;
  let charlieButtons: string[] = [];
  let charlieDm: APIMessage;
  const announce = () => h.emu.world.channelByName(h.guild, 'announcements').id;
  const dmsOf = (name: string) => h.emu.messagesIn(h.emu.dmChannel(ids[name]!).id);
  const confirmDm = (name: string) => dmsOf(name).find((m) => m.content.startsWith('Still presenting'));

  beforeAll(async () => {
    h = await startPrivateHarness(VOTERS);
    ids = Object.fromEntries(
      ['Charlie', 'Cong', 'Hanish', 'Tanishq'].map((n) => [n, h.emu.world.memberByName(h.guild, n).user.id]),
    );
    await configureSeedGuild(h);
    await h.emu.command(as(h, 'Tanishq'), 'setup', 'queue', { order: 'votes' }).answer();
    for (let i = 1; i <= 12; i++)
      await h.emu.command(as(h, SUGGESTERS[i % 4]!), 'paper', 'add', { url: link(i) }).answer();
    const cards = () => h.emu.messagesIn(announce()).filter((m) => numberOf(m.embeds[0]?.url) > 0);
    await until(() => cards().length === 12, 20_000, 'the paper cards');
    const card = (i: number) => cards().find((m) => numberOf(m.embeds[0]!.url) === i)!;
    // Paper i gets i votes.
    for (const [k, voter] of VOTERS.entries())
      for (let i = k + 1; i <= 12; i++) await h.emu.button(as(h, voter), card(i), customIdOf(card(i))).answer();
    const assigned = await h.emu
      .command(as(h, 'Tanishq'), 'paper', 'presenter', { paper: link(12), member: ids.Charlie! })
      .answer();
    expect(assigned.content).toBe(`<@${ids.Charlie}> presents **${link(12)}**.`);
    expect((await h.emu.button(as(h, 'Cong'), card(11), customIdOf(card(11), 1)).answer()).content).toMatch(
      /^You present this paper/,
    );
    await h.jobs.done();

    slot = slotAhead(Date.now(), 40_000);
    const set = await h.emu
      .command(as(h, 'Tanishq'), 'schedule', 'set', { weekday: slot.weekday, time: slot.time, timezone: 'UTC' })
      .answer();
    expect(set.content).toMatch(/^Saved|Next session/);
    // From now: the poll in 3 s, the confirmations in 6 s, the agenda (and the poll's close) in 16 s.
    const [poll, confirm, agenda] = offsetsFor(slot.start, Date.now(), [3, 6, 16]).seconds;
    agendaOffset = agenda!;
    const saved = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'reminders', {
        offsets: `${agenda}s`,
        poll: `${poll}s`,
        confirm: `${confirm}s`,
      })
      .answer();
    expect(saved.content).toContain('The poll of the queue goes out');
  }, 120_000);
  afterAll(() => h.stop());

  let poll: APIMessage;
  it('WHEN the poll time comes THEN one poll of the 10 most voted goes up by itself, and members vote in it', async () => {
    await until(() => h.emu.messagesIn(announce()).some((m) => m.poll), 10_000, 'the weekly poll');
    poll = h.emu.messagesIn(announce()).find((m) => m.poll)!;
    expect(poll.poll!.answers.map((a) => numberOf(a.poll_media.text))).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    // It closes when the agenda goes out: Discord is told in whole hours, the bot ends it on time.
    expect(poll.content).toContain(`closes <t:${Math.floor((slot.start - agendaOffset * 1000) / 1000)}:R>`);
    for (const voter of VOTERS.slice(0, 5)) h.emu.votePoll(h.guild, voter, poll, [10]); // papers/3
    for (const voter of VOTERS.slice(5, 8)) h.emu.votePoll(h.guild, voter, poll, [9]); // papers/4
    h.emu.votePoll(h.guild, 'Voter 9', poll, [2]);
    h.emu.votePoll(h.guild, 'Voter 9', poll, [9]); // changed: papers/4 has 4
  });

  it('WHEN presenters are asked to confirm THEN each gets one DM with Yes / I can’t; yes is noted, and I can’t frees the paper and tells the hosts without pinging the member', async () => {
    await until(() => confirmDm('Charlie') !== undefined && confirmDm('Cong') !== undefined, 15_000, 'the confirm DMs');
    const charlie = (charlieDm = confirmDm('Charlie')!);
    expect(charlie.content).toBe(
      `Still presenting **${link(12)}** on <t:${slot.start / 1000}:F> (<t:${slot.start / 1000}:R>)?`,
    );
    charlieButtons = [customIdOf(charlie, 0), customIdOf(charlie, 1)];
    const yes = await h.emu.dmButton(h.guild, 'Charlie', charlie, charlieButtons[0]!).answer();
    expect(yes.content).toBe(`You present **${link(12)}** on <t:${slot.start / 1000}:F>. Thank you!`);
    expect(h.emu.findMessage(charlie.id)!.components).toEqual([]);

    const cong = confirmDm('Cong')!;
    const congYes = customIdOf(cong, 0);
    const cant = await h.emu.dmButton(h.guild, 'Cong', cong, customIdOf(cong, 1)).answer();
    expect(cant.content).toMatch(/^Noted: you no longer present \*\*https:\/\/example\.org\/papers\/11\*\*/);
    await until(
      () => h.emu.posts.some((p) => p.message.content.includes('needs a presenter for')),
      10_000,
      'the note to the hosts',
    );
    const note = h.emu.posts.find((p) => p.message.content.includes('needs a presenter for'))!;
    const hosts = h.emu.world.roleByName(h.guild, 'hosts').id;
    expect(note.channelId).toBe(announce());
    expect(note.message.content).toMatch(
      new RegExp(`^<@&${hosts}> \\*\\*${link(11).replace(/[./]/g, '\\$&')}\\*\\* needs a presenter`),
    );
    expect(note.pings).toEqual({ everyone: false, roles: [hosts], users: [] });
    const freed = (await h.bot.internals.papers.queue(h.guild.id)).find((p) => numberOf(p.ref.url) === 11)!;
    expect(freed.presenterId).toBeUndefined();

    // A second press of an answered DM changes nothing: Cong no longer presents it.
    const again = await h.emu.dmButton(h.guild, 'Cong', cong, congYes).answer();
    expect(again.content).toBe('You no longer present that paper; nothing changed.');
    for (const name of ['Charlie', 'Cong']) {
      const dm = h.emu.dmChannel(ids[name]!).id;
      const asked = h.emu.posts.filter(
        (p) => p.action === 'create' && p.channelId === dm && String(p.body.content).startsWith('Still presenting'),
      );
      expect(asked).toHaveLength(1);
    }
    // The agenda (pinging the club's role) may have gone out by now too.
    expectCleanDiscord(h, { roles: [hosts, h.emu.world.roleByName(h.guild, 'paper-club').id] });
  });

  it('WHEN the agenda goes out THEN the poll has closed, the queue follows it, and the agenda shows that order with its presenters', async () => {
    await until(() => schedulePosts(h.emu, h.guild).agendas.length === 1, 20_000, 'the agenda');
    await until(
      () => h.emu.messagesIn(announce()).some((m) => m.content.startsWith('**The poll has closed.**')),
      20_000,
      'the poll result',
    );
    const agendaId = schedulePosts(h.emu, h.guild).agendas[0]!.messageId;
    const lines = () =>
      h.emu
        .findMessage(agendaId)!
        .embeds[0]!.description!.split('\n')
        .filter((l) => /^\d+\./.test(l));
    await until(() => numberOf(lines()[0]) === 3, 10_000, 'the agenda in the poll order');
    expect(lines().map(numberOf)).toEqual([3, 4, 12, 11, 10, 9, 8, 7, 6, 5, 2, 1].slice(0, lines().length));
    expect(lines().find((l) => numberOf(l) === 12)).toContain(`presented by <@${ids.Charlie}>`);
    expect(lines().find((l) => numberOf(l) === 11)).toContain('needs a presenter');
    expect(h.emu.messagesIn(announce()).filter((m) => m.poll)).toHaveLength(1);
    expect(h.emu.posts.filter((p) => p.message.content.startsWith('**The poll has closed.**'))).toHaveLength(1);
  });

  it('WHEN a presenter answers after the session started THEN refused, and nothing changes', async () => {
    await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
    await h.jobs.done();
    const late = await h.emu.dmButton(h.guild, 'Charlie', charlieDm, charlieButtons[1]!).answer();
    expect(late.content).toBe('The session has started; tell a host in the server instead.');
    const paper = (await h.bot.internals.papers.queue(h.guild.id)).find((p) => numberOf(p.ref.url) === 12)!;
    expect(paper.presenterId).toBe(ids.Charlie);
  });
});
