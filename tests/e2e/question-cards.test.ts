import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

const CROWD = Array.from({ length: 50 }, (_, i) => `Asker ${i + 1}`);

/** New question cards are posted by one job for all the questions asked since its last run. */
describe('GIVEN a live session WHEN many questions arrive at once', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  beforeAll(async () => {
    h = await startPrivateHarness(CROWD);
    live = await liveSession(h);
  }, 60_000);
  afterAll(() => h.stop());

  const cardsIn = (threadId: string) =>
    h.emu.messagesIn(threadId).filter((m) => m.embeds[0]?.description?.startsWith('Question from'));

  it('THEN every question gets exactly one card, in the order asked, from fewer jobs than questions', async () => {
    const answers = await Promise.all(
      CROWD.map((name, i) =>
        h.emu
          .command(as(h, name), 'ask', undefined, { question: `Question from ${name}, number ${i + 1}?` })
          .answer(10_000),
      ),
    );
    expect(answers.every((a) => a.content.startsWith('Question logged'))).toBe(true);
    const thread = live.board().id;
    await until(() => cardsIn(thread).length >= CROWD.length, 15_000, 'a card per question');
    await h.jobs.done();

    const cards = cardsIn(thread);
    expect(cards).toHaveLength(CROWD.length);
    const asked = (await h.bot.internals.questions.questions(h.guild.id, live.sessionId)).sort(
      (a, b) => a.askedAt - b.askedAt,
    );
    expect(cards.map((c) => c.embeds[0]!.description)).toEqual(asked.map((q) => q.text));
    expect(asked.every((q) => q.card !== undefined)).toBe(true);
    expect(await h.bot.internals.redis.zrange(keys.uncarded(h.guild.id, live.sessionId), '0', '-1')).toEqual([]);

    const runs = (await h.jobs.queue.getJobs(['completed'])).filter((j) => j.name === 'question.cards');
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.length).toBeLessThan(CROWD.length);
    expectCleanDiscord(h);
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
    expect(cardsIn(thread).some((c) => c.embeds[0]!.description === 'Question from a process that died?')).toBe(false);
    expect((await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer()).content).toMatch(/^Session ended/);
    await until(
      () => cardsIn(thread).some((c) => c.embeds[0]!.description === 'Question from a process that died?'),
      10_000,
      'the lost card',
    );
    await h.jobs.done(); // the job notes the card as posted after posting it
    expect(await h.bot.internals.redis.zrange(keys.uncarded(h.guild.id, live.sessionId), '0', '-1')).toEqual([]);
  });
});
