import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memberRecords } from '../../src/domain/privacy/member-export.js';
import type { MemberExportFile } from '../../src/privacy/privacy-service.js';
import { exportGuildData } from '../../src/store/guild-export.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { eventually, startPrivateHarness, type Harness } from '../support/harness.js';
import { customIdOf, liveSession, questionCard } from '../support/live.js';
import { configureSeedGuild } from '../support/setup-guild.js';

const A = 'Hanish';
const B = 'David';
const HOST = 'Tanishq';
const Q_A = 'How does the verifier scale with more compute?';
const Q_A_ANONYMOUS = 'Was the baseline tuned as carefully?';
const Q_B = 'What data mix did they train on?';
const PAPER = {
  a: 'https://example.org/privacy-a',
  b: 'https://example.org/privacy-b',
  next: 'https://example.org/next',
};

const userId = (h: Harness, name: string) => h.emu.world.memberByName(h.guild, name).user.id;
const stored = async (h: Harness) => JSON.stringify(await exportGuildData(h.bot.internals.redis, h.guild.id));
/** What jobs write on their own schedule (10-second marks, card and board edits) is left out of a comparison. */
const settled = async (h: Harness) => {
  await h.jobs.done();
  const data = await exportGuildData(h.bot.internals.redis, h.guild.id);
  return JSON.stringify(Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith('dirty:'))));
};
/** A member's records with vote counts left out: another member's votes going changes those. */
const recordsOf = async (h: Harness, name: string): Promise<unknown> =>
  JSON.parse(
    JSON.stringify(
      memberRecords(await exportGuildData(h.bot.internals.redis, h.guild.id), userId(h, name)),
      (key, value: unknown) => (key === 'votes' || key === 'mostUpvoted' ? undefined : value),
    ),
  );
const questionId = (reply: string) => /\(id `([^`]+)`\)/.exec(reply)![1]!;

async function ask(h: Harness, who: string, question: string, anonymous = false) {
  const reply = await h.emu.command(as(h, who), 'ask', undefined, { question, anonymous }).answer();
  expect(reply.content).toMatch(/^Question logged/);
  return questionId(reply.content);
}

async function upvote(h: Harness, who: string, threadId: string, text: string, id: string) {
  const card = await questionCard(h, threadId, text);
  const reply = await h.emu.button(as(h, who), card, `ask:upvote:${id}`).answer();
  expect(reply.content).toMatch(/^Upvoted/);
}

/** /privacy delete, then the button labelled `label` on its answer. */
async function deleteAnd(h: Harness, who: string, label: 'Delete my data' | 'Cancel') {
  const asked = await h.emu.command(as(h, who), 'privacy', 'delete').answer();
  const buttons = (asked.components[0] as { components: Array<{ label: string; custom_id: string }> }).components;
  const button = buttons.find((b) => b.label === label)!;
  return { asked, done: await h.emu.button(as(h, who), asked.message!, button.custom_id).answer(10_000) };
}

describe('GIVEN a session where Hanish and David each presented, asked, voted, raised a hand and spoke, and its recap is out', () => {
  let h: Harness;
  let sessionId: string;
  let ids: { qa: string; qanon: string; qb: string };
  let page: string;
  beforeAll(async () => {
    h = await startPrivateHarness();
    await configureSeedGuild(h);
    const add = (who: string, url: string, presenter: string) =>
      h.emu.command(as(h, who), 'paper', 'add', { url, presenter }).answer();
    await add(A, PAPER.a, A);
    await add(B, PAPER.b, B);
    await add('Aran', PAPER.next, A);
    const announce = h.emu.world.channelByName(h.guild, 'announcements').id;
    const card = (url: string) => h.emu.messagesIn(announce).find((m) => m.embeds[0]?.url === url)!;
    await until(() => Object.values(PAPER).every((url) => card(url) !== undefined), 15_000, 'the paper cards');
    for (const [who, url] of [
      [A, PAPER.b],
      [A, PAPER.next],
      [B, PAPER.a],
      [B, PAPER.next],
    ] as const)
      expect((await h.emu.button(as(h, who), card(url), customIdOf(card(url))).answer()).content).toMatch(/^Voted/);

    await h.emu.command(as(h, HOST), 'session', 'start').answer();
    await h.emu.command(as(h, HOST), 'paper', 'next').answer();
    sessionId = (await h.bot.internals.sessions.current(h.guild.id))!.id;
    const board = () => h.emu.messagesIn(announce).find((m) => m.embeds[0]?.title === 'Live now')!;
    await until(() => board() !== undefined && h.emu.world.channels.has(board().id), 10_000, 'the board thread');
    const thread = board().id;
    for (const name of [A, B]) h.emu.joinVoice(h.guild, name, 'paper-stage');
    ids = { qa: await ask(h, A, Q_A), qanon: await ask(h, A, Q_A_ANONYMOUS, true), qb: await ask(h, B, Q_B) };
    await upvote(h, A, thread, Q_B, ids.qb);
    await upvote(h, A, thread, Q_A, ids.qa);
    await upvote(h, B, thread, Q_A, ids.qa);
    await upvote(h, B, thread, Q_B, ids.qb);
    for (const name of [A, B])
      expect(
        (await h.emu.command(as(h, name), 'speak', undefined, { topic: `${name}'s point` }).answer()).content,
      ).toMatch(/^Your hand is up/);
    expect((await h.emu.command(as(h, HOST), 'speakers', 'next').answer()).content).toMatch(/is invited to speak/);
    // Speech as the voice tracker stores it (tests/e2e/voice.test.ts drives the tracker itself).
    const now = Date.now();
    await h.bot.internals.sessions.logVoice(
      h.guild.id,
      sessionId,
      [
        { userId: userId(h, A), from: now - 60_000, to: now - 30_000 },
        { userId: userId(h, B), from: now - 20_000, to: now - 5_000 },
      ],
      [],
    );
    await h.emu.command(as(h, HOST), 'speakers', 'done', { user: A }).answer();
    await h.emu.command(as(h, HOST), 'paper', 'next').answer();
    expect((await h.emu.command(as(h, HOST), 'speakers', 'next').answer()).content).toMatch(/is invited to speak/);
    await h.emu.command(as(h, HOST), 'session', 'end').answer();
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    await until(() => h.emu.messagesIn(recaps).length === 1, 20_000, 'the recap');
    await eventually(async () => (await h.bot.services.archive.summaries(h.guild.id)).length === 1, 15_000, 'archived');
    await h.jobs.done();
    const { archiveToken } = await h.bot.services.archive.configure(h.guild.id, { visibility: 'link' });
    page = `${h.bot.web!.url}/a/${archiveToken}/sessions/${sessionId}`;
  }, 120_000);
  afterAll(() => h.stop());
  afterEach(() => expectCleanDiscord(h));

  it('WHEN Hanish runs /privacy export THEN only they get a JSON file: their questions, votes, hand, speech and papers, and of David only the text of what they upvoted', async () => {
    const answer = await h.emu.command(as(h, A), 'privacy', 'export').answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.attachments).toHaveLength(1);
    expect(answer.attachments[0]!.filename).toBe(`lectern-${h.guild.id}-${userId(h, A)}.json`);
    const text = h.emu.attachmentText(answer.attachments[0]!.id);
    const file = JSON.parse(text) as MemberExportFile;
    expect(file).toMatchObject({ format: 'lectern-member-export/1', guildId: h.guild.id, userId: userId(h, A) });
    expect(file.records[`question:${ids.qa}`]).toMatchObject({ text: Q_A, askerId: userId(h, A), votes: '2' });
    expect(file.records[`question:${ids.qb}:voters`]).toEqual([userId(h, A)]);
    expect(file.context[`question:${ids.qb}`]).toMatchObject({ text: Q_B });
    expect(file.records[`session:${sessionId}:talk`]).toEqual({ [userId(h, A)]: '30000' });
    expect(file.records['archive:names']).toEqual({ [userId(h, A)]: A });
    const timeline = file.records[`session:${sessionId}:timeline`] as Array<{ type: string }>;
    expect(timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['member.joined', 'hand.raised', 'speaker.called', 'speaker.done', 'voice.segment']),
    );
    const papers = Object.values(file.records).filter((r) => (r as { presenterId?: string }).presenterId);
    expect(papers.map((p) => (p as { title: string }).title).sort()).toEqual([PAPER.next, PAPER.a].sort());
    // Nothing else of David's, nor of the host: no id, no name, no question they asked that Hanish did not upvote.
    for (const other of [userId(h, B), userId(h, HOST), B, `${B}'s point`]) expect(text).not.toContain(other);
    // An anonymous question is linked to nobody, so it cannot be theirs in the file either.
    expect(text).not.toContain(Q_A_ANONYMOUS);
    expect(file.about.join(' ')).toContain('anonymously');
  });

  it('WHEN Hanish runs /privacy delete THEN the answer says what goes, with a red Confirm and a Cancel; Cancel changes nothing', async () => {
    const before = await settled(h);
    const { asked, done } = await deleteAnd(h, A, 'Cancel');
    expect(asked.ephemeral).toBe(true);
    expect(asked.content).toMatch(/^\*\*Delete what Lectern stores about you in this server\?\*\*/);
    expect(asked.content).toContain('the questions stay, asked by "a member"');
    const buttons = (asked.components[0] as { components: Array<{ label: string; style: number }> }).components;
    expect(buttons.map((b) => [b.label, b.style])).toEqual([
      ['Delete my data', 4],
      ['Cancel', 2],
    ]);
    expect(done.content).toBe('Cancelled: nothing was deleted.');
    expect(done.components).toEqual([]);
    expect(await settled(h)).toBe(before);
  });

  describe('WHEN Hanish confirms the deletion', () => {
    let davidBefore: unknown;
    let done: Awaited<ReturnType<typeof deleteAnd>>['done'];
    let pageBefore: string;
    let indexBefore: string;
    beforeAll(async () => {
      pageBefore = await (await fetch(page)).text();
      indexBefore = await (await fetch(new URL('../', page))).text();
      davidBefore = await recordsOf(h, B);
      ({ done } = await deleteAnd(h, A, 'Delete my data'));
      await h.jobs.done();
    });

    it('THEN the answer counts what went, and Hanish’s id is stored nowhere in the server', async () => {
      expect(done.ephemeral).toBe(true);
      expect(done.content.split('\n')).toEqual([
        'Done. Removed:',
        '• your name on 1 question (now asked by "a member")',
        '• 2 question votes',
        '• 2 paper votes',
        '• you as presenter of 2 papers',
        '• you as the one who suggested 1 paper',
        '• your talk time in 1 session',
        expect.stringMatching(/^• \d+ moments of session timelines$/),
        '• you in 1 recap',
        '• your name in the web archive',
      ]);
      expect(await stored(h)).not.toContain(userId(h, A));
    });

    it('THEN the questions stay with their text, their counts down by Hanish’s votes, and David’s data is untouched', async () => {
      const qa = (await h.bot.internals.questions.question(h.guild.id, ids.qa))!;
      expect(qa).toMatchObject({ text: Q_A, votes: 1, anonymous: false });
      expect(qa.askerId).toBeUndefined();
      expect(await h.bot.internals.questions.question(h.guild.id, ids.qb)).toMatchObject({
        text: Q_B,
        votes: 1,
        askerId: userId(h, B),
      });
      expect(await h.bot.internals.questions.question(h.guild.id, ids.qanon)).toMatchObject({ text: Q_A_ANONYMOUS });
      expect(await recordsOf(h, B)).toEqual(davidBefore);
      const list = (await h.emu.command(as(h, B), 'paper', 'list').answer()).embeds[0]!.description!;
      expect(list).toMatch(/next.*needs a presenter/);
      expect(list).toMatch(/▲ 1/);
    });

    it('THEN /recap post posts a recap file without Hanish, their question still in it', async () => {
      const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
      await h.emu.command(as(h, HOST), 'recap', 'post').answer();
      await until(() => h.emu.messagesIn(recaps).length === 2, 20_000, 'the recap posted again');
      await h.jobs.done();
      const file = h.emu.attachmentText(h.emu.messagesIn(recaps)[1]!.attachments[0]!.id);
      expect(file).toContain(Q_A);
      // Asked by "a member", not passed off as anonymous.
      expect(file).toContain(`${Q_A} (a member)`);
      expect(file).toContain(B);
      expect(file).not.toContain(A);
      expect(file).not.toContain(userId(h, A));
    });

    it('THEN the web archive’s session page no longer names Hanish, and still shows their question', async () => {
      expect(pageBefore).toContain(A);
      expect(pageBefore).toContain(Q_A);
      const after = await fetch(page);
      expect(after.status).toBe(200);
      const html = await after.text();
      expect(html).toContain(Q_A);
      expect(html).toContain('asked by a member');
      expect(html).toContain(B);
      expect(html).not.toContain(A);
      // The index's presenters, and each paper's page, no longer name them either.
      expect(indexBefore).toContain(A);
      const index = await (await fetch(new URL('../', page))).text();
      expect(index).toContain(B);
      expect(index).not.toContain(A);
      const papers = [...index.matchAll(/href="([^"]+\/papers\/[^"]+)"/g)].map((m) => new URL(m[1]!, page).href);
      expect(papers.length).toBeGreaterThan(1);
      for (const paper of papers) expect(await (await fetch(paper)).text()).not.toContain(A);
    });
  });

  it('WHEN a member exports a fourth time within the hour THEN they are told, ephemerally, when they can again', async () => {
    const exports = [];
    for (let i = 0; i < 4; i++) exports.push(await h.emu.command(as(h, B), 'privacy', 'export').answer());
    expect(exports.slice(0, 3).every((e) => e.attachments.length === 1)).toBe(true);
    expect(exports[3]!.ephemeral).toBe(true);
    expect(exports[3]!.attachments).toEqual([]);
    expect(exports[3]!.content).toMatch(/^You can do that 3 times an hour, and you have\. Try again in \d+ min\.$/);
  });
});

describe('GIVEN a live session WHEN a member with a raised hand, a question, votes and the paper on stage deletes their data', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  let charlie: string;
  let cards: { own: APIMessage; other: APIMessage };
  beforeAll(async () => {
    h = await startPrivateHarness();
    // Charlie presents both papers: the one on now and the next.
    live = await liveSession(h);
    charlie = userId(h, 'Charlie');
    const thread = live.board().id;
    const own = await ask(h, 'Charlie', 'Charlie wonders about the ablations?');
    const other = await ask(h, B, Q_B);
    await upvote(h, 'Charlie', thread, Q_B, other);
    await upvote(h, B, thread, 'Charlie wonders', own);
    for (const name of ['Charlie', B])
      expect((await h.emu.command(as(h, name), 'speak').answer()).content).toMatch(/^Your hand is up/);
    await h.jobs.done();
    cards = {
      own: await questionCard(h, thread, 'Charlie wonders'),
      other: await questionCard(h, thread, Q_B),
    };
    expect(JSON.stringify(h.emu.findMessage(live.board().id))).toContain(charlie);
    const { done } = await deleteAnd(h, 'Charlie', 'Delete my data');
    expect(done.content).toMatch(/^Done\. Removed:/);
    await h.jobs.done();
  }, 90_000);
  afterAll(() => h.stop());
  afterEach(() => expectCleanDiscord(h));

  it('THEN their hand leaves the queue, and the board, the cards and /speakers list stop naming them', async () => {
    const speakers = await h.emu.command(as(h, B), 'speakers', 'list').answer();
    expect(speakers.embeds[0]!.description).toContain(`<@${userId(h, B)}>`);
    expect(JSON.stringify(speakers.embeds)).not.toContain(charlie);
    const board = JSON.stringify(h.emu.findMessage(live.board().id));
    expect(board).not.toContain(charlie);
    expect(board).toContain(`<@${userId(h, B)}>`);
    const own = h.emu.findMessage(cards.own.id)!;
    expect(JSON.stringify(own)).not.toContain(charlie);
    expect(JSON.stringify(own)).toContain('Charlie wonders about the ablations?');
    const other = h.emu.findMessage(cards.other.id)!.embeds.find((e) => e.description === Q_B)!;
    expect(other.fields!.find((f) => f.name === 'Votes')!.value).toBe('0');
    const announce = h.emu.world.channelByName(h.guild, 'announcements').id;
    expect(JSON.stringify(h.emu.messagesIn(announce))).not.toContain(charlie);
    expect(await stored(h)).not.toContain(charlie);
  });

  it('THEN the session goes on: the next speaker is David, and Charlie may take part again', async () => {
    expect((await h.emu.command(as(h, HOST), 'speakers', 'next').answer()).content).toMatch(
      new RegExp(`^<@${userId(h, B)}> is not in <#\\d+>\\. They keep their place`),
    );
    expect((await h.emu.command(as(h, 'Charlie'), 'speak').answer()).content).toBe(
      'Your hand is up: you are number 2 in line.',
    );
  });
});
