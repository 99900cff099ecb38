import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { SEARCH_CANDIDATES } from '../../src/store/question-store.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { QUESTION_CHOICES } from '../../commands/question.js';
import { CARD_GROUP, LIST_GROUP } from '../../src/discord/render/question.js';
import { customIdOf, liveSession } from '../support/live.js';

const CROWD = Array.from({ length: 200 }, (_, i) => `Asker ${i + 1}`);

/** New question cards are posted by one job for all the questions asked since its last run. */
describe('GIVEN a live session WHEN many questions arrive at once', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  beforeAll(async () => {
    h = await startPrivateHarness(CROWD);
    live = await liveSession(h);
  }, 60_000);
  afterAll(() => h.stop());

  const isList = (message: APIMessage) => message.embeds[0]?.author?.name.startsWith('Questions ·') === true;
  /** Each question a card shows, in order: its text and votes, from an embed each or from a list card's lines. */
  const shown = (message: APIMessage) =>
    isList(message)
      ? message.embeds[0]!.description!.split('\n').map((line) => {
          const [, text, votes] = line.match(/^\*\*\d+\.\*\* (.*) — .* · ▲ (\d+)/)!;
          return { text: text!, votes: Number(votes) };
        })
      : message.embeds
          .filter((e) => e.author?.name.startsWith('Question ·'))
          .map((e) => ({ text: e.description!, votes: Number(e.fields!.find((f) => f.name === 'Votes')!.value) }));
  /** Each question's card, with the message holding it, in the order they are in the thread. */
  const cardsIn = (threadId: string) =>
    h.emu.messagesIn(threadId).flatMap((message) => shown(message).map((card) => ({ message, ...card })));
  /** Two members' votes on the first two questions of `posted` at once: one edit shows both; the card as edited. */
  async function twoVotesInOneEdit(posted: APIMessage, buttonOf: (i: number) => string) {
    const path = `/channels/${posted.channel_id}/messages/${posted.id}`;
    const edits = () => h.emu.requests.filter((r) => r.method === 'PATCH' && r.path === path);
    const before = edits().length;
    const pressed = await Promise.all([0, 1].map((i) => h.emu.button(as(h, 'Tanishq'), posted, buttonOf(i)).answer()));
    expect(pressed.map((p) => p.content)).toEqual([
      'Upvoted: 1 vote. Press again to take it back.',
      'Upvoted: 1 vote. Press again to take it back.',
    ]);
    await until(() => edits().length > before, 10_000, 'the card edit');
    await h.jobs.done();
    expect(edits().length - before).toBe(1);
    const card = h.emu.findMessage(posted.id)!;
    expect(shown(card).map((q) => q.votes)).toEqual(shown(posted).map((_, i) => (i < 2 ? 1 : 0)));
    return card;
  }

  /** Discord's floor for the k-th post (1-based) in one channel: 5 at once, then 5 per 5 s. */
  const floorMs = (k: number) => Math.floor((k - 1) / 5) * 5_000;

  it(`THEN every question is on exactly one card (up to ${CARD_GROUP} a card, up to ${LIST_GROUP} on a list card once more than a window's worth wait), in the order asked, votable, within the thread's floor + 2 s, with no 429`, async () => {
    const answers = await Promise.all(
      CROWD.map((name, i) =>
        h.emu
          .command(as(h, name), 'ask', undefined, { question: `Question from ${name}, number ${i + 1}?` })
          .answer(10_000),
      ),
    );
    expect(answers.every((a) => a.content.startsWith('Question logged'))).toBe(true);
    const thread = live.board().id;
    await until(() => cardsIn(thread).length >= CROWD.length, 30_000, 'a card per question');
    await h.jobs.done();

    const cards = cardsIn(thread);
    expect(cards).toHaveLength(CROWD.length);
    const asked = (await h.bot.internals.questions.questions(h.guild.id, live.sessionId)).sort(
      (a, b) => a.askedAt - b.askedAt,
    );
    expect(cards.map((c) => c.text)).toEqual(asked.map((q) => q.text));
    expect(asked.every((q) => q.card !== undefined)).toBe(true);
    expect(await h.bot.internals.redis.zrange(keys.uncarded(h.guild.id, live.sessionId), '0', '-1')).toEqual([]);

    // Grouped under the burst, listed under the flood: far fewer posts than questions, each question votable.
    const posts = h.emu.messagesIn(thread).filter((m) => cards.some((c) => c.message === m));
    expect(posts.length).toBeLessThanOrEqual(CROWD.length / CARD_GROUP);
    expect(posts.some(isList)).toBe(true);
    for (const post of posts) {
      expect(shown(post).length).toBeLessThanOrEqual(isList(post) ? LIST_GROUP : CARD_GROUP);
      const ids = post.components!.flatMap((row) => (row as { components: Array<{ custom_id: string }> }).components);
      const onIt = asked.filter((q) => q.card?.messageId === post.id);
      expect(ids.map((b) => b.custom_id)).toEqual(onIt.map((q) => `ask:upvote:${q.id}`));
    }
    for (const q of asked) {
      const k = posts.findIndex((m) => m.id === q.card!.messageId) + 1;
      const delay = Date.parse(posts[k - 1]!.timestamp) - q.askedAt;
      expect(delay, `question ${q.id} on post ${k}`).toBeLessThanOrEqual(floorMs(k) + 2_000);
    }

    const runs = (await h.jobs.queue.getJobs(['completed'])).filter((j) => j.name === 'question.cards');
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.length).toBeLessThan(CROWD.length);
    expectCleanDiscord(h);
  });

  it('GIVEN a list card WHEN two of its questions get a vote at once THEN one edit of that card shows both', async () => {
    const thread = live.board().id;
    const listed = h.emu.messagesIn(thread).find(isList)!;
    expect(listed).toBeDefined();
    const card = await twoVotesInOneEdit(listed, (i) => customIdOf(listed, i));
    const labels = (card.components![0] as { components: Array<{ label: string }> }).components.map((b) => b.label);
    expect(labels.slice(0, 3)).toEqual(['▲ 1 (1)', '▲ 2 (1)', '▲ 3 (0)']);
    expectCleanDiscord(h);
  });

  it('GIVEN a grouped card WHEN two of its questions get a vote at once THEN one edit of that card shows both', async () => {
    const thread = live.board().id;
    // Three questions waiting when the card job runs: one grouped card.
    const texts = ['Grouped question one?', 'Grouped question two?', 'Grouped question three?'];
    for (const [i, text] of texts.entries())
      await h.bot.internals.questions.ask(h.guild.id, {
        id: `grouped0${i}`,
        sessionId: live.sessionId,
        text,
        anonymous: false,
        askedAt: Date.now(),
      });
    await h.bot.internals.jobs.enqueue('question.cards', { guildId: h.guild.id, sessionId: live.sessionId });
    await until(() => cardsIn(thread).some((c) => c.text === texts[2]), 15_000, 'the grouped card');
    await h.jobs.done();
    const grouped = h.emu.messagesIn(thread).find((m) => shown(m)[0]?.text === texts[0])!;
    expect(isList(grouped)).toBe(false);
    expect(shown(grouped).map((q) => q.text)).toEqual(texts);
    await twoVotesInOneEdit(grouped, (i) => customIdOf(grouped, 0, i));
    expectCleanDiscord(h);
  });

  it(`WHEN a host types into /question answer THEN autocomplete offers the ${QUESTION_CHOICES} most upvoted open questions that match, as plain names`, async () => {
    const host = as(h, 'Tanishq');
    const offered = async (typed: string) =>
      (await h.emu.autocomplete(host, 'question', 'answer', { question: typed }, 'question').answer()).choices!;
    const open = (await h.bot.internals.questions.questions(h.guild.id, live.sessionId))
      .filter((q) => q.status === 'open')
      // As the bot ranks them: most votes, then the earliest, then by id.
      .sort((a, b) => b.votes - a.votes || a.askedAt - b.askedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(open.length).toBeGreaterThan(QUESTION_CHOICES);
    const all = await offered('');
    expect(all.map((c) => c.value)).toEqual(open.slice(0, QUESTION_CHOICES).map((q) => q.id));
    expect(all.every((c) => c.name.length <= 100)).toBe(true);
    // Any case; only questions containing what was typed, among the most upvoted; at most QUESTION_CHOICES. Which
    // questions are among them depends on the order they arrived in, so the digit typed is the one most of them have.
    const candidates = open.slice(0, SEARCH_CANDIDATES);
    const matching = (digit: number) => candidates.filter((q) => q.text.toLowerCase().includes(`number ${digit}`));
    const digit = [1, 2, 3, 4, 5, 6, 7, 8, 9].sort((a, b) => matching(b).length - matching(a).length)[0]!;
    const typed = matching(digit);
    expect(typed.length).toBeGreaterThan(QUESTION_CHOICES);
    expect(typed.length).toBeLessThan(candidates.length);
    expect((await offered(`NUMBER ${digit}`)).map((c) => c.value)).toEqual(
      typed.slice(0, QUESTION_CHOICES).map((q) => q.id),
    );
    expect(await offered('no question says this')).toEqual([]);
  });

  it('GIVEN a question stored but its card job lost (the process died) WHEN the session ends THEN its card is posted', async () => {
    const stored = await h.bot.internals.questions.ask(h.guild.id, {
      id: 'lostcard01',
      sessionId: live.sessionId,
      text: 'Question from a process that died?',
      anonymous: false,
      askedAt: Date.now(),
    });
    expect(stored.outcome).toBe('asked');
    const thread = live.board().id;
    expect(cardsIn(thread).some((c) => c.text === 'Question from a process that died?')).toBe(false);
    expect((await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer()).content).toMatch(/^Session ended/);
    await until(
      () => cardsIn(thread).some((c) => c.text === 'Question from a process that died?'),
      10_000,
      'the lost card',
    );
    await h.jobs.done(); // the job notes the card as posted after posting it
    expect(await h.bot.internals.redis.zrange(keys.uncarded(h.guild.id, live.sessionId), '0', '-1')).toEqual([]);
  });
});
