import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { configureSeedGuild } from '../support/setup-guild.js';
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

  it('WHEN the recap job runs THEN every item is in the file and in the messages, no message breaks a limit, and a second run posts nothing', async () => {
    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    await until(
      () =>
        h.emu.messagesIn(recapChannel()).length === 1 &&
        h.emu.world.channels.has(h.emu.messagesIn(recapChannel())[0]!.id),
      60_000,
      'the first part and its thread',
    );
    const first = h.emu.messagesIn(recapChannel())[0]!;
    await h.jobs.done({ timeoutMs: 180_000 });
    const parts = [first, ...h.emu.messagesIn(first.id)];
    expect(h.emu.violations).toEqual([]);
    expect(parts.every((m) => m.content.length <= 2000)).toBe(true);
    const file = h.emu.attachmentText(first.attachments[0]!.id);
    const messages = parts.map((m) => m.content).join('\n');
    for (let i = 0; i < STRESS.questions; i++) {
      const marker = i % 10 === 0 ? `Question ${i}:` : `Answer ${i}:`;
      expect(file.includes(marker), `file holds ${marker}`).toBe(true);
      expect(messages.includes(marker), `messages hold ${marker}`).toBe(true);
    }
    const highlights = [...file.matchAll(/^- ✦ .*Highlight \d+:/gm)].length;
    expect(highlights).toBe(STRESS.highlights);
    expect([...messages.matchAll(/✦ .*?Highlight \d+:/g)].length).toBe(STRESS.highlights);
    const segmentsInFile = [...file.matchAll(/\d{2}:\d{2}:\d{2}–\d{2}:\d{2}:\d{2}/g)].length;
    const segmentsInMessages = [...messages.matchAll(/<t:\d+:t>–<t:\d+:t>/g)].length;
    expect(segmentsInFile).toBe(STRESS.segments);
    expect(segmentsInMessages).toBe(STRESS.segments);

    const posted = parts.length;
    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    await h.jobs.done({ timeoutMs: 180_000 });
    expect(h.emu.messagesIn(recapChannel())).toHaveLength(1);
    expect(h.emu.messagesIn(first.id).length + 1).toBe(posted);
  }, 240_000);
});
