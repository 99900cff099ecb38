import { PermissionFlagsBits, type APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { eventually, startPrivateHarness, type Harness } from '../support/harness.js';
import { customIdOf } from '../support/live.js';
import { configureSeedGuild } from '../support/setup-guild.js';

const VOTERS = Array.from({ length: 12 }, (_, i) => `Voter ${i + 1}`);
const link = (i: number) => `https://example.org/papers/${i}`;
const SUGGESTERS = ['Charlie', 'Cong', 'Hanish', 'David'];

const announceOf = (h: Harness) => h.emu.world.channelByName(h.guild, 'announcements').id;
const pollMessages = (h: Harness) => h.emu.messagesIn(announceOf(h)).filter((m) => m.poll);
/** The queue in the order in force, as /paper list pages show it. */
const queueOrder = async (h: Harness) =>
  (await h.bot.internals.papers.queue(h.guild.id)).map((p) => Number(p.ref.url.split('/').pop()));

/** Ends the poll's time now: BullMQ runs its close job (planned for the poll's end) at once. */
async function closeTimeArrives(h: Harness) {
  const close = (await h.jobs.queue.getDelayed()).find((job) => job.name === 'poll.close');
  expect(close).toBeDefined();
  await close!.promote();
  // Its retries (while Discord finalizes the counts) keep the job's own two-hour delay option: wait on its state.
  await eventually(
    async () => (await h.jobs.queue.getJobState(close!.id!)) === 'completed',
    20_000,
    'the poll to close',
  );
  await h.jobs.done();
}

async function queuePapers(h: Harness, count: number, from = 1) {
  for (let i = from; i < from + count; i++) {
    const added = await h.emu
      .command(as(h, SUGGESTERS[i % SUGGESTERS.length]!), 'paper', 'add', { url: link(i) })
      .answer();
    expect(added.content).toMatch(/^Queued/);
  }
  const cards = () => h.emu.messagesIn(announceOf(h)).filter((m) => m.embeds[0]?.url?.startsWith(link(0).slice(0, -1)));
  await until(() => cards().length === from + count - 1, 20_000, 'the paper cards');
  return Array.from({ length: count }, (_, i) => cards().find((m) => m.embeds[0]!.url === link(from + i))!);
}

describe('GIVEN 12 suggested papers that members voted on with buttons, the queue ordered by votes', () => {
  let h: Harness;
  let poll: APIMessage;
  beforeAll(async () => {
    h = await startPrivateHarness(VOTERS);
    await configureSeedGuild(h);
    await h.emu.command(as(h, 'Tanishq'), 'setup', 'queue', { order: 'votes' }).answer();
    const cards = await queuePapers(h, 12);
    // Paper i gets i votes: Voter k votes for papers k to 12.
    for (const [k, voter] of VOTERS.entries())
      for (const card of cards.slice(k)) await h.emu.button(as(h, voter), card, customIdOf(card)).answer();
    await h.jobs.done();
  }, 120_000);
  afterAll(() => h.stop());

  it('WHEN a host runs /paper poll THEN a native poll of the 10 most voted goes up, the 2 left off are named, and a second poll is refused while it is open', async () => {
    expect(await queueOrder(h)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const reply = await h.emu.command(as(h, 'Aran'), 'paper', 'poll', { hours: 2 }).answer();
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toMatch(
      /^The poll of 10 papers goes up in <#\d+>; it closes <t:\d+:R>, and then the queue follows its result\. 2 more did not fit/,
    );
    await h.jobs.done();
    expect(pollMessages(h)).toHaveLength(1);
    poll = pollMessages(h)[0]!;
    expect(poll.poll!.answers.map((a) => a.poll_media.text)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map(link));
    expect(poll.poll!.allow_multiselect).toBe(true);
    const hours = (Date.parse(poll.poll!.expiry!) - Date.parse(poll.timestamp)) / 3_600_000;
    expect(hours).toBeCloseTo(2, 2);
    expect(poll.content).toMatch(/Not on the poll .*papers\/2.*papers\/1\./);

    const again = await h.emu.command(as(h, 'Tanishq'), 'paper', 'poll').answer();
    expect(again.content).toMatch(
      new RegExp(
        `^A poll is already open \\(https://discord.com/channels/${h.guild.id}/\\d+/${poll.id}\\); it closes <t:\\d+:R>\\. One poll at a time\\.$`,
      ),
    );
    expect(again.ephemeral).toBe(true);
    await h.jobs.done();
    expect(pollMessages(h)).toHaveLength(1);
    const member = await h.emu.command(as(h, 'Charlie'), 'paper', 'poll').answer();
    expect(member.content).toMatch(/host/i);
    expectCleanDiscord(h);
  });

  it('WHEN members vote in the poll (one changing their vote) and it closes THEN the final counts order the queue, the hosts are told, and the agenda-side list shows the new order', async () => {
    const vote = (voter: string, answers: number[]) => h.emu.votePoll(h.guild, voter, poll, answers);
    for (const voter of VOTERS.slice(0, 5)) vote(voter, [10]); // papers/3
    for (const voter of VOTERS.slice(5, 8)) vote(voter, [9]); // papers/4
    vote('Voter 9', [1]);
    vote('Voter 9', [9]); // changed their mind: papers/4 has 4
    vote('Voter 10', [1, 2]); // papers/12 and papers/11, one each
    expect(h.emu.polls.tally(poll.id)).toEqual(
      new Map([
        [10, 5],
        [9, 4],
        [1, 1],
        [2, 1],
      ]),
    );

    await closeTimeArrives(h);
    expect(
      h.emu.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/polls/${poll.id}/expire`)),
    ).toHaveLength(1);
    expect(await queueOrder(h)).toEqual([3, 4, 12, 11, 10, 9, 8, 7, 6, 5, 2, 1]);
    const result = h.emu.messagesIn(announceOf(h)).find((m) => m.content.startsWith('**The poll has closed.**'))!;
    expect(result.content.split('\n').slice(1, 5)).toEqual([
      `1. ${link(3)} · 5 votes`,
      `2. ${link(4)} · 4 votes`,
      `3. ${link(12)} · 1 vote`,
      `4. ${link(11)} · 1 vote`,
    ]);
    expect(result.content).toContain('The queue now opens with these papers in this order');
    // Discord's own result message is there too, and the bot posted nothing twice.
    expect(h.emu.messagesIn(announceOf(h)).filter((m) => m.type === 46)).toHaveLength(1);
    expect(h.emu.posts.filter((p) => p.message.content.startsWith('**The poll has closed.**'))).toHaveLength(1);

    // Who voted is there to read, a page at a time (the bot has no need to): five voters of papers/3, by id.
    const voters = async (query: string) =>
      (
        (await h.bot.client!.rest.get(`/channels/${poll.channel_id}/polls/${poll.id}/answers/10`, {
          query: new URLSearchParams(query),
        })) as { users: Array<{ id: string }> }
      ).users.map((u) => u.id);
    const first = await voters('limit=3');
    expect(first).toHaveLength(3);
    expect([...first, ...(await voters(`limit=3&after=${first[2]}`))]).toEqual(
      VOTERS.slice(0, 5)
        .map((v) => h.emu.world.memberByName(h.guild, v).user.id)
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
    // The bot does not ask for the GuildMessagePolls intent, so no vote event reached it.
    expect(h.emu.gateway.deliveries('MESSAGE_POLL_VOTE_ADD')).toEqual([]);

    // The poll is over: a new one may open, and a vote in the old one is refused by Discord.
    expect(() => vote('Voter 11', [3])).toThrow(/ended/);
    expectCleanDiscord(h);
  });

  it('WHEN a poll ends on Discord’s side first THEN the bot reads its final counts without expiring it again', async () => {
    const reply = await h.emu.command(as(h, 'Tanishq'), 'paper', 'poll', { hours: 1 }).answer();
    expect(reply.content).toMatch(/^The poll of 10 papers/);
    await h.jobs.done();
    const second = pollMessages(h).find((m) => m.id !== poll.id)!;
    // Candidates go by button votes, whatever the last poll did to the queue.
    expect(second.poll!.answers.map((a) => a.poll_media.text)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map(link));
    h.emu.votePoll(h.guild, 'Voter 12', second, [9]); // papers/4
    h.emu.endPoll(second);
    await closeTimeArrives(h);
    expect(h.emu.requests.filter((r) => r.path.endsWith(`/polls/${second.id}/expire`))).toHaveLength(0);
    expect(await queueOrder(h)).toEqual([4, 12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1]);
    expectCleanDiscord(h);
  });
});

describe('GIVEN the host order, or a queue too short for a poll, or no Send Polls', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startPrivateHarness(VOTERS);
    await configureSeedGuild(h);
    await queuePapers(h, 1);
  }, 60_000);
  afterAll(() => h.stop());

  it('WHEN a host polls a queue of one paper THEN refused with the reason, and nothing is posted', async () => {
    const reply = await h.emu.command(as(h, 'Tanishq'), 'paper', 'poll').answer();
    expect(reply.content).toBe('A poll needs at least 2 queued papers; the queue has 1. Add papers with /paper add.');
    expect(reply.ephemeral).toBe(true);
    await h.jobs.done();
    expect(pollMessages(h)).toHaveLength(0);
  });

  it('WHEN the poll closes with the queue in the hosts’ order THEN nothing moves and the note says why', async () => {
    await queuePapers(h, 2, 2);
    const reply = await h.emu.command(as(h, 'Tanishq'), 'paper', 'poll').answer();
    expect(reply.content).toMatch(/^The poll of 3 papers/);
    await h.jobs.done();
    h.emu.votePoll(h.guild, 'Voter 1', pollMessages(h)[0]!, [3]);
    await closeTimeArrives(h);
    expect(await queueOrder(h)).toEqual([1, 2, 3]);
    const result = h.emu.messagesIn(announceOf(h)).find((m) => m.content.startsWith('**The poll has closed.**'))!;
    expect(result.content).toMatch(/^\*\*The poll has closed\.\*\*\n1\. .*papers\/3 · 1 vote\n/);
    expect(result.content).toContain("The queue is in the hosts' order (/setup queue), so nothing moved");
  });

  it('WHEN the bot may not send polls in the announce channel THEN /paper poll and /setup channels say so, and nothing is posted', async () => {
    const announce = announceOf(h);
    const botRole = h.emu.world.roleByName(h.guild, 'Lectern').id;
    h.emu.setOverwrites(announce, [{ id: botRole, type: 0, allow: 0n, deny: PermissionFlagsBits.SendPolls }]);
    await until(
      () => {
        const channel = h.bot.client!.channels.cache.get(announce);
        return (
          channel !== undefined && 'permissionOverwrites' in channel && channel.permissionOverwrites.cache.has(botRole)
        );
      },
      5_000,
      'the bot to see the new overwrite',
    );
    const before = pollMessages(h).length;
    const reply = await h.emu.command(as(h, 'Tanishq'), 'paper', 'poll').answer();
    expect(reply.content).toBe(
      `I cannot post polls in <#${announce}>: give me Send Polls there (/setup show lists what is missing).`,
    );
    const channels = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'channels', {
        announce: '#announcements',
        recap: '#recaps',
        stage: '#paper-stage',
      })
      .answer();
    expect(channels.content).toMatch(/announce: in <#\d+> I am missing Send Polls/);
    await h.jobs.done();
    expect(pollMessages(h)).toHaveLength(before);
  });
});
