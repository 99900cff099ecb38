import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { as } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

/**
 * /session end is one store script (the session ends, its papers are closed)
 * followed by steps that a rerun completes (board, cards, recap, next week).
 * A process killed between them leaves exactly what the script wrote.
 */
describe('GIVEN a process died right after the end script of /session end', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startPrivateHarness();
    ({ sessionId } = await liveSession(h));
    await h.emu.command(as(h, 'David'), 'ask', undefined, { question: 'Does the rerun post the recap?' }).answer();
    // What a SIGKILL after the script leaves behind: the script's writes and nothing after them.
    const ended = await h.bot.internals.sessions.end(h.guild.id, { sessionId, by: 'host', at: Date.now() });
    expect(ended.outcome).toBe('ended');
  }, 60_000);
  afterAll(() => h.stop());

  it('THEN the session is over: no command sees it live', async () => {
    expect(await h.bot.internals.sessions.current(h.guild.id)).toBeUndefined();
    const answer = await h.emu.command(as(h, 'David'), 'ask', undefined, { question: 'Still live?' }).answer();
    expect(answer.content).toMatch(/^No session is live right now/);
  });

  it('WHEN a host runs /session end again THEN the recap goes out once and the end is complete', async () => {
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    expect(h.emu.messagesIn(recaps)).toEqual([]);
    const answer = await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    expect(answer.content).toMatch(/^The last session had ended without its recap/);
    await until(() => h.emu.messagesIn(recaps).length > 0, 10_000, 'the recap');
    await vi.waitFor(async () => expect(await h.bot.internals.sessions.recap(h.guild.id, sessionId)).toBeDefined(), {
      timeout: 10_000,
    });
    const first = h.emu.messagesIn(recaps)[0]!;
    // The digest counts the open question; the attached full recap has it.
    expect(first.content).toContain("1 unanswered question carried over to next week's agenda.");
    expect(h.emu.attachmentText(first.attachments[0]!.id)).toContain('Does the rerun post the recap?');
    const again = await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    expect(again.content).toMatch(/^No session is live right now/);
    expect(h.emu.violations).toEqual([]);
  });
});
