import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ArchiveService } from '../../src/archive/archive-service.js';
import { exportSite } from '../../src/archive/export-site.js';
import { ArchiveStore } from '../../src/store/archive-store.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { snowflake } from '../emulator/snowflake.js';
import { makeRecap } from '../fixtures/recaps.js';

/** `npm run export-site`: the archive as static files with relative links that all resolve, and nothing outside. */
describe('the static export', () => {
  let redis: RedisClient;
  let archive: ArchiveService;
  let settings: SettingsStore;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lectern-export-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    settings = new SettingsStore(redis);
    archive = new ArchiveService(new ArchiveStore(redis), new SessionStore(redis), settings, () => '');
  });
  afterAll(() => {
    redis.disconnect();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function archived(sessionIds: string[]) {
    const guildId = snowflake();
    const store = new ArchiveStore(redis);
    for (const [i, sessionId] of sessionIds.entries()) {
      const recap = makeRecap({ sessionId, startedAt: Date.UTC(2024, 7, 14 + 7 * i, 17) });
      await new SessionStore(redis).saveRecap(guildId, sessionId, recap);
      await store.record(guildId, recap, new Map([['100000000000000001', 'Alice']]));
    }
    return guildId;
  }

  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));

  it('writes the index, each session and paper page, the feed and the assets, every link relative and resolving', async () => {
    const ids = ['s1', 's2', 's3'].map((s) => `${s}${snowflake()}`);
    const guildId = await archived(ids);
    const out = tempDir();
    const report = await exportSite(archive, { guildId, settings: await settings.get(guildId) }, out);
    expect(report).toMatchObject({ sessions: 3, papers: 6, skipped: [] });
    const written = files(out).map((f) => f.slice(out.length + 1));
    expect(written.sort()).toEqual(
      [
        'index.html',
        'feed.xml',
        'assets/style.css',
        'assets/local-time.js',
        'assets/search.js',
        'assets/search-index.js',
        ...ids.map((id) => `sessions/${id}.html`),
        ...ids.flatMap((id) => [`papers/${id}-p0.html`, `papers/${id}-p1.html`]),
      ].sort(),
    );
    for (const file of files(out).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(file, 'utf8');
      const links = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
      expect(links.length).toBeGreaterThan(3);
      for (const link of links.filter((l) => !/^https?:/.test(l))) {
        expect(link, `${file}: ${link}`).not.toMatch(/^\//);
        expect(existsSync(resolve(dirname(file), decodeURIComponent(link))), `${file}: ${link}`).toBe(true);
      }
    }
    // Search runs in the browser, over the words each session can be found by (the browser test runs it).
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain('<form class="search" method="get" action="index.html"');
    const words = readFileSync(join(out, 'assets/search-index.js'), 'utf8');
    const found = JSON.parse(/^window\.LECTERN_SEARCH = (.*);$/m.exec(words)![1]!) as Record<string, string[]>;
    expect(Object.keys(found).sort()).toEqual([...ids].sort());
    expect(found[ids[0]!]).toEqual(expect.arrayContaining(['2408.03310', 'snell', 'verifier', 'adaptively']));
    const feed = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(out, 'feed.xml'), 'utf8'));
    expect(feed.feed.entry.map((e: { link: { '@_href': string } }) => e.link['@_href'])).toEqual(
      [...ids].reverse().map((id) => `sessions/${id}.html`),
    );
  });

  it('refuses ids that are not file names, writing nothing outside the folder', async () => {
    const guildId = await archived(['../../escaped', 'ok1', '..\\up']);
    const parent = tempDir();
    const out = join(parent, 'site');
    const report = await exportSite(archive, { guildId, settings: await settings.get(guildId) }, out);
    expect(report.sessions).toBe(1);
    // Their papers go with them (those pages would list only what was left out).
    expect(report.skipped.sort()).toEqual(['../../escaped', '..\\up']);
    expect(report.papers).toBe(2);
    expect(files(parent).every((f) => f.startsWith(out))).toBe(true);
    expect(existsSync(join(parent, 'escaped.html'))).toBe(false);
    // Nor does any page link to what was left out.
    for (const file of ['index.html', 'feed.xml', 'papers/ok1-p0.html'])
      expect(readFileSync(join(out, file), 'utf8'), file).not.toMatch(/escaped|up-p0|\\up/);
  });

  it('runs as npm run export-site, and says how to call it when arguments are missing', async () => {
    const guildId = await archived([`c${snowflake()}`]);
    const out = tempDir();
    const run = (args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'src/export-site.ts', ...args], {
        env: { ...process.env, REDIS_URL: inject('redisUrl'), REDIS_CLUSTER_NODES: '' },
      });
    const { stdout } = await run(['--guild', guildId, '--out', out]);
    expect(stdout).toMatch(/^Wrote 1 sessions and 2 papers \(9 files\) to .* in \d+\.\d+ s\.$/m);
    await expect(run(['--out', out])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
  });
});
