import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGuildData } from '../../src/store/guild-export.js';
import { as, mentionLeaks } from '../support/as.js';
import { startHarness, startPrivateHarness, type Harness } from '../support/harness.js';
import { paperClubSpec } from '../support/guild.js';
import { liveSession, questionCard } from '../support/live.js';

const CROWD = Array.from({ length: 40 }, (_, i) => `Guest ${i + 1}`);
let turn = 0;
const nextGuest = () => CROWD[turn++ % CROWD.length]!;

describe('GIVEN a live session WHEN members and hosts send bad input', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  let otherGuildQuestion: string;
  beforeAll(async () => {
    h = await startPrivateHarness(CROWD);
    live = await liveSession(h);
    // A question of another guild's session, on the same Redis.
    const other = h.emu.world.createGuild({ ...paperClubSpec(), name: 'Elsewhere' });
    const started = await h.bot.internals.sessions.start(other.id, '111111111111111111', Date.now());
    const asked = await h.bot.internals.questions.ask(other.id, {
      id: 'elsewhere1',
      sessionId: started.sessionId,
      text: 'Not yours',
      anonymous: false,
      askedAt: Date.now(),
    });
    if (asked.outcome !== 'asked') throw new Error(`set-up: the other guild's question was ${asked.outcome}`);
    otherGuildQuestion = asked.question.id;
  }, 60_000);
  afterAll(() => h.stop());

  const cases: Array<[string, string, string | undefined, Record<string, string | boolean>, RegExp, string?]> = [
    ['/ask empty', 'ask', undefined, { question: '' }, /^The question is empty/],
    ['/ask whitespace', 'ask', undefined, { question: '   \t  ' }, /^The question is empty/],
    ['/ask zero-width only', 'ask', undefined, { question: '\u200b\u200c\u200d\u2060' }, /^The question is empty/],
    [
      '/ask 5000 characters',
      'ask',
      undefined,
      { question: 'why '.repeat(1250) },
      /^The question is 5000 characters; keep it to 500\.$/,
    ],
    ['/ask control characters only', 'ask', undefined, { question: '\u0000\u0007\u001b' }, /^The question is empty/],
    ['/speak whitespace topic', 'speak', undefined, { topic: '    ' }, /^The topic is empty/],
    ['/speak zero-width topic', 'speak', undefined, { topic: '\u200b' }, /^The topic is empty/],
    [
      '/speak 5000-character topic',
      'speak',
      undefined,
      { topic: 'x'.repeat(5000) },
      /^The topic is 5000 characters; keep it to 100\.$/,
    ],
    ['/highlight empty', 'highlight', undefined, { text: '' }, /^The highlight is empty/, 'Tanishq'],
    ['/highlight zero-width', 'highlight', undefined, { text: '\u200b\u200b' }, /^The highlight is empty/, 'Tanishq'],
    [
      '/highlight 5000 characters',
      'highlight',
      undefined,
      { text: 'y'.repeat(5000) },
      /^The highlight is 5000 characters; keep it to 500\.$/,
      'Tanishq',
    ],
    ['/highlight by a non-host', 'highlight', undefined, { text: 'sneaky' }, /^Only hosts can do that/],
    ['/takeaway by a non-host', 'takeaway', undefined, { text: 'sneaky' }, /^Only hosts can do that/],
    ['/question answer by a non-host', 'question', 'answer', { question: 'x', answer: 'y' }, /^Only hosts can do that/],
    [
      "/question answer of another guild's question",
      'question',
      'answer',
      { question: 'OTHER', answer: 'y' },
      /^No question of this session matches/,
      'Tanishq',
    ],
    [
      '/question answer of an unknown question',
      'question',
      'answer',
      { question: 'nothing like this', answer: 'y' },
      /^No question of this session matches/,
      'Tanishq',
    ],
    [
      '/question answer empty answer',
      'question',
      'answer',
      { question: 'QUESTION', answer: ' ' },
      /^The answer is empty/,
      'Tanishq',
    ],
    [
      '/question answer 5000 characters',
      'question',
      'answer',
      { question: 'QUESTION', answer: 'z'.repeat(5000) },
      /^The answer is 5000 characters; keep it to 1500\.$/,
      'Tanishq',
    ],
    ['/speakers call a bot', 'speakers', 'call', { user: 'Lectern' }, /^Bots do not take the stage\.$/, 'Tanishq'],
    [
      '/session end with a javascript: recording',
      'session',
      'end',
      { recording: 'javascript:alert(1)' },
      /is not an https link to the recording\.$/,
      'Tanishq',
    ],
    ['/session start while live', 'session', 'start', {}, /^A session is already live\./, 'Tanishq'],
  ];

  it.each(cases)(
    '%s gets a specific ephemeral answer and changes nothing',
    async (_what, command, sub, rawOptions, message, user) => {
      const options = { ...rawOptions };
      if (options.question === 'OTHER') options.question = otherGuildQuestion;
      if (options.question === 'QUESTION') {
        const [q] = await h.bot.internals.questions.questions(
          h.guild.id,
          (await h.bot.internals.sessions.current(h.guild.id))!.id,
        );
        options.question =
          q?.id ??
          (await h.emu.command(as(h, 'Hanish'), 'ask', undefined, { question: 'A real question?' }).answer(),
          // Its card is posted after the answer: the store is compared once it is there.
          await questionCard(h, live.board().id, 'A real question?'),
          (
            await h.bot.internals.questions.questions(
              h.guild.id,
              (await h.bot.internals.sessions.current(h.guild.id))!.id,
            )
          )[0]!.id);
      }
      // The cards and board edits earlier interactions set off are done before the store is compared.
      await h.jobs.done();
      const before = await exportGuildData(h.bot.internals.redis, h.guild.id);
      const answer = await h.emu.command(as(h, user ?? nextGuest()), command, sub, options).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(message);
      expect(await exportGuildData(h.bot.internals.redis, h.guild.id)).toEqual(before);
    },
  );

  it('@everyone, role mentions and markdown in a question show as text and ping nobody', async () => {
    const role = h.emu.world.roleByName(h.guild, 'paper-club').id;
    const text = `@everyone @here <@&${role}> **bold** [link](https://evil.example) ||spoiler|| # heading`;
    expect((await h.emu.command(as(h, nextGuest()), 'ask', undefined, { question: text }).answer()).content).toMatch(
      /^Question logged/,
    );
    await questionCard(h, live.board().id, 'bold');
    await h.jobs.done(); // the board's edit too
    expect(mentionLeaks(h)).toEqual([]);
    const card = h.emu.posts.find((p) => p.message.embeds[0]?.description?.includes('bold'))!;
    expect(card.message.embeds[0]!.description).toBe(
      `@\u200deveryone @\u200dhere <\u200d@\u200d&${role}> \\*\\*bold\\*\\* \\[link\\](https://evil.example) \\|\\|spoiler\\|\\| # heading`,
    );
    expect(card.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('every message the bot sent states its allowed mentions, and none pinged anyone', () => {
    const creates = h.emu.posts.filter((p) => p.action === 'create');
    expect(creates.length).toBeGreaterThan(10);
    expect(creates.filter((p) => p.body.allowed_mentions === undefined)).toEqual([]);
    expect(mentionLeaks(h)).toEqual([]);
    expect(h.emu.violations).toEqual([]);
  });
});

describe('GIVEN no session is live', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it.each([
    ['ask', undefined, { question: 'Anyone?' }],
    ['speak', undefined, {}],
    ['speakers', 'list', {}],
    ['question', 'list', {}],
    ['highlight', undefined, { text: 'x' }],
  ] as const)('/%s %s says so', async (command, sub, options) => {
    const answer = await h.emu.command(as(h, 'Tanishq'), command, sub, options).answer();
    expect(answer.content).toBe('No session is live right now. A host starts one with /session start.');
    expect(answer.ephemeral).toBe(true);
  });
});
