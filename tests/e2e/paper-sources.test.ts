import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportGuildData } from '../../src/store/guild-export.js';
import { keys } from '../../src/store/keys.js';
import { ARXIV } from '../fixtures/papers.js';
import { as, expectCleanDiscord } from '../support/as.js';
import { BotProcess, until } from '../support/bot-process.js';
import { botEnv, type Harness } from '../support/harness.js';
import { MetadataServer } from '../support/metadata-server.js';
import { PrivateRedis } from '../support/redis-server.js';
import { startStack, type Stack } from '../support/stack.js';
import { configureSeedGuild } from '../support/setup-guild.js';
import { Emulator } from '../emulator/emulator.js';
import { paperClub, paperClubSpec } from '../support/guild.js';

// Enough members that the per-member /paper add limit (5 a minute) never decides these tests.
const CROWD = Array.from({ length: 40 }, (_, i) => `Reader ${i + 1}`);
let turn = 0;
const nextReader = () => CROWD[turn++ % CROWD.length]!;

const SOURCE_REQUEST =
  /^\/(arxiv\/api\/query\?id_list=[\w./-]+&max_results=1|huggingface\/api\/papers\/[\w.]+|openreview\/notes\?id=[\w-]+|crossref\/works\/[\w.%-]+)$/;

describe('GIVEN paper sources that misbehave', () => {
  let stack: Stack;
  let h: Harness;
  let sources: MetadataServer;
  beforeAll(async () => {
    stack = await startStack({
      guild: (emu) => paperClub(emu, { members: [...paperClubSpec().members!, ...CROWD.map((name) => ({ name }))] }),
    });
    ({ h, sources } = stack);
    await configureSeedGuild(h);
  });
  afterAll(async () => {
    await stack.stop();
  });
  afterEach(() => {
    expectCleanDiscord(h);
    expect(sources.requests.filter((r) => !SOURCE_REQUEST.test(r))).toEqual([]);
  });

  const card = (ref: string) =>
    h.emu
      .messagesIn(h.emu.world.channelByName(h.guild, 'announcements').id)
      .find((m) => m.embeds[0]?.footer?.text?.endsWith(ref))?.embeds[0];
  const status = (ref: string) => card(ref)?.fields?.find((f) => f.name === 'Status')?.value;
  const add = (url: string) => h.emu.command(as(h, nextReader()), 'paper', 'add', { url }).answer();

  it('GIVEN details another guild already fetched WHEN the paper is added THEN its card goes up filled, in one post, with no request to the source', async () => {
    await h.bot.internals.redis.set(
      keys.metadataCache('arxiv', '2301.00001'),
      JSON.stringify({
        title: 'A paper read elsewhere',
        authors: ['A. Author'],
        abstract: 'Fetched for another guild.',
      }),
    );
    await add('2301.00001');
    await until(() => card('2301.00001')?.title === 'A paper read elsewhere', 5_000, 'filled card');
    await h.jobs.done();
    const message = h.emu
      .messagesIn(h.emu.world.channelByName(h.guild, 'announcements').id)
      .find((m) => m.embeds[0]?.footer?.text?.endsWith('2301.00001'))!;
    expect(h.emu.posts.filter((p) => p.messageId === message.id).map((p) => p.action)).toEqual(['create']);
    expect(sources.requestsFor('2301.00001')).toEqual([]);
  });

  it('WHEN arXiv answers 503 twice and then 200 THEN the card ends up filled', async () => {
    sources.script('2408.03314', { status: 503 }, { status: 503 });
    await add('2408.03314');
    await until(() => status('2408.03314') === 'details pending', 5_000, 'pending card');
    await until(() => card('2408.03314')?.title === ARXIV['2408.03314']!.title, 15_000, 'filled card');
    expect(sources.requestsFor('2408.03314')).toHaveLength(3);
  });

  it.each([
    ["an unknown arXiv id (arXiv's error entry)", '2401.99999', []],
    ['a 404 from the source', '2401.99998', [{ status: 404 }]],
    ['a malformed Atom answer', '2401.11111', [{ status: 200, body: '<feed><entry><title>x</entry>' }]],
    ['a 20 MB answer', '2401.22222', [{ bytes: 20 * 1024 * 1024 }]],
    ['a redirect to a private address', '2401.33333', [{ redirect: 'http://127.0.0.1:6379/' }]],
    ['a redirect to a private https host', '2401.44444', [{ redirect: 'https://10.0.0.1/steal' }]],
    ['a redirect off the allowlist', '2401.55555', [{ redirect: 'https://evil.example/' }]],
  ] as const)(
    'WHEN %s THEN the paper is queued, its card says details unavailable, and nothing else is requested',
    async (_what, id, script) => {
      sources.script(id, ...script);
      expect((await add(id)).content).toMatch(/^Queued \*\*\d{4}\.\d{5}\*\* at position \d+/);
      await until(() => status(id) === 'details unavailable (the source did not answer)', 10_000, `card for ${id}`);
      expect(sources.requestsFor(id)).toHaveLength(1);
    },
  );

  it.each([
    ['not an id', 'not a paper', /^`not a paper` is not an arXiv id or a URL\.$/],
    ['the SPEC example', '2408.0331', /^`2408\.0331` is not an arXiv id or a URL\.$/],
    ['month 13', '2413.12345', /is not an arXiv id or a URL/],
    ['javascript:', 'javascript:alert(1)', /^Only https links are accepted/],
    ['file://', 'file:///etc/passwd', /^Only https links are accepted/],
    ['plain http to Redis', 'http://127.0.0.1:6379/', /^Only https links are accepted/],
    ['ftp', 'ftp://example.org/paper.pdf', /^Only https links are accepted/],
    ['data:', 'data:text/html,<b>hi</b>', /^Only https links are accepted/],
    [
      'cloud metadata address',
      'https://169.254.169.254/latest/meta-data',
      /^Links to IP addresses or local hosts are not accepted/,
    ],
    ['loopback', 'https://127.0.0.1/paper', /^Links to IP addresses or local hosts/],
    ['hex loopback', 'https://0x7f000001/', /^Links to IP addresses or local hosts/],
    ['decimal loopback', 'https://2130706433/', /^Links to IP addresses or local hosts/],
    ['IPv6 loopback', 'https://[::1]/', /^Links to IP addresses or local hosts/],
    ['localhost', 'https://localhost:8080/x', /^Links to IP addresses or local hosts/],
    ['a single-label host', 'https://intranet/paper', /^Links to IP addresses or local hosts/],
    ['credentials', 'https://user:pass@example.org/p', /^Links with a user name or password/],
    ['a 10 kB string', 'x'.repeat(10_000), /^That is 10000 characters; a paper id or link is at most 500\.$/],
    ['@everyone', '@everyone', /^`@everyone` is not an arXiv id or a URL\.$/],
    ['a markdown bomb', '**__~~||`> # @here <@&1234567890123456789>', /is not an arXiv id or a URL/],
    ['zero-width only', '\u200b\u200b\u200b', /is not an arXiv id or a URL/],
    ['whitespace only', '   ', /^Give an arXiv id/],
    ['an arXiv link without an id', 'https://arxiv.org/abs/notanid', /does not point at an arXiv paper/],
    ['a Hugging Face model page', 'https://huggingface.co/models/gpt2', /is not a Hugging Face paper page/],
    ['an OpenReview link without id', 'https://openreview.net/forum', /is not an OpenReview paper/],
    ['a doi.org link without a DOI', 'https://doi.org/banana', /does not hold a DOI/],
  ])(
    'WHEN /paper add gets %s THEN a specific ephemeral error and nothing is stored or fetched',
    async (_what, input, message) => {
      await h.jobs.done();
      const before = await exportGuildData(h.bot.internals.redis, h.guild.id);
      const requests = sources.requests.length;
      // An earlier test's paper may still be retrying its source (backoff): those requests are not this input's.
      const retrying = (await h.bot.internals.papers.list(h.guild.id)).map((p) => p.ref.id);
      const answer = await add(input);
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(message);
      expect(await exportGuildData(h.bot.internals.redis, h.guild.id)).toEqual(before);
      expect(sources.requests.slice(requests).filter((r) => !retrying.some((id) => r.includes(id)))).toEqual([]);
    },
  );

  it('WHEN a link to any other https page is added THEN it is queued with its URL as title and never fetched', async () => {
    const requests = sources.requests.length;
    expect((await add('https://example.org/blog/post?id=1#section')).content).toMatch(
      /^Queued \*\*https:\/\/example\.org\/blog\/post\?id=1\*\*/,
    );
    await until(() => status('Link') !== undefined, 5_000, 'link card');
    expect(status('Link')).toBe('a link; details are not fetched');
    expect(sources.requests.length).toBe(requests);
  });

  it('WHEN a note tries to ping and format THEN the card shows it as plain text and pings nobody', async () => {
    await h.emu
      .command(as(h, nextReader()), 'paper', 'add', {
        url: 'https://doi.org/10.1038/nature14539',
        note: '@everyone **bold** <@&123456789012345678> [x](https://evil.example)',
      })
      .answer();
    await until(() => card('DOI 10.1038/nature14539')?.title === 'Deep learning', 10_000, 'doi card');
    const description = card('DOI 10.1038/nature14539')!.description!;
    expect(description).toContain('Yann LeCun, Yoshua Bengio, Geoffrey Hinton');
    expect(description).toContain(
      '**Note:** @\u200deveryone \\*\\*bold\\*\\* <\u200d@\u200d&123456789012345678> \\[x\\](https://evil.example)',
    );
  });

  // Last here: its source stays silent for every retry, long after the test, and the checks above wait for jobs.
  it('WHEN the source never answers THEN the card stays "details pending" and the paper is usable', async () => {
    sources.script('2408.00714', ...Array.from({ length: 6 }, () => ({ hang: true as const })));
    await add('2408.00714');
    // The first attempt gives up on the silent source and the next one asks again; the card still waits.
    await until(() => sources.requestsFor('2408.00714').length === 2, 20_000, 'a second request');
    expect(status('2408.00714')).toBe('details pending');
    const moved = await h.emu.command(as(h, 'Tanishq'), 'paper', 'move', { paper: '2408.00714', position: 1 }).answer();
    expect(moved.content).toBe('Moved **2408.00714** to position 1.');
    expect((await h.emu.command(as(h, 'Cong'), 'paper', 'list').answer()).embeds[0]!.description).toMatch(
      /^1\. \[2408\.00714\]\(https:\/\/arxiv\.org\/abs\/2408\.00714\) · needs a presenter · ▲ 0 · details pending/,
    );
  });
});

describe('GIVEN the bot is killed in the middle of a metadata fetch', () => {
  let redis: PrivateRedis;
  let sources: MetadataServer;
  let emu: Emulator;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    sources = await new MetadataServer().start();
    emu = await new Emulator().start();
  });
  afterAll(async () => {
    await emu.stop();
    await sources.stop();
    await redis.stop();
  });

  it('WHEN a new bot process starts THEN it takes the job over and fills the card', async () => {
    const guild = paperClub(emu);
    const env = botEnv(emu, redis.url, {
      LOG_LEVEL: 'info',
      LECTERN_METADATA_BASE_URL: sources.url,
      LECTERN_ARXIV_INTERVAL_MS: '0',
    });
    const first = new BotProcess(env);
    await first.waitForLog(/worker ready/);
    const tanishq = { guild, user: 'Tanishq', channel: 'general' };
    await emu
      .command(tanishq, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
      .answer();
    sources.script('2408.06072', { hang: true });
    await emu.command(tanishq, 'paper', 'add', { url: '2408.06072' }).answer();
    await until(() => sources.requestsFor('2408.06072').length === 1, 10_000, 'fetch started');
    await first.kill('SIGKILL');

    const second = new BotProcess(env);
    await second.waitForLog(/worker ready/);
    const announce = emu.world.channelByName(guild, 'announcements').id;
    await until(
      () => emu.messagesIn(announce).some((m) => m.embeds[0]?.title === ARXIV['2408.06072']!.title),
      30_000,
      'card filled by the second process',
    );
    expect(emu.messagesIn(announce)).toHaveLength(1);
    await second.kill('SIGTERM');
  }, 60_000);
});
