import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Interactions Discord itself would never send (the fuzzer made them): every
 * option is checked against the command's own definition before a handler runs.
 */
describe('GIVEN forged command options', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'channels', {
        announce: '#announcements',
        recap: '#recaps',
        stage: '#paper-stage',
      })
      .answer();
    await h.emu.command(as(h, 'Tanishq'), 'setup', 'roles', { host: '@hosts' }).answer();
    await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each([
    [
      'a required option left out',
      'ask',
      undefined,
      {},
      'The `question` option is required; run the command again with it.',
    ],
    [
      'a required option of a subcommand left out',
      'speakers',
      'call',
      {},
      'The `user` option is required; run the command again with it.',
    ],
    [
      'a value outside its choices (10,000 characters)',
      'question',
      'list',
      { status: 'x'.repeat(10_000) },
      "The `status` option is not valid for this command; pick it from Discord's form and try again.",
    ],
    [
      'a fraction for an integer',
      'paper',
      'move',
      { paper: 'x', position: 1.5 },
      "The `position` option is not valid for this command; pick it from Discord's form and try again.",
    ],
    [
      'a word for a boolean',
      'ask',
      undefined,
      { question: 'Why?', anonymous: 'yes' },
      "The `anonymous` option is not valid for this command; pick it from Discord's form and try again.",
    ],
    [
      'a string longer than its max length (the handler says what fits)',
      'ask',
      undefined,
      { question: 'q'.repeat(501) },
      'The question is 501 characters; keep it to 500.',
    ],
    [
      'an absurdly long string (100 kB)',
      'ask',
      undefined,
      { question: 'q'.repeat(100_001) },
      "The `question` option is not valid for this command; pick it from Discord's form and try again.",
    ],
  ] as const)(
    '%s is refused, naming the option, and nothing is stored',
    async (_case, name, sub, options, expected) => {
      const before = await h.bot.internals.questions.counts(
        h.guild.id,
        (await h.bot.internals.sessions.current(h.guild.id))!.id,
      );
      const answer = await h.emu
        .command(as(h, 'Tanishq'), name, sub, options as Record<string, string | number | boolean>)
        .answer();
      expect(answer.content).toBe(expected);
      expect(answer.ephemeral).toBe(true);
      expect(
        await h.bot.internals.questions.counts(h.guild.id, (await h.bot.internals.sessions.current(h.guild.id))!.id),
      ).toEqual(before);
    },
  );

  it("THEN every answer passed Discord's checks", () => {
    expectCleanDiscord(h);
  });
});
