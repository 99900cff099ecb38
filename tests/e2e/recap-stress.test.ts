import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { configureSeedGuild } from '../support/setup-guild.js';
import { DIGEST_MESSAGES } from '../../src/recap/render.js';
import { STRESS, storeStressSession } from '../support/stress-session.js';

describe('GIVEN a 3-hour session with 2,000 questions, 500 highlights and 10,000 speaking segments', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startPrivateHarness();
    await configureSeedGuild(h);
    sessionId = await storeStressSession(h.bot.internals, h.guild.id);
  }, 120_000);
  afterAll(() => h.stop());

  const recapChannel = () => h.emu.world.channelByName(h.guild, 'recaps').id;

  it(`WHEN the recap job runs under Discord's rate limits THEN within 15 s it posts a digest (summary, top questions) of at most ${DIGEST_MESSAGES} messages and a file holding every item, and a second run posts nothing`, async () => {
    const queuedAt = Date.now();
    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    await until(() => h.emu.messagesIn(recapChannel()).length === 1, 15_000, 'the first part');
    const first = h.emu.messagesIn(recapChannel())[0]!;
    await h.jobs.done({ timeoutMs: 15_000 });
    const parts = [first, ...(h.emu.world.channels.has(first.id) ? h.emu.messagesIn(first.id) : [])];
    const lastPostedAt = Math.max(...parts.map((m) => Date.parse(m.timestamp)));
    expect(lastPostedAt - queuedAt, 'ms from queueing the recap to its last post').toBeLessThan(15_000);
    expect(h.emu.violations).toEqual([]);
    expect(h.emu.rateLimited).toEqual([]);
    expect(parts.length).toBeLessThanOrEqual(DIGEST_MESSAGES);
    expect(parts.every((m) => m.content.length <= 2000)).toBe(true);

    // The digest: the summary, the most upvoted answered question, and where the rest is.
    const messages = parts.map((m) => m.content).join('\n');
    expect(messages).toContain(`${STRESS.questions} questions asked`);
    // Stored without votes: the top questions are the first answered ones.
    expect(messages).toMatch(/^- \*\*Q\*\* \([^)]+\): Question 1: .*\n {2}\*\*A\*\*: Answer 1: /m);
    expect(messages).toMatch(/The full recap .* is in the attached file, recap-\d{4}-\d{2}-\d{2}\.md\./);

    // The file: every question and answer, every highlight, every speaking segment.
    const file = h.emu.attachmentText(first.attachments[0]!.id);
    for (let i = 0; i < STRESS.questions; i++) {
      const marker = i % 10 === 0 ? `Question ${i}:` : `Answer ${i}:`;
      expect(file.includes(marker), `file holds ${marker}`).toBe(true);
    }
    expect([...file.matchAll(/^- ✦ .*Highlight \d+:/gm)].length).toBe(STRESS.highlights);
    expect([...file.matchAll(/\d{2}:\d{2}:\d{2}–\d{2}:\d{2}:\d{2}/g)].length).toBe(STRESS.segments);

    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    await h.jobs.done({ timeoutMs: 15_000 });
    expect(h.emu.messagesIn(recapChannel())).toHaveLength(1);
    const again = [first, ...(h.emu.world.channels.has(first.id) ? h.emu.messagesIn(first.id) : [])];
    expect(again).toHaveLength(parts.length);
  }, 60_000);
});
