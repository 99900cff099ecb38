import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_EDITS } from '../../src/domain/session/session.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

/** Discord lets a Stage topic change twice per 10 minutes; a host may move through papers faster than that. */
describe('GIVEN a live session on a Stage WHEN the host moves through three papers within a minute', () => {
  let h: Harness;
  let live: Awaited<ReturnType<typeof liveSession>>;
  beforeAll(async () => {
    h = await startPrivateHarness();
    live = await liveSession(h);
    for (const url of ['https://example.org/paper-three', 'https://example.org/paper-four'])
      await h.emu.command(as(h, 'Aran'), 'paper', 'add', { url }).answer();
  }, 60_000);
  afterAll(() => h.stop());

  const topicRequests = () => h.emu.requests.filter((r) => r.path.startsWith('/stage-instances'));
  const boardEdits = () =>
    h.emu.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${live.board().id}`));

  it('THEN the Stage opens with a create (no failed edit first), two topics go out, the third waits for its window, and the board follows every change', async () => {
    await h.jobs.done();
    // The session start opened the Stage on the first paper, with one create.
    expect(topicRequests().map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
    const host = as(h, 'Tanishq');
    for (const title of ['paper-two', 'paper-three', 'paper-four']) {
      const before = boardEdits().length;
      expect((await h.emu.command(host, 'paper', 'next').answer()).content).toContain(title);
      await until(() => boardEdits().length > before, 10_000, `the board showing ${title}`);
      await h.jobs.done();
    }
    // paper-two's topic went out; the next two could not (two changes within 10 minutes): none was sent and refused.
    expect(topicRequests().map((r) => [r.method, r.status])).toEqual([
      ['POST', 200],
      ['PATCH', 200],
    ]);
    const stage = h.emu.world.channelByName(h.guild, 'paper-stage').id;
    expect(h.emu.world.guilds.get(h.guild.id)!.stageInstances.get(stage)!.topic).toContain('paper-two');
    const waiting = (await h.jobs.queue.getJobs(['delayed'])).filter((j) => j.id?.startsWith('board-topic:'));
    expect(waiting.length).toBeGreaterThan(0);
    const firstEdit = (await h.bot.internals.sessions.get(h.guild.id, live.sessionId))!.stageTopicEdits![0]!;
    for (const job of waiting) {
      const due = job.timestamp + (job.opts.delay ?? 0);
      expect(Math.abs(due - (firstEdit + TOPIC_EDITS.windowMs))).toBeLessThan(1_000);
    }
    expectCleanDiscord(h);
  });
});
