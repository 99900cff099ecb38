import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportSite } from '../../src/archive/export-site.js';
import { pageText } from '../../src/domain/archive/archive.js';
import type { Recap } from '../../src/domain/recap/recap.js';
import { offsetLabel } from '../../src/domain/session/session.js';
import { addAxe, axeViolations, BrowserComplaints, launchChromium } from '../support/browser.js';
import { TestClock } from '../support/clock.js';
import { eventually } from '../support/harness.js';
import { loadScenario, replayPlayer, scenarioGuild } from '../support/scenario.js';
import { startStack, type Stack } from '../support/stack.js';

const scenario = loadScenario(fileURLToPath(new URL('../../scenarios/seed-session.json', import.meta.url)));
/** A word found only in an answer (checked below): the search must read the answers. */
const ANSWER_WORD = 'matplotlib';

/** How `local-time.js` writes a `<time>` of each style, here for a reader in `timeZone` whose locale is en-GB. */
const STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit' },
  date: { dateStyle: 'long' },
  datetime: { dateStyle: 'long', timeStyle: 'short' },
  day: { dateStyle: 'full' },
};
const shown = (ms: number, style: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, ...STYLES[style] }).format(ms);

/** The readers, each a browser context of its own with one page (a first page costs a second: they are reused). */
const READERS = {
  kolkata: { timezoneId: 'Asia/Kolkata' },
  losAngeles: { timezoneId: 'America/Los_Angeles' },
  noScripts: { timezoneId: 'Asia/Kolkata', javaScriptEnabled: false },
  /** Runs axe-core (see `addAxe`). */
  auditor: { timezoneId: 'Asia/Kolkata' },
} satisfies Record<string, BrowserContextOptions>;
type Reader = keyof typeof READERS;

describe('GIVEN the seed session replayed through the bot and recapped, its archive on (secret link), read in Chromium', () => {
  let stack: Stack;
  let opening: Promise<Browser> | undefined;
  let browser: Browser;
  let readers: Record<Reader, Page>;
  let complaints: BrowserComplaints;
  let recap: Recap;
  let names: Map<string, string>;
  /** The archive's address, like `http://127.0.0.1:41234/a/<token>/`. */
  let base: string;
  let serverZone: string;
  const clock = new TestClock();

  beforeAll(async () => {
    stack = await startStack({ clock: clock.now, guild: (emu) => scenarioGuild(emu, scenario) });
    const { h } = stack;
    complaints = new BrowserComplaints(new URL(h.bot.web!.url).origin);
    // The browser and its readers open while the session replays.
    opening = launchChromium();
    const opened = opening.then(async (browser) => {
      const pages = await Promise.all(
        Object.entries(READERS).map(async ([name, options]) => {
          const context = await browser.newContext({ locale: 'en-GB', ...options });
          context.setDefaultTimeout(10_000); // an element that never shows fails in seconds, naming its locator
          if (name === 'auditor') await addAxe(context);
          const page = complaints.watch(await context.newPage());
          // The first page a reader loads from the server takes a second (a new renderer): it is loaded now.
          await page.goto(h.bot.web!.url);
          return page;
        }),
      );
      return Object.fromEntries(Object.keys(READERS).map((name, i) => [name, pages[i]!])) as Record<Reader, Page>;
    });
    opened.catch(() => {}); // awaited once the replay is done
    const player = replayPlayer(h, scenario, clock);
    for (const step of scenario.steps) await player.play(step);
    const { archive } = h.bot.services;
    // The recap job stores the recap, then archives it, then posts it.
    await eventually(async () => (await archive.summaries(h.guild.id)).length === 1, 20_000, 'the archived session');
    await h.jobs.done();
    const [summary] = await archive.summaries(h.guild.id);
    recap = (await archive.recap(h.guild.id, summary!.sessionId))!;
    names = await archive.names(h.guild.id);
    // As `/setup archive visibility:link` does, with the server's name as the archive's title.
    const settings = await archive.configure(h.guild.id, { visibility: 'link', title: h.guild.name });
    serverZone = settings.timeZone!;
    base = `${h.bot.web!.url}/a/${settings.archiveToken}/`;
    [browser, readers] = await Promise.all([opening, opened]);
  }, 120_000);

  afterAll(async () => {
    await opening?.then((browser) => browser.close()).catch(() => {});
    await stack?.stop();
  });

  /** The reader's page, at `path` under the archive. */
  async function visit(reader: Reader, path: string): Promise<Page> {
    const page = readers[reader];
    const response = await page.goto(new URL(path, base).href);
    expect(response?.status(), path).toBe(200);
    return page;
  }
  // Whatever a test read: no console error, script error, failed request or request to another host. (What the
  // readers' first pages in beforeAll gave rise to shows after the first test: Chromium asks for /favicon.ico once.)
  afterEach(() => {
    expect(complaints.take()).toEqual([]);
  });

  const sessionPath = () => `sessions/${recap.sessionId}`;
  const textOf = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((elements) => elements.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  /** Each `<time>` on the page: what it says, the instant it stands for, and its style. */
  const times = (page: Page) =>
    page.locator('time').evaluateAll((elements) =>
      elements.map((e) => ({
        text: e.textContent,
        datetime: e.getAttribute('datetime') ?? '',
        style: e.dataset.style ?? '',
      })),
    );
  const expectTimesIn = async (page: Page, timeZone: string) => {
    const found = await times(page);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((t) => t.text)).toEqual(found.map((t) => shown(Date.parse(t.datetime), t.style, timeZone)));
    // ICU, in Chromium as in Node, still calls some zones by an older name (Asia/Kolkata: Asia/Calcutta).
    const alias = new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
    // The zone's name is written with spaces (America/Los Angeles).
    expect([timeZone, alias].map((name) => `Times in ${name.replaceAll('_', ' ')}`)).toContain(
      await page.locator('header.site .zone').textContent(),
    );
  };
  /** A highlight or takeaway as the page lists it: its time in `timeZone`, its offset into the session, its text. */
  const note = (n: Recap['highlights'][number], timeZone: string) =>
    `${shown(n.at, 'time', timeZone)} (${offsetLabel(recap.startedAt, n.at)}) ${pageText(n.text)}`;
  const notesIn = (timeZone: string, notes: Recap['highlights']) => notes.map((n) => note(n, timeZone)).sort();

  it.each((['kolkata', 'losAngeles'] as const).map((reader) => [READERS[reader].timezoneId, reader] as const))(
    'WHEN a reader in %s opens the session THEN every highlight and takeaway shows at their local time, as does every other time',
    async (zone, reader) => {
      expect(recap.highlights).toHaveLength(7);
      expect(recap.takeaways).toHaveLength(3);
      const page = await visit(reader, sessionPath());
      expect((await textOf(page, 'ul.highlights > li')).sort()).toEqual(notesIn(zone, recap.highlights));
      expect((await textOf(page, 'ul.takeaways > li')).sort()).toEqual(notesIn(zone, recap.takeaways));
      await expectTimesIn(page, zone);
    },
  );

  const answered = () =>
    recap.answered.map((q) => ({
      // Votes are shown when there are any.
      question: `${q.votes > 0 ? `▲ ${q.votes} upvotes ` : ''}${pageText(q.text)}`,
      asker: `asked by ${q.askerId ? names.get(q.askerId) : 'an anonymous member'}${q.early ? ', before the session' : ''}`,
      answer: pageText(q.answer!),
    }));
  const answeredOn = (page: Page) =>
    page.locator('li.qa:has(p.a)').evaluateAll((items) =>
      items.map((li) => {
        const text = (selector: string) => (li.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        return { question: text('p.q'), asker: text('p.who'), answer: text('p.a') };
      }),
    );

  it('WHEN a reader opens the session THEN every answered question is there with its votes, asker and answer', async () => {
    expect(recap.answered).toHaveLength(7);
    const page = await visit('kolkata', sessionPath());
    expect(await answeredOn(page)).toEqual(expect.arrayContaining(answered()));
    expect(await answeredOn(page)).toHaveLength(recap.answered.length);
  });

  it('WHEN a reader opens the session THEN the timeline has one row per speaker, named, with a bar per turn', async () => {
    const page = await visit('losAngeles', sessionPath());
    const rows = await page
      .locator('svg.timeline g.speaker')
      .evaluateAll((groups) =>
        groups.map((g) => ({ name: g.querySelector('text')?.textContent, bars: g.querySelectorAll('rect').length })),
      );
    expect(recap.speakers.length).toBeGreaterThan(1);
    expect(rows).toEqual(recap.speakers.map((s) => ({ name: names.get(s.userId), bars: s.segments.length })));
    expect(await page.locator('svg.timeline').isVisible()).toBe(true);
  });

  /** Types `words` into the index's search form and submits it, as a reader would; the sessions it lists. */
  async function search(page: Page, words: string) {
    await page.getByRole('searchbox', { name: /^Search/ }).fill(words);
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('q') === words),
      page.getByRole('button', { name: 'Search' }).click(),
    ]);
    return page
      .locator('table.sessions a[href*="/sessions/"]')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  }

  it.each([
    ['with scripts', 'kolkata'],
    ['without scripts', 'noScripts'],
  ] as const)(
    'WHEN a reader %s searches the index for an arXiv id or a word of an answer THEN the session is found, and only then',
    async (_how, reader) => {
      const elsewhere = [
        ...recap.covered.flatMap((p) => [p.title, ...(p.authors ?? [])]),
        ...[...recap.answered, ...recap.unanswered].map((q) => q.text),
        ...[...recap.highlights, ...recap.takeaways].map((n) => n.text),
      ];
      expect(recap.answered.some((q) => q.answer?.includes(ANSWER_WORD))).toBe(true);
      expect(elsewhere.some((text) => text.includes(ANSWER_WORD))).toBe(false);
      const page = await visit(reader, '');
      const link = new URL(sessionPath(), base).pathname;
      expect(await search(page, '2408.03314')).toEqual([link]);
      expect(await page.locator('h1').textContent()).toBe('Sessions matching “2408.03314”');
      expect(await search(page, ANSWER_WORD)).toEqual([link]);
      expect(await search(page, 'zeppelin')).toEqual([]);
      expect(await page.locator('main p').textContent()).toBe('No session matches.');
    },
  );

  it('WHEN a reader opens the static export from disk and searches it THEN the script finds the session, and only then', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lectern-export-'));
    const { h } = stack;
    await exportSite(
      h.bot.services.archive,
      { guildId: h.guild.id, settings: await h.bot.internals.settings.get(h.guild.id) },
      out,
    );
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    const visible = () =>
      page
        .locator('table.sessions tr[data-session]:visible')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session')));
    const index = pathToFileURL(join(out, 'index.html'));
    await page.goto(index.href);
    expect(await visible()).toEqual([recap.sessionId]);
    for (const [words, found] of [
      ['2408.03314', [recap.sessionId]],
      [ANSWER_WORD, [recap.sessionId]],
      ['zeppelin', []],
    ] as const) {
      await page.getByRole('searchbox', { name: /^Search/ }).fill(words);
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('q') === words),
        page.getByRole('button', { name: 'Search' }).click(),
      ]);
      expect(await visible(), words).toEqual(found);
      expect(await page.locator('h1').textContent()).toBe(`Sessions matching “${words}”`);
      expect(await page.locator('.no-match').isVisible()).toBe(found.length === 0);
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it('WHEN a feed reader fetches the Atom feed THEN it is well-formed Atom with every element RFC 4287 requires', async () => {
    const response = await fetch(new URL('feed.xml', base));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await response.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      parseTagValue: false,
      isArray: (name) => ['entry', 'link', 'author'].includes(name),
    }).parse(xml) as { feed: AtomFeed };
    const { feed } = parsed;
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(URL.canParse(feed.id)).toBe(true); // an IRI
    expect(feed.title).toBe(`${stack.h.guild.name}: sessions`);
    expect(feed.updated).toMatch(rfc3339);
    expect(feed.link.find((l) => l['@rel'] === 'self')?.['@href']).toBe(new URL('feed.xml', base).href);
    expect(feed.link.find((l) => l['@rel'] === 'alternate')?.['@href']).toBe(base);
    expect(feed.entry).toHaveLength(1);
    const [entry] = feed.entry;
    // Without a feed author, every entry would need its own.
    expect(feed.author?.[0]?.name || entry!.author?.[0]?.name).toBeTruthy();
    expect(URL.canParse(entry!.id)).toBe(true);
    expect(entry!.id).not.toBe(feed.id);
    expect(entry!.title).toMatch(/^Session of 2024-08-14: /);
    expect(entry!.updated).toMatch(rfc3339);
    expect(Date.parse(entry!.updated)).toBe(recap.endedAt);
    expect(Date.parse(feed.updated)).toBeGreaterThanOrEqual(Date.parse(entry!.updated));
    // An entry without content must link to its page.
    const page = entry!.link.find((l) => (l['@rel'] ?? 'alternate') === 'alternate')?.['@href'];
    expect(page).toBe(new URL(sessionPath(), base).href);
    expect((await fetch(page!)).status).toBe(200);
  });

  it("WHEN scripts are off THEN the session still shows every answered question, and every time in the server's zone", async () => {
    expect(serverZone).toBe(scenario.timeZone);
    const page = await visit('noScripts', sessionPath());
    expect(await answeredOn(page)).toEqual(expect.arrayContaining(answered()));
    expect((await textOf(page, 'ul.highlights > li')).sort()).toEqual(notesIn(serverZone, recap.highlights));
    await expectTimesIn(page, serverZone);
  });

  it('WHEN axe-core scans the index, the session and a paper page THEN it finds nothing serious or critical', async () => {
    const pages = ['', sessionPath(), `papers/${recap.covered[0]!.id}`];
    const found: Record<string, unknown[]> = {};
    for (const path of pages) {
      const violations = await axeViolations(await visit('auditor', path));
      found[path || 'index'] = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    }
    expect(found).toEqual({ index: [], [sessionPath()]: [], [pages[2]!]: [] });
  });

  it('WHEN the session page is read on a 390 px phone and a desktop THEN nothing runs off the side (photographed for the README with LECTERN_SCREENSHOTS=1)', async () => {
    // Only LECTERN_SCREENSHOTS=1 rewrites the README's pictures; other runs photograph into a temporary folder.
    const folder =
      process.env.LECTERN_SCREENSHOTS === '1'
        ? fileURLToPath(new URL('../../docs/', import.meta.url))
        : mkdtempSync(join(tmpdir(), 'lectern-shots-'));
    for (const [name, viewport, mobile] of [
      ['archive-phone.png', { width: 390, height: 844 }, true],
      ['archive-desktop.png', { width: 1280, height: 800 }, false],
    ] as const) {
      const options = { locale: 'en-GB', timezoneId: serverZone, viewport, isMobile: mobile, hasTouch: mobile };
      const context = await browser.newContext(options);
      const page = complaints.watch(await context.newPage());
      await page.goto(new URL(sessionPath(), base).href);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, name).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(folder, name), fullPage: true });
      expect(statSync(join(folder, name)).size, name).toBeGreaterThan(20_000);
      await context.close();
    }
  });
});

interface AtomLink {
  '@rel'?: string;
  '@href': string;
}
interface AtomEntry {
  id: string;
  title: string;
  updated: string;
  link: AtomLink[];
  author?: Array<{ name?: string }>;
}
interface AtomFeed extends AtomEntry {
  '@xmlns': string;
  entry: AtomEntry[];
}
