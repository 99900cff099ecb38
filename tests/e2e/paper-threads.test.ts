import { ChannelType, PermissionFlagsBits, type APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARXIV } from '../fixtures/papers.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import type { Harness } from '../support/harness.js';
import { customIdOf } from '../support/live.js';
import { paperClub, paperClubSpec } from '../support/guild.js';
import { configureSeedGuild } from '../support/setup-guild.js';
import { startStack, type Stack } from '../support/stack.js';

const SCALING = '2408.03314';
const GEMMA = '2408.00118';

/** A thread per queued paper, where members ask before the session; the session takes those questions up. */
describe('GIVEN two queued papers with their details fetched', () => {
  let stack: Stack;
  let h: Harness;
  const threads = new Map<string, string>();
  const announce = () => h.emu.world.channelByName(h.guild, 'announcements').id;
  const cardOf = (arxivId: string) =>
    h.emu.messagesIn(announce()).find((m) => m.embeds[0]?.url === `https://arxiv.org/abs/${arxivId}`);
  const askIn = (user: string, channel: string, question: string, anonymous = false) =>
    h.emu.command(as(h, user, channel), 'ask', undefined, { question, anonymous }).answer();

  beforeAll(async () => {
    stack = await startStack();
    h = stack.h;
    await configureSeedGuild(h);
    for (const url of [SCALING, GEMMA])
      await h.emu
        .command(as(h, 'Aran'), 'paper', 'add', {
          url,
          presenter: h.emu.world.memberByName(h.guild, 'Charlie').user.id,
        })
        .answer();
    await until(
      () => [SCALING, GEMMA].every((id) => cardOf(id) && h.emu.world.channels.has(cardOf(id)!.id)),
      20_000,
      'the cards and their threads',
    );
    for (const id of [SCALING, GEMMA]) threads.set(id, cardOf(id)!.id);
  }, 60_000);
  afterAll(() => stack.stop());

  it('WHEN a paper is queued THEN its card opens a thread named after it, with its authors, abstract and link', async () => {
    const thread = h.emu.world.channels.get(threads.get(SCALING)!)!;
    expect(thread.name).toBe(ARXIV[SCALING]!.title.slice(0, 100));
    const [intro] = h.emu.messagesIn(thread.id);
    expect(intro!.content.split('\n')).toEqual([
      `**${ARXIV[SCALING]!.title}**`,
      ARXIV[SCALING]!.authors.join(', '),
      `> ${ARXIV[SCALING]!.summary}`,
      `<https://arxiv.org/abs/${SCALING}>`,
      '',
      'Questions for the session? Ask them here with `/ask` before it starts: they come up, with their votes, when this paper is presented.',
    ]);
    expectCleanDiscord(h);
  });

  it('WHEN members /ask in the thread before the session THEN each is kept for that paper; outside a thread /ask still needs a live session', async () => {
    const thread = threads.get(SCALING)!;
    const asked = [
      await askIn('Hanish', thread, 'Does the compute-optimal strategy hold for code?'),
      await askIn('Cong', thread, 'How do you estimate difficulty cheaply?'),
      await askIn('David', thread, 'Any results past 70B?', true),
    ];
    for (const answer of asked) {
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(
        /^Question logged( anonymously \(your name is stored nowhere\))? for \*\*Scaling LLM Test-Time Compute/,
      );
      expect(answer.content).toContain('asked before the session');
    }
    const general = await askIn('Hanish', 'general', 'Is this on?');
    expect(general.content).toBe('No session is live right now. A host starts one with /session start.');
    expectCleanDiscord(h);
  });

  it('WHEN the session presents that paper THEN its three questions are on cards, in /question list and on the board, votable and answerable; the recap marks them and links the thread', async () => {
    await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
    await h.emu.command(as(h, 'Tanishq'), 'paper', 'start', { paper: SCALING }).answer();
    await h.jobs.done();
    const list = await h.emu.command(as(h, 'Cong'), 'question', 'list').answer();
    const lines = list.embeds[0]!.description!.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.includes('asked before the session'))).toBe(true);
    expect(lines.find((l) => l.includes('past 70B'))).toContain('anonymous');

    const session = await h.bot.internals.sessions.current(h.guild.id);
    const sessionThread = (await h.bot.internals.sessions.get(h.guild.id, session!.id))!.board!.threadId!;
    const cards = h.emu.messagesIn(sessionThread).filter((m) => m.components?.length);
    const early = cards.flatMap((m) => m.embeds).filter((e) => e.author?.name?.includes('asked before the session'));
    expect(early).toHaveLength(3);
    const card = cards.find((m) => m.embeds.some((e) => e.description?.includes('estimate difficulty')))! as APIMessage;
    expect((await h.emu.button(as(h, 'Ben Schrod'), card, customIdOf(card)).answer()).content).toMatch(
      /^Upvoted: 1 vote/,
    );
    const answered = await h.emu
      .command(as(h, 'Tanishq'), 'question', 'answer', {
        question: 'estimate difficulty',
        answer: 'A learned verifier scores a few samples.',
      })
      .answer();
    expect(answered.content).toMatch(/^Answer recorded/);
    // During the session, a question in another queued paper's thread waits for that paper's turn.
    const waiting = await askIn('Charlie', threads.get(GEMMA)!, 'Is PaliGemma in this paper too?');
    expect(waiting.content).toMatch(/^Question logged for \*\*Gemma 2.*asked before its turn/);
    await h.jobs.done();
    const open = await h.emu.command(as(h, 'Cong'), 'question', 'list', { status: 'all' }).answer();
    expect(open.embeds[0]!.description).not.toContain('PaliGemma');
    const board = h.emu
      .messagesIn(announce())
      .find((m) => m.embeds[0]?.fields?.some((f) => f.name === 'Top questions'));
    expect(board?.embeds[0]!.fields!.find((f) => f.name === 'Top questions')!.value).toContain('compute-optimal');

    await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    await h.jobs.done();
    const recaps = h.emu.messagesIn(h.emu.world.channelByName(h.guild, 'recaps').id);
    const file = h.emu.attachmentText(recaps.find((m) => m.attachments.length > 0)!.attachments[0]!.id);
    expect(file).toContain(`Discussion: https://discord.com/channels/${h.guild.id}/${threads.get(SCALING)}`);
    expect(file).toMatch(/\*\*Q\*\* \(Cong, asked before the session\): How do you estimate difficulty cheaply\?/);
    expect(file).toMatch(/Any results past 70B\? \(anonymous, asked before the session\)/);
    expectCleanDiscord(h);
  });

  it('WHEN a member votes on a covered paper, or presses a vote button naming no paper THEN told why, and nothing is stored', async () => {
    const card = cardOf(SCALING)!;
    const covered = await h.emu.button(as(h, 'Hanish'), card, customIdOf(card)).answer();
    expect(covered.content).toBe('That paper has been covered; votes are for papers still to read.');
    expect(covered.ephemeral).toBe(true);
    const unknown = await h.emu.button(as(h, 'Hanish'), card, 'paper:vote:nope').answer();
    expect(unknown.content).toBe('That paper is no longer in the queue.');
    expect(await h.bot.internals.redis.keys('*:paper:*:voters')).toEqual([]);
  });

  it('WHEN a moderator deletes a paper’s thread THEN the bot says so once and goes on without it', async () => {
    const gemma = threads.get(GEMMA)!;
    h.emu.deleteThread(gemma);
    const said = () => h.emu.posts.filter((p) => p.message.content.startsWith('The discussion thread of **Gemma 2'));
    await until(() => said().length === 1, 10_000, 'the note');
    expect(said()[0]!.channelId).toBe(announce());
    const paper = (await h.bot.internals.papers.queue(h.guild.id)).find((p) => p.ref.id === GEMMA)!;
    const stored = (await h.bot.internals.papers.get(h.guild.id, paper.id))!;
    expect(stored.threadId).toBeUndefined();
    expect(stored.noThread).toBe(true);
    // A later card edit (a vote) opens no new thread, and says nothing again.
    await h.emu.button(as(h, 'Cong'), cardOf(GEMMA)!, customIdOf(cardOf(GEMMA)!)).answer();
    await h.jobs.done();
    expect(h.emu.world.channels.has(gemma)).toBe(false);
    expect(said()).toHaveLength(1);
    expectCleanDiscord(h);
  });

  it('WHEN the bot may not create threads THEN the card still goes up, without a thread', async () => {
    const botRole = h.emu.world.roleByName(h.guild, 'Lectern').id;
    h.emu.setOverwrites(announce(), [
      { id: botRole, type: 0, allow: 0n, deny: PermissionFlagsBits.CreatePublicThreads },
    ]);
    await h.emu.command(as(h, 'Aran'), 'paper', 'add', { url: '2408.06292' }).answer();
    await until(() => cardOf('2408.06292') !== undefined, 20_000, 'the card');
    await h.jobs.done();
    expect(h.emu.world.channels.has(cardOf('2408.06292')!.id)).toBe(false);
    const paper = (await h.bot.internals.papers.queue(h.guild.id)).find((p) => p.ref.id === '2408.06292')!;
    expect((await h.bot.internals.papers.get(h.guild.id, paper.id))!.noThread).toBe(true);
  });
});

describe('GIVEN a forum for paper posts, with the tags "queued" and "covered"', () => {
  let stack: Stack;
  let h: Harness;
  const forum = () => h.emu.world.channelByName(h.guild, 'papers');
  const tagId = (name: string) => forum().availableTags!.find((t) => t.name === name)!.id;
  beforeAll(async () => {
    stack = await startStack({
      guild: (emu) =>
        paperClub(emu, {
          // The seed guild's forum `papers` has the tags queued, covered and vision.
          channels: [...paperClubSpec().channels!, { name: 'bare-forum', type: ChannelType.GuildForum }],
        }),
    });
    h = stack.h;
    await configureSeedGuild(h);
  }, 60_000);
  afterAll(() => stack.stop());

  const channels = (papers: string) =>
    h.emu
      .command(as(h, 'Tanishq'), 'setup', 'channels', {
        announce: '#announcements',
        recap: '#recaps',
        stage: '#paper-stage',
        papers,
      })
      .answer();

  it('WHEN a host names a forum without the two tags THEN refused with the fix, and nothing saved', async () => {
    const answer = await channels('#bare-forum');
    expect(answer.content).toMatch(/^Nothing saved\./);
    expect(answer.content).toContain('needs the tags "queued" and "covered"');
    expect((await h.bot.internals.settings.get(h.guild.id)).papersForumId).toBeUndefined();
  });

  it('WHEN papers are queued THEN each gets a forum post tagged queued (not a thread on its card); questions asked there join its session, and after it the post is tagged covered', async () => {
    expect((await channels('#papers')).content).toMatch(/Each queued paper gets a post in <#\d+>\.$/);
    await h.emu.command(as(h, 'Aran'), 'paper', 'add', { url: SCALING }).answer();
    const post = () => [...h.emu.world.channels.values()].find((c) => c.parentId === forum().id);
    await until(() => post() !== undefined, 20_000, 'the forum post');
    expect(post()!.name).toBe(ARXIV[SCALING]!.title.slice(0, 100));
    expect(post()!.appliedTags).toEqual([tagId('queued')]);
    expect(h.emu.messagesIn(post()!.id)[0]!.content).toContain(`<https://arxiv.org/abs/${SCALING}>`);
    await h.jobs.done();
    const card = h.emu.messagesIn(h.emu.world.channelByName(h.guild, 'announcements').id)[0]!;
    expect(h.emu.world.channels.has(card.id)).toBe(false);

    const asked = await h.emu
      .command(as(h, 'Hanish', post()!.id), 'ask', undefined, { question: 'Which verifier did they train?' })
      .answer();
    expect(asked.content).toMatch(/^Question logged for \*\*Scaling LLM/);
    await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
    await h.emu.command(as(h, 'Tanishq'), 'paper', 'start', { paper: SCALING }).answer();
    await h.jobs.done();
    const list = await h.emu.command(as(h, 'Cong'), 'question', 'list').answer();
    expect(list.embeds[0]!.description).toMatch(/Which verifier did they train\?.*asked before the session/);
    await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    await h.jobs.done();
    expect(post()!.appliedTags).toEqual([tagId('covered')]);
    expectCleanDiscord(h);
  });
});
