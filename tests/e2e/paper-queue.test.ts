import type { APIEmbed } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportGuildData } from '../../src/store/guild-export.js';
import { ARXIV } from '../fixtures/papers.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import type { Harness } from '../support/harness.js';
import type { MetadataServer } from '../support/metadata-server.js';
import { startStack, type Stack } from '../support/stack.js';
import { configureSeedGuild } from '../support/setup-guild.js';

/** The seven /paper add steps of the seed session, as their members ran them. */
const SEED_ADDS = [
  { by: 'Aran', url: 'https://arxiv.org/abs/2408.06292', presenter: 'Cong' },
  { by: 'Aran', url: '2408.03314', presenter: 'Charlie' },
  { by: 'Aran', url: '2408.00118', presenter: 'Aran', note: 'Gemma 2 and PaliGemma together' },
  { by: 'Aran', url: 'https://huggingface.co/papers/2407.07726', presenter: 'Aran' },
  { by: 'Tanishq', url: '2408.00714', presenter: 'Tanishq' },
  { by: 'Tanishq', url: '2408.03322', presenter: 'Tanishq' },
  { by: 'Tanishq', url: '2408.06072', presenter: 'Tanishq' },
];
const SEED_ORDER = ['2408.06292', '2408.03314', '2408.00118', '2407.07726', '2408.00714', '2408.03322', '2408.06072'];

describe('GIVEN the seed guild set up and the paper sources reachable', () => {
  let stack: Stack;
  let h: Harness;
  let sources: MetadataServer;
  beforeAll(async () => {
    stack = await startStack();
    ({ h, sources } = stack);
    await configureSeedGuild(h);
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    expectCleanDiscord(h);
  });

  const announce = () => h.emu.world.channelByName(h.guild, 'announcements').id;
  const cards = () =>
    h.emu
      .messagesIn(announce())
      .filter(
        (m) => m.embeds[0]?.footer?.text?.startsWith('arXiv') || m.embeds[0]?.footer?.text?.startsWith('Hugging Face'),
      );
  const cardFor = (id: string): APIEmbed | undefined =>
    cards().find((m) => m.embeds[0]!.footer!.text!.endsWith(id))?.embeds[0];
  const member = (name: string) => h.emu.world.memberByName(h.guild, name).user.id;

  it('WHEN the seven seed papers are added THEN each is queued at once with a card, and the cards fill in from the sources', async () => {
    for (const [i, step] of SEED_ADDS.entries()) {
      const options = { url: step.url, presenter: step.presenter, ...(step.note ? { note: step.note } : {}) };
      const answer = await h.emu.command(as(h, step.by), 'paper', 'add', options).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(
        new RegExp(`^Queued \\*\\*.+\\*\\* at position ${i + 1}\\. Its card goes up in <#${announce()}>`),
      );
    }
    await until(() => SEED_ORDER.every((id) => cardFor(id)?.title === ARXIV[id]!.title), 15_000, 'cards filled');
    const gemma = cardFor('2408.00118')!;
    expect(gemma.url).toBe('https://arxiv.org/abs/2408.00118');
    expect(gemma.description).toContain('Gemma Team, Morgane Riviere');
    expect(gemma.description).toContain('**Note:** Gemma 2 and PaliGemma together');
    expect(gemma.fields).toEqual(
      expect.arrayContaining([
        { name: 'Presenter', value: `<@${member('Aran')}>`, inline: true },
        { name: 'Suggested by', value: `<@${member('Aran')}>`, inline: true },
        { name: 'Status', value: 'details from the source', inline: true },
      ]),
    );
    expect(cardFor('2407.07726')!.footer!.text).toBe('Hugging Face 2407.07726');
    // Exactly one card per paper, each posted once and then edited.
    expect(cards()).toHaveLength(7);
    expect(h.emu.posts.filter((p) => p.action === 'create' && p.channelId === announce())).toHaveLength(7);
    expect(sources.requestsFor('2407.07726')).toEqual(['/huggingface/api/papers/2407.07726']);
  });

  it('WHEN David adds 2408.03314 again THEN an ephemeral answer with its position, and nothing is added', async () => {
    await h.jobs.done();
    const before = await exportGuildData(h.bot.internals.redis, h.guild.id);
    const answer = await h.emu.command(as(h, 'David'), 'paper', 'add', { url: '2408.03314' }).answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(
      /^That paper is already queued for this session, at position 2 \(`Scaling LLM Test-Time Compute Optimally[^`]*…`\)\.$/,
    );
    expect(await exportGuildData(h.bot.internals.redis, h.guild.id)).toEqual(before);
  });

  it('WHEN Aran moves 2408.03314 to position 1, picked through autocomplete THEN /paper list shows the new order', async () => {
    const choices = (
      await h.emu.autocomplete(as(h, 'Aran'), 'paper', 'move', { paper: '2408.03314', position: 1 }, 'paper').answer()
    ).choices!;
    expect(choices[0]!.name).toBe(
      '2. Scaling LLM Test-Time Compute Optimally can be More Effective than Scaling Model… — Charlie',
    );
    expect(choices).toHaveLength(1);
    const moved = await h.emu
      .command(as(h, 'Aran'), 'paper', 'move', { paper: String(choices[0]!.value), position: 1 })
      .answer();
    expect(moved.content).toMatch(/^Moved \*\*Scaling LLM Test-Time Compute.*\*\* to position 1\.$/);
    const list = await h.emu.command(as(h, 'Hanish'), 'paper', 'list').answer();
    const lines = list.embeds[0]!.description!.split('\n');
    expect(lines.map((l) => /\]\(https:\/\/[^)]+\/(\d{4}\.\d{5})\)/.exec(l)?.[1])).toEqual([
      '2408.03314',
      '2408.06292',
      '2408.00118',
      '2407.07726',
      '2408.00714',
      '2408.03322',
      '2408.06072',
    ]);
    expect(lines[0]).toBe(
      `1. [Scaling LLM Test-Time Compute Optimally can be More Effective than Scaling Model Parameters](https://arxiv.org/abs/2408.03314) · presented by <@${member('Charlie')}> · ▲ 0`,
    );
    expect(list.embeds[0]!.title).toBe("Paper queue (7) · in the hosts' order");
  });

  it('WHEN a non-host runs /paper remove or /paper move THEN refused ephemerally and nothing changes', async () => {
    await h.jobs.done();
    const before = await exportGuildData(h.bot.internals.redis, h.guild.id);
    for (const [sub, options] of [
      ['remove', { paper: '2408.06072' }],
      ['move', { paper: '2408.06072', position: 1 }],
    ] as const) {
      const answer = await h.emu.command(as(h, 'David'), 'paper', sub, options).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(/^Only hosts can do that/);
    }
    expect(await exportGuildData(h.bot.internals.redis, h.guild.id)).toEqual(before);
  });

  it('WHEN a host removes a paper THEN it leaves the queue and can be suggested again', async () => {
    expect((await h.emu.command(as(h, 'Aran'), 'paper', 'remove', { paper: 'CogVideoX' }).answer()).content).toMatch(
      /^Removed \*\*CogVideoX/,
    );
    expect((await h.bot.internals.papers.list(h.guild.id)).map((p) => p.ref.id)).not.toContain('2408.06072');
    expect(
      (await h.emu.command(as(h, 'Tanishq'), 'paper', 'add', { url: '2408.06072', presenter: 'Tanishq' }).answer())
        .content,
    ).toMatch(/at position 7/);
  });

  it('WHEN a member adds more than 5 papers in a minute THEN the sixth is refused with when to try again', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(
        await h.emu.command(as(h, 'Hanish'), 'paper', 'add', { url: `https://example.org/paper-${i}` }).answer(),
      );
    expect(answers.slice(0, 5).every((a) => a.content.startsWith('Queued'))).toBe(true);
    expect(answers[5]!.content).toMatch(/^Slow down: you can do that 5 times every 60 s\. Try again in \d+ s\.$/);
    expect(sources.requests.some((r) => r.includes('example.org'))).toBe(false);
  });

  it('GIVEN 13 papers queued, one with a long link WHEN /paper list THEN ten a page, in order, each page within an embed', async () => {
    const long = `https://example.org/${'a'.repeat(300)}`;
    expect((await h.emu.command(as(h, 'Cong'), 'paper', 'add', { url: long }).answer()).content).toMatch(/^Queued/);
    const first = await h.emu.command(as(h, 'Cong'), 'paper', 'list').answer();
    expect(first.embeds[0]!.title).toBe("Paper queue (13) · in the hosts' order");
    expect(first.embeds[0]!.description!.split('\n').map((l) => l.split('.')[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i + 1)),
    );
    const buttons = (first.components[0] as { components: Array<{ custom_id: string; label: string }> }).components;
    expect(buttons.map((b) => b.label)).toEqual(['Previous', 'Page 1 of 2', 'Next']);
    const second = await h.emu.button(as(h, 'Cong'), first.message!, buttons[2]!.custom_id).answer();
    const lines = second.embeds[0]!.description!.split('\n');
    expect(lines.map((l) => l.split('.')[0])).toEqual(['11', '12', '13']);
    // The long link is left off its line (its card has it); the line still names the paper.
    expect(lines[2]).toMatch(/^13\. https:\/\/example\.org\/a+… · needs a presenter/);
    expect(lines[2]).not.toContain('](');
    expect(h.emu.violations).toEqual([]);
  });
});
