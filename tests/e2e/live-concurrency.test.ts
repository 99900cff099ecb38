import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { eventually, startPrivateHarness, type Harness } from '../support/harness.js';
import { customIdOf, liveSession, questionCard } from '../support/live.js';
import { NEXT_CALL_WINDOW_MS } from '../../src/store/speaker-store.js';

const CROWD = Array.from({ length: 200 }, (_, i) => `Listener ${i + 1}`);

describe('GIVEN a live session with 200 members in the room', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  beforeAll(async () => {
    h = await startPrivateHarness(CROWD);
    live = await liveSession(h);
  }, 60_000);
  afterAll(() => h.stop());

  /** The bot has taken in `name`'s arrival on the stage: it is on the session's timeline. */
  const joined = (name: string) =>
    eventually(
      async () => {
        const userId = h.emu.world.memberByName(h.guild, name).user.id;
        const timeline = await h.bot.internals.sessions.timeline(h.guild.id, live.sessionId);
        return timeline.some((e) => e.type === 'member.joined' && e.userId === userId);
      },
      10_000,
      `${name} on the timeline`,
    );

  it('WHEN 200 members upvote the same question at the same moment THEN it has exactly 200 votes, and its card says so', async () => {
    await h.emu
      .command(as(h, 'Hanish'), 'ask', undefined, { question: 'Does this scale past 100B parameters?' })
      .answer();
    const card = await questionCard(h, live.board().id, 'scale past 100B');
    const presses = CROWD.map((name) => h.emu.button(as(h, name), card, customIdOf(card)));
    const answers = await Promise.all(presses.map((p) => p.answer(10_000)));
    expect(answers.every((a) => a.ephemeral && a.content.startsWith('Upvoted:'))).toBe(true);
    expect(presses.every((p) => p.roundTripMs! < 3_000)).toBe(true);
    const [question] = await h.bot.internals.questions.questions(h.guild.id, live.sessionId);
    expect(question!.votes).toBe(200);
    await until(
      () =>
        h.emu
          .messagesIn(live.board().id)
          .some((m) => m.id === card.id && JSON.stringify(m.components).includes('Upvote (200)')),
      10_000,
      'card shows 200',
    );
    // Coalesced: far fewer card edits than votes.
    expect(h.emu.posts.filter((p) => p.action === 'edit' && p.messageId === card.id).length).toBeLessThan(20);
  });

  it('WHEN a member presses upvote twice THEN the second press takes the vote back', async () => {
    const card = await questionCard(h, live.board().id, 'scale past 100B');
    expect((await h.emu.button(as(h, 'Listener 1'), card, customIdOf(card)).answer()).content).toBe(
      'Vote taken back: 199 votes.',
    );
    expect((await h.emu.button(as(h, 'Listener 1'), card, customIdOf(card)).answer()).content).toBe(
      'Upvoted: 200 votes. Press again to take it back.',
    );
  });

  it('WHEN two hosts press "Call next speaker" at the same moment THEN exactly one member is called', async () => {
    for (const name of ['Listener 2', 'Listener 3']) {
      h.emu.joinVoice(h.guild, name, 'paper-stage');
      await h.emu.command(as(h, name), 'speak').answer();
      await joined(name);
    }
    const board = live.board();
    const [a, b] = await Promise.all([
      h.emu.button(as(h, 'Tanishq'), board, customIdOf(board, 1)).answer(),
      h.emu.button(as(h, 'Aran'), board, customIdOf(board, 1)).answer(),
    ]);
    const contents = [a.content, b.content].sort();
    const listener2 = h.emu.world.memberByName(h.guild, 'Listener 2').user.id;
    expect(contents).toEqual(
      [
        'Another host just called the next speaker. /speakers list shows the queue now.',
        `<@${listener2}> is invited to speak.`,
      ].sort(),
    );
    const speakers = await h.bot.internals.speakers.speakers(h.guild.id, live.sessionId, 100);
    expect(speakers.onStage).toEqual([listener2]);
    expect(speakers.queue.map((s) => s.userId)).toEqual([h.emu.world.memberByName(h.guild, 'Listener 3').user.id]);
  });

  it('WHEN two hosts run /speakers next at the same moment THEN exactly one member is called', async () => {
    // Out of the window of the button presses above.
    await new Promise((resolve) => setTimeout(resolve, NEXT_CALL_WINDOW_MS));
    h.emu.joinVoice(h.guild, 'Listener 4', 'paper-stage');
    await h.emu.command(as(h, 'Listener 4'), 'speak').answer();
    await joined('Listener 4');
    const [a, b] = await Promise.all([
      h.emu.command(as(h, 'Tanishq'), 'speakers', 'next').answer(),
      h.emu.command(as(h, 'Aran'), 'speakers', 'next').answer(),
    ]);
    const [listener3, listener4] = ['Listener 3', 'Listener 4'].map(
      (name) => h.emu.world.memberByName(h.guild, name).user.id,
    );
    expect([a.content, b.content].sort()).toEqual(
      [
        'Another host just called the next speaker. /speakers list shows the queue now.',
        `<@${listener3}> is invited to speak.`,
      ].sort(),
    );
    const speakers = await h.bot.internals.speakers.speakers(h.guild.id, live.sessionId, 100);
    expect(speakers.queue.map((s) => s.userId)).toEqual([listener4]);
    // The same host may call the next one straight away.
    const caller = a.content.startsWith('<@') ? 'Tanishq' : 'Aran';
    expect((await h.emu.command(as(h, caller), 'speakers', 'next').answer()).content).toBe(
      `<@${listener4}> is invited to speak.`,
    );
    for (const id of [listener3, listener4])
      await h.bot.internals.speakers.speakerDone(h.guild.id, live.sessionId, id!, Date.now());
  });

  it("WHEN 200 members are speaking or have a hand up THEN /session status, /speakers list and the board stay within Discord's limits", async () => {
    const ids = CROWD.map((name) => h.emu.world.memberByName(h.guild, name).user.id);
    for (const id of ids.slice(0, 100))
      await h.bot.internals.speakers.callSpeaker(h.guild.id, live.sessionId, id, 'host', Date.now(), false);
    for (const id of ids.slice(100))
      await h.bot.internals.speakers.raiseHand(
        h.guild.id,
        live.sessionId,
        id,
        'a topic of some length',
        'command',
        Date.now(),
      );
    await h.bot.services.live.boardChanged(h.guild.id, live.sessionId, true);
    const status = await h.emu.command(as(h, 'Hanish'), 'session', 'status').answer();
    // The status reads only the first of a full stage, in id order, and still counts the rest.
    const speaking = status.embeds[0]!.fields!.find((f) => f.name === 'Speaking')!.value;
    const shown = [...speaking.matchAll(/<@(\d+)>/g)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(30);
    expect(shown).toEqual([...ids.slice(0, 100)].sort().slice(0, shown.length));
    expect(speaking).toMatch(new RegExp(`…and ${100 - shown.length} more$`));
    const list = await h.emu.command(as(h, 'Hanish'), 'speakers', 'list').answer();
    expect(list.embeds[0]!.description).toMatch(/…and \d+ more$/);
    await until(
      () =>
        (live.board().embeds[0]?.fields ?? []).some(
          (f) => f.name === 'Raised hands' && f.value.endsWith('…and 90 more'),
        ),
      10_000,
      'board with 100 hands',
    );
    expect(h.emu.violations).toEqual([]);
    await h.bot.internals.speakers.clearHands(h.guild.id, live.sessionId, Date.now());
    for (const id of ids.slice(0, 100))
      await h.bot.internals.speakers.speakerDone(h.guild.id, live.sessionId, id, Date.now());
  });

  it('WHEN one host answers a question while another dismisses it THEN it ends in exactly one state', async () => {
    await h.emu.command(as(h, 'Hanish'), 'ask', undefined, { question: 'Which benchmark matters most here?' }).answer();
    const questions = await h.bot.internals.questions.questions(h.guild.id, live.sessionId);
    const id = questions.find((q) => q.text.startsWith('Which benchmark'))!.id;
    const [answer, dismiss] = await Promise.all([
      h.emu.command(as(h, 'Tanishq'), 'question', 'answer', { question: id, answer: 'MATH, mostly.' }).answer(),
      h.emu.command(as(h, 'Aran'), 'question', 'dismiss', { question: id }).answer(),
    ]);
    const winners = [answer, dismiss].filter((x) => !x.content.startsWith('That question was already'));
    expect(winners).toHaveLength(1);
    const final = (await h.bot.internals.questions.question(h.guild.id, id))!;
    expect(final.status).toBe(winners[0] === answer ? 'answered' : 'dismissed');
    expect(final.answer !== undefined).toBe(final.status === 'answered');
  });

  it('WHEN the session has ended THEN its buttons say so and do not act on the next session', async () => {
    // What a member still sees on screen: the board and card as they were before the end.
    const oldBoard = structuredClone(live.board());
    const card = structuredClone(await questionCard(h, oldBoard.id, 'scale past 100B'));
    await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
    const next = (await h.bot.internals.sessions.current(h.guild.id))!;
    expect(next.id).not.toBe(live.sessionId);
    expect((await h.emu.button(as(h, 'Listener 9'), card, customIdOf(card)).answer()).content).toBe(
      'This session has ended; its questions are closed.',
    );
    for (const index of [0, 1, 2]) {
      const answer = await h.emu.button(as(h, 'Tanishq'), oldBoard, customIdOf(oldBoard, index)).answer();
      expect(answer.content).toBe('This session has ended; that button no longer does anything.');
    }
    expect((await h.bot.internals.sessions.current(h.guild.id))!.id).toBe(next.id);
    expect(await h.bot.internals.sessions.timeline(h.guild.id, next.id)).toHaveLength(1);
    expectCleanDiscord(h);
  });
});
