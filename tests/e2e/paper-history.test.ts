import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { eventually, type Harness } from '../support/harness.js';
import { startStack, type Stack } from '../support/stack.js';
import { configureSeedGuild } from '../support/setup-guild.js';

const SEED = ['2408.06292', '2408.03314', '2408.00118', '2407.07726', '2408.00714', '2408.03322', '2408.06072'];

describe('GIVEN two past sessions covered papers', () => {
  let stack: Stack;
  let h: Harness;
  beforeAll(async () => {
    stack = await startStack();
    ({ h } = stack);
    await configureSeedGuild(h);
    const papers = h.bot.internals.papers;
    // 18 papers: the seven seed ones plus plain links, covered across two sessions (the live-session commands drive this in production).
    const inputs = [...SEED, ...Array.from({ length: 11 }, (_, i) => `https://example.org/reading-${i + 1}`)];
    for (const [i, url] of inputs.entries()) {
      await h.emu
        .command(as(h, ['Aran', 'Tanishq', 'Charlie', 'Cong'][i % 4]!), 'paper', 'add', { url, presenter: 'Aran' })
        .answer();
    }
    // The searches below read titles and authors, which the metadata jobs write after the adds are answered.
    await eventually(
      async () => !(await papers.list(h.guild.id)).some((p) => p.metadataStatus === 'pending'),
      20_000,
      'paper details',
    );
    const queue = await papers.list(h.guild.id);
    expect(queue.filter((p) => p.metadataStatus === 'ready')).toHaveLength(SEED.length);
    const day = Date.UTC(2024, 7, 7, 19);
    for (const [i, paper] of queue.entries())
      await papers.start(h.guild.id, paper.id, day + (i < 9 ? 0 : 7 * 86_400_000) + i * 60_000);
    // What /session end does to the queue: covered papers go to history.
    const { sessionId } = await h.bot.internals.sessions.start(h.guild.id, 'host', day + 8 * 86_400_000 - 1);
    await h.bot.internals.sessions.end(h.guild.id, { sessionId, by: 'host', at: day + 8 * 86_400_000 });
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    expectCleanDiscord(h);
  });

  it('WHEN a member runs /paper history THEN the newest come first, ten a page, with buttons to page through', async () => {
    const answer = await h.emu.command(as(h, 'Hanish'), 'paper', 'history').answer();
    expect(answer.ephemeral).toBe(true);
    const lines = answer.embeds[0]!.description!.split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(
      /^\[https:\/\/example\.org\/reading-11\]\(https:\/\/example\.org\/reading-11\) · <t:\d+:D> · <@\d+>$/,
    );
    const buttons = (
      answer.components[0] as { components: Array<{ custom_id: string; disabled?: boolean; label: string }> }
    ).components;
    expect(buttons.map((b) => b.label)).toEqual(['Previous', 'Page 1 of 2', 'Next']);
    expect(buttons[0]!.disabled).toBe(true);

    const next = await h.emu.button(as(h, 'Hanish'), answer.message!, buttons[2]!.custom_id).answer();
    expect(next.callbackType).toBe(7);
    const second = next.embeds[0]!.description!.split('\n');
    expect(second).toHaveLength(8);
    expect(second.at(-1)).toMatch(
      /^\[The AI Scientist: Towards Fully Automated Open-Ended Scientific Discovery\]\(https:\/\/arxiv\.org\/abs\/2408\.06292\)/,
    );
  });

  it.each([
    [
      'a title word',
      'gemma',
      ['Gemma 2: Improving Open Language Models at a Practical Size', 'PaliGemma: A versatile 3B VLM for transfer'],
    ],
    ['an author', 'Nikhila Ravi', ['SAM 2: Segment Anything in Images and Videos']],
    ['an arXiv id', '2408.03322', ['Segment Anything in Medical Images and Videos: Benchmark and Deployment']],
  ])('WHEN searching by %s THEN only matching papers are listed', async (_what, query, titles) => {
    const answer = await h.emu.command(as(h, 'Hanish'), 'paper', 'history', { query }).answer();
    const shown = answer.embeds[0]!.description!.split('\n').map((l) => /^\[([^\]]+)\]/.exec(l)![1]);
    expect(shown.sort()).toEqual([...titles].sort());
  });

  it('WHEN nothing matches THEN it says so', async () => {
    expect(
      (await h.emu.command(as(h, 'Hanish'), 'paper', 'history', { query: 'quantum gravity' }).answer()).content,
    ).toBe('No covered paper matches quantum gravity.');
  });

  it('WHEN a covered paper is suggested again THEN it is queued and the reply says when it was read', async () => {
    const answer = await h.emu
      .command(as(h, 'David'), 'paper', 'add', { url: 'https://arxiv.org/abs/2408.00714' })
      .answer();
    expect(answer.content).toMatch(
      /^Queued \*\*2408\.00714\*\* at position 1\..*\nThis paper was read here before, on <t:1723057440:D>\.$/s,
    );
  });
});
