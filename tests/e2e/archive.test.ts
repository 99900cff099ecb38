import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { as, expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { eventually, startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

/** The web archive from Discord: /setup archive, and the recap, /recap show and /paper history linking to it. */
describe('GIVEN a session has ended and been recapped', () => {
  let h: Harness;
  let sessionId: string;
  const question = 'Does verifier search beat best-of-N at small budgets?';
  const status = async (url: string) => (await fetch(url)).status;
  const linkIn = (text: string) => /(http:\/\/127\.0\.0\.1:\d+\/a\/[0-9a-f]{32}\/)/.exec(text)?.[1];

  beforeAll(async () => {
    h = await startPrivateHarness();
    ({ sessionId } = await liveSession(h));
    await h.emu.command(as(h, 'David'), 'ask', undefined, { question }).answer();
    await h.emu.command(as(h, 'Tanishq'), 'session', 'end').answer();
    await eventually(async () => (await h.bot.services.archive.summaries(h.guild.id)).length === 1, 15_000, 'archived');
  }, 60_000);
  afterAll(() => h.stop());
  afterEach(() => expectCleanDiscord(h));

  it('WHEN the archive is off THEN /setup archive says so and nothing is served', async () => {
    const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', 'archive').answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain('The archive is off');
    const refused = await h.emu.command(as(h, 'David'), 'setup', 'archive', { visibility: 'public' }).answer();
    expect(refused.content).not.toContain('Saved');
    expect((await h.bot.internals.settings.get(h.guild.id)).archiveVisibility).toBe('off');
  });

  it('WHEN a host turns it on THEN the answer gives the secret address, and the next recap, /recap show and /paper history link to its pages', async () => {
    const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', 'archive', { visibility: 'link' }).answer();
    expect(answer.ephemeral).toBe(true);
    const link = linkIn(answer.content)!;
    expect(link).toBeDefined();
    expect(link.startsWith(h.bot.web!.url)).toBe(true);
    // Not reachable by readers elsewhere: the host is told what to set.
    expect(answer.content).toContain('LECTERN_PUBLIC_URL');
    const index = await fetch(link);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain(`sessions/${sessionId}`);
    const page = await fetch(`${link}sessions/${sessionId}`);
    expect(await page.text()).toContain(question);

    // The recap posted again carries the page, in the digest and in the file.
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    const before = h.emu.messagesIn(recaps).length;
    await h.emu.command(as(h, 'Tanishq'), 'recap', 'post').answer();
    await until(() => h.emu.messagesIn(recaps).length > before, 10_000, 'the recap again');
    const digest = h.emu.messagesIn(recaps).at(-1)!;
    expect(digest.content).toContain(`on the web: <${link}sessions/${sessionId}>`);
    expect(h.emu.attachmentText(digest.attachments[0]!.id)).toContain(`On the web: ${link}sessions/${sessionId}`);

    const shown = await h.emu.command(as(h, 'David'), 'recap', 'show').answer();
    expect(shown.content).toContain(`On the web: <${link}sessions/${sessionId}>`);

    const history = await h.emu.command(as(h, 'David'), 'paper', 'history').answer();
    const paperPage = /\[archive\]\(<([^>]+)>\)/.exec(history.embeds[0]!.description!)?.[1];
    expect(paperPage).toMatch(new RegExp(`^${link}papers/`));
    expect(await status(paperPage!)).toBe(200);

    const settings = await h.emu.command(as(h, 'Tanishq'), 'setup', 'show').answer();
    const field = settings.embeds[0]!.fields!.find((f) => f.name === 'Web archive');
    expect(field?.value).toBe('secret link (see /setup archive)');
  });

  it('WHEN a host rotates the address THEN the old one answers 404 like any unknown one, and links follow the new one', async () => {
    const old = linkIn((await h.emu.command(as(h, 'Tanishq'), 'setup', 'archive').answer()).content)!;
    const rotated = await h.emu.command(as(h, 'Tanishq'), 'setup', 'archive', { rotate: true }).answer();
    expect(rotated.content).toContain('The old address no longer works.');
    const fresh = linkIn(rotated.content)!;
    expect(fresh).not.toBe(old);
    expect(await status(old)).toBe(404);
    expect(await status(`${old}sessions/${sessionId}`)).toBe(404);
    expect(await status(fresh)).toBe(200);
    const shown = await h.emu.command(as(h, 'David'), 'recap', 'show').answer();
    expect(shown.content).toContain(`<${fresh}sessions/${sessionId}>`);
  });

  it('WHEN a host makes it public at a slug THEN it is listed there with its feed; a malformed slug is refused', async () => {
    const bad = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'archive', { visibility: 'public', slug: 'Paper Club!' })
      .answer();
    expect(bad.content).toMatch(/cannot be an address/);
    const answer = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'archive', { visibility: 'public', slug: 'paper-club' })
      .answer();
    const base = `${h.bot.web!.url}/s/paper-club/`;
    expect(answer.content).toContain(`It is also public at ${base}`);
    expect(await status(base)).toBe(200);
    const feed = await fetch(`${base}feed.xml`);
    expect(feed.headers.get('content-type')).toContain('application/atom+xml');
    expect(await feed.text()).toContain(`/sessions/${sessionId}`);

    await h.emu.command(as(h, 'Tanishq'), 'setup', 'archive', { visibility: 'off' }).answer();
    expect(await status(base)).toBe(404);
    const shown = await h.emu.command(as(h, 'David'), 'recap', 'show').answer();
    expect(shown.content).not.toContain('On the web');
  });
});
