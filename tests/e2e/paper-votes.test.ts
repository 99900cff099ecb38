import type { APIMessage } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { customIdOf } from '../support/live.js';
import { configureSeedGuild } from '../support/setup-guild.js';

const CROWD = Array.from({ length: 200 }, (_, i) => `Voter ${i + 1}`);
const LINKS = [1, 2, 3].map((i) => `https://example.org/papers/${i}`);

/** Members vote on the queue with the Vote button of each paper card; hosts choose whether votes order it. */
describe('GIVEN three queued papers with their cards', () => {
  let h: Harness;
  let cards: APIMessage[];
  beforeAll(async () => {
    h = await startPrivateHarness(CROWD);
    await configureSeedGuild(h);
    for (const url of LINKS) await h.emu.command(as(h, 'Charlie'), 'paper', 'add', { url }).answer();
    const announce = h.emu.world.channelByName(h.guild, 'announcements').id;
    const posted = () => h.emu.messagesIn(announce).filter((m) => m.embeds[0]?.url?.startsWith('https://example.org'));
    await until(() => posted().length === LINKS.length, 15_000, 'the paper cards');
    cards = LINKS.map((url) => posted().find((m) => m.embeds[0]!.url === url)!);
  }, 60_000);
  afterAll(() => h.stop());

  const press = (user: string, card: APIMessage) => h.emu.button(as(h, user), card, customIdOf(card)).answer();
  const voteLabel = (card: APIMessage) =>
    (h.emu.findMessage(card.id)!.components![0] as { components: Array<{ label: string }> }).components[0]!.label;
  const listLines = async () => (await h.emu.command(as(h, 'Cong'), 'paper', 'list').answer()).embeds![0]!;

  it('WHEN 200 members press Vote on one card at once THEN all 200 are counted, the card shows it after few edits, and a second press takes a vote back', async () => {
    const replies = await Promise.all(CROWD.map((name) => press(name, cards[1]!)));
    expect(replies.every((r) => /^Voted: \d+ votes?\. Press again to take it back\.$/.test(r.content))).toBe(true);
    expect(replies.every((r) => r.ephemeral)).toBe(true);
    await h.jobs.done();
    expect(voteLabel(cards[1]!)).toBe('▲ Vote (200)');
    const edits = h.emu.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${cards[1]!.id}`));
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.length).toBeLessThan(10);

    expect((await press('Voter 1', cards[1]!)).content).toBe('Vote taken back: 199 votes.');
    expect((await press('Voter 1', cards[2]!)).content).toBe('Voted: 1 vote. Press again to take it back.');
    await h.jobs.done();
    expect(voteLabel(cards[1]!)).toBe('▲ Vote (199)');
    const list = await listLines();
    expect(list.title).toBe("Paper queue (3) · in the hosts' order");
    expect(list.description!.split('\n').map((l) => l.match(/▲ (\d+)/)?.[1])).toEqual(['0', '199', '1']);
    expectCleanDiscord(h);
  });

  it('WHEN a host orders the queue by votes THEN /paper list, autocomplete and /paper next follow the votes, and a paper the host moves keeps its place', async () => {
    const host = as(h, 'Tanishq');
    expect((await h.emu.command(host, 'setup', 'queue', { order: 'votes' }).answer()).content).toMatch(
      /^Saved\. The queue is ordered by votes/,
    );
    const list = await listLines();
    expect(list.title).toBe('Paper queue (3) · most voted first');
    const order = () =>
      listLines().then((l) => l.description!.split('\n').map((line) => line.match(/papers\/(\d)/)?.[1]));
    expect(await order()).toEqual(['2', '3', '1']);
    const offered = await h.emu.autocomplete(host, 'paper', 'move', { paper: '' }, 'paper').answer();
    expect(offered.choices!.map((c) => c.name.slice(0, 3))).toEqual(['1. ', '2. ', '3. ']);
    expect(offered.choices![0]!.name).toMatch(/▲ 199$/);

    const moved = await h.emu
      .command(host, 'paper', 'move', { paper: offered.choices![2]!.value, position: 1 })
      .answer();
    expect(moved.content).toMatch(/to position 1\.$/);
    expect(await order()).toEqual(['1', '2', '3']);
    expect((await listLines()).description!.split('\n')[0]).toMatch(/placed by a host/);
    const show = await h.emu.command(host, 'setup', 'show').answer();
    expect(show.embeds![0]!.fields!.find((f) => f.name === 'Queue order')!.value).toMatch(/^by votes/);
    expectCleanDiscord(h);
  });

  it("WHEN a member presses I'll present THEN they present it (card, /paper list), the button goes, and a second member is told who does", async () => {
    // Taken before the press: the emulator edits the card's message in place.
    const presentId = customIdOf(cards[0]!, 1);
    const volunteer = h.emu.button(as(h, 'Voter 7'), cards[0]!, presentId);
    expect((await volunteer.answer()).content).toMatch(/^You present this paper: thank you!/);
    await h.jobs.done();
    const card = h.emu.findMessage(cards[0]!.id)!;
    const voterId = h.emu.world.memberByName(h.guild, 'Voter 7').user.id;
    expect(card.embeds[0]!.fields!.find((f) => f.name === 'Presenter')!.value).toBe(`<@${voterId}>`);
    expect((card.components![0] as { components: unknown[] }).components).toHaveLength(1);
    const line = (await listLines()).description!.split('\n').find((l) => l.includes('papers/1'))!;
    expect(line).toContain(`presented by <@${voterId}>`);

    const late = await h.emu.button(as(h, 'Voter 8'), cards[0]!, presentId).answer();
    expect(late.content).toBe(`<@${voterId}> already presents that paper.`);
    expect(late.ephemeral).toBe(true);
    const again = await h.emu.button(as(h, 'Voter 7'), cards[0]!, presentId).answer();
    expect(again.content).toBe('You already present that paper.');
    const others = (await listLines()).description!.split('\n').filter((l) => !l.includes('papers/1'));
    expect(others.every((l) => l.includes('needs a presenter'))).toBe(true);
    expectCleanDiscord(h);
  });

  it('WHEN a member votes on a removed paper THEN the answer says so, ephemerally, and nothing is stored', async () => {
    const host = as(h, 'Tanishq');
    const removed = await h.emu.command(host, 'paper', 'remove', { paper: 'https://example.org/papers/3' }).answer();
    expect(removed.content).toMatch(/^Removed/);
    const refused = await press('Voter 5', cards[2]!);
    expect(refused.content).toBe('That paper is no longer in the queue.');
    expect(refused.ephemeral).toBe(true);
    const keys = await h.bot.internals.redis.keys(`*:paper:*:voters`);
    expect(keys).toHaveLength(1);
    expectCleanDiscord(h);
  });
});
