import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ArchiveService } from '../../src/archive/archive-service.js';
import { UserError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logger.js';
import { ArchiveStore } from '../../src/store/archive-store.js';
import { keys } from '../../src/store/keys.js';
import { connectRedis, type RedisClient } from '../../src/store/redis.js';
import { SessionStore } from '../../src/store/session-store.js';
import { SettingsStore } from '../../src/store/settings-store.js';
import { buildWebApp } from '../../src/web/server.js';
import { snowflake } from '../emulator/snowflake.js';
import { HOSTILE, makeRecap } from '../fixtures/recaps.js';

/** The archive's web server on a real Redis: who can read what, hostile text, search and the feed. */
describe('web archive', () => {
  let redis: RedisClient;
  let archive: ArchiveService;
  let app: FastifyInstance;
  let store: ArchiveStore;
  let sessions: SessionStore;
  beforeAll(async () => {
    redis = await connectRedis(inject('redisUrl'));
    store = new ArchiveStore(redis);
    sessions = new SessionStore(redis);
    archive = new ArchiveService(store, sessions, new SettingsStore(redis), () => 'https://lectern.example');
    app = buildWebApp({ archive, redis, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await app.close();
    redis.disconnect();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  async function guildWithSessions(count = 2, overrides: Parameters<typeof makeRecap>[1] = {}) {
    const guildId = snowflake();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const sessionId = `s${i}${snowflake()}`;
      const recap = makeRecap({ sessionId, startedAt: Date.UTC(2024, 7, 14 + 7 * i, 17) }, overrides);
      await sessions.saveRecap(guildId, sessionId, recap);
      await store.record(
        guildId,
        recap,
        new Map([
          ['100000000000000001', 'Alice'],
          ['100000000000000002', 'Bob'],
        ]),
      );
      ids.push(sessionId);
    }
    return { guildId, ids };
  }

  it('serves nothing while off, and a 404 exactly like an unknown address', async () => {
    const { guildId } = await guildWithSessions();
    const unknown = await get(`/a/${'0'.repeat(32)}/`);
    expect(unknown.statusCode).toBe(404);
    // Turned on, then off: the old token is known to the index but no longer served.
    const on = await archive.configure(guildId, { visibility: 'link' });
    expect((await get(`/a/${on.archiveToken}/`)).statusCode).toBe(200);
    await archive.configure(guildId, { visibility: 'off' });
    // Off, its address is gone from the index too: refused as fast as one that never existed.
    expect(await store.guildFor('link', on.archiveToken!)).toBeUndefined();
    for (const path of [
      `/a/${on.archiveToken}/`,
      `/a/${on.archiveToken}/feed.xml`,
      `/a/${'0'.repeat(31)}g/`,
      '/a/%E0%A4%A/',
      '/s/ab/',
      '/assets/__proto__',
      '/assets/../../package.json',
    ]) {
      const answer = await get(path);
      expect(answer.statusCode, path).toBe(404);
      expect(answer.body).toBe(unknown.body);
      expect(answer.headers['content-type']).toBe(unknown.headers['content-type']);
      expect(answer.headers['content-length']).toBe(unknown.headers['content-length']);
    }
  });

  it('shows the index, a session, a paper and the feed under the secret link, with a strict CSP', async () => {
    const { guildId, ids } = await guildWithSessions(3);
    const { archiveToken } = await archive.configure(guildId, { visibility: 'link', title: 'Paper Club' });
    expect(archiveToken).toMatch(/^[0-9a-f]{32}$/);
    const index = await get(`/a/${archiveToken}/`);
    expect(index.statusCode).toBe(200);
    // Without the slash: redirected, as an unknown key is (the redirect tells nothing).
    for (const key of [archiveToken, 'f'.repeat(32)]) {
      const bare = await get(`/a/${key}`);
      expect(bare.statusCode).toBe(301);
      expect(bare.headers.location).toBe(`/a/${key}/`);
    }
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['x-robots-tag']).toContain('noindex');
    // Newest first.
    const positions = ids.map((id) => index.body.indexOf(`sessions/${id}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => b - a));
    expect(index.body).toContain('Paper Club');

    const page = await get(`/a/${archiveToken}/sessions/${ids[0]}`);
    expect(page.statusCode).toBe(200);
    for (const text of [
      'Question 0: how does verifier search',
      'Answer 3: beam search',
      'Highlight 1: compute-optimal',
      'Takeaway: spend inference',
      'Alice',
      'Bob',
      '<svg class="timeline"',
      'https://arxiv.org/abs/2408.03310',
    ])
      expect(page.body, text).toContain(text);
    expect(page.body).not.toMatch(/<script>| style="/);

    const paper = await get(`/a/${archiveToken}/papers/${ids[1]}-p0`);
    expect(paper.statusCode).toBe(200);
    // The same arXiv paper in all three sessions.
    expect(paper.body).toContain('Covered in 3 sessions');
    expect((await get(`/a/${archiveToken}/papers/nope`)).statusCode).toBe(404);
    expect((await get(`/a/${archiveToken}/sessions/nope`)).statusCode).toBe(404);

    const feed = await get(`/a/${archiveToken}/feed.xml`);
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(feed.body);
    expect(parsed.feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(parsed.feed.entry).toHaveLength(3);
    expect(parsed.feed.entry[0].link['@_href']).toBe(`https://lectern.example/a/${archiveToken}/sessions/${ids[2]}`);
  });

  it('escapes hostile text everywhere and links only http(s)', async () => {
    const hostile = makeRecap({ sessionId: 'x', startedAt: 0 });
    const nasty = `${HOSTILE.script}${HOSTILE.attribute}${HOSTILE.bidi}${HOSTILE.nonCharacters}`;
    const { guildId, ids } = await guildWithSessions(1, {
      covered: hostile.covered.map((p) => ({ ...p, title: nasty, url: HOSTILE.javascriptUrl, authors: [nasty] })),
      answered: hostile.answered.map((q) => ({ ...q, text: nasty, answer: HOSTILE.long })),
      highlights: hostile.highlights.map((n) => ({ ...n, text: nasty })),
      recording: HOSTILE.javascriptUrl,
    });
    await store.record(guildId, (await sessions.recap(guildId, ids[0]!))!, new Map([['100000000000000001', nasty]]));
    const { archiveToken } = await archive.configure(guildId, { visibility: 'link', title: nasty });
    for (const path of ['', `sessions/${ids[0]}`, 'papers/x-p0']) {
      const { body, statusCode } = await get(`/a/${archiveToken}/${path}`);
      expect(statusCode).toBe(200);
      expect(body).not.toContain('<script>alert');
      expect(body).not.toContain('<img');
      expect(body).not.toMatch(/href="javascript:/i);
      expect(body).not.toMatch(/[\u061c\u202A-\u202E\u2066-\u2069\uffff\ufffe\ud800]/);
      expect(body).toContain('&lt;script>');
      // 20,000 characters cut to a readable length.
      expect(body).not.toContain('A'.repeat(2_001));
      expect(body.length).toBeLessThan(60_000);
    }
    const feed = await get(`/a/${archiveToken}/feed.xml`);
    expect(feed.body).not.toContain('<script>');
    expect(XMLValidator.validate(feed.body)).toBe(true);
    expect(feed.body).not.toMatch(/[\uffff\ufffe\ud800]/);
  });

  it('answers 404 for the old link after a rotate, and serves the new one', async () => {
    const { guildId } = await guildWithSessions(1);
    const before = await archive.configure(guildId, { visibility: 'link' });
    const unknown = await get(`/a/${'f'.repeat(32)}/`);
    const after = await archive.configure(guildId, { rotate: true });
    expect(after.archiveToken).not.toBe(before.archiveToken);
    const old = await get(`/a/${before.archiveToken}/`);
    expect(old.statusCode).toBe(404);
    expect(old.body).toBe(unknown.body);
    expect((await get(`/a/${after.archiveToken}/`)).statusCode).toBe(200);
  });

  it('lists a public archive at its slug, refuses a taken or malformed slug, and hides it when made link-only', async () => {
    const { guildId } = await guildWithSessions(1);
    const slug = `club-${snowflake().slice(-6)}`;
    await expect(archive.configure(guildId, { visibility: 'public' })).rejects.toThrow(UserError);
    await expect(archive.configure(guildId, { visibility: 'public', slug: '../etc' })).rejects.toThrow(/cannot be/);
    const pub = await archive.configure(guildId, { visibility: 'public', slug });
    expect((await get(`/s/${slug}/`)).statusCode).toBe(200);
    expect((await get(`/s/${slug}/`)).headers['x-robots-tag']).toBeUndefined();
    expect((await get(`/a/${pub.archiveToken}/`)).statusCode).toBe(200);
    const other = await guildWithSessions(1);
    await expect(archive.configure(other.guildId, { visibility: 'public', slug })).rejects.toThrow(/taken/);
    await archive.configure(guildId, { visibility: 'link' });
    expect((await get(`/s/${slug}/`)).statusCode).toBe(404);
    // Given up, the slug is free for another server; the first cannot take it back while it is theirs.
    await archive.configure(other.guildId, { visibility: 'public', slug });
    expect((await get(`/s/${slug}/`)).statusCode).toBe(200);
    await expect(archive.configure(guildId, { visibility: 'public' })).rejects.toThrow(/taken/);
  });

  it('gives a slug claimed by two servers at once to exactly one', async () => {
    const [a, b] = await Promise.all([guildWithSessions(1), guildWithSessions(1)]);
    const slug = `race-${snowflake().slice(-6)}`;
    const results = await Promise.allSettled(
      [a, b].map((g) => archive.configure(g.guildId, { visibility: 'public', slug })),
    );
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    expect(await store.guildFor('slug', slug)).toBe(winner.guildId);
  });

  it('turned off and on again, keeps its address; a stored recap it cannot read is a 500 page without details', async () => {
    const { guildId, ids } = await guildWithSessions(1);
    const first = await archive.configure(guildId, { visibility: 'link' });
    await archive.configure(guildId, { visibility: 'off' });
    const again = await archive.configure(guildId, { visibility: 'link' });
    expect(again.archiveToken).toBe(first.archiveToken);
    expect((await get(`/a/${again.archiveToken}/`)).statusCode).toBe(200);
    await redis.set(keys.recap(guildId, ids[0]!), '{not json');
    const broken = await get(`/a/${again.archiveToken}/sessions/${ids[0]}`);
    expect(broken.statusCode).toBe(500);
    expect(broken.body).toContain('could not be shown');
    expect(broken.body).not.toMatch(/JSON|SyntaxError|at /);
    // A summary that does not read is left out of the index, which still answers.
    await redis.hset(keys.archiveIndex(guildId), 'junk', '{"sessionId":1}');
    expect((await get(`/a/${again.archiveToken}/`)).statusCode).toBe(200);
  });

  it('searches titles, authors, arXiv ids, questions, answers, highlights and takeaways', async () => {
    const { guildId, ids } = await guildWithSessions(2);
    const distinct = makeRecap(
      { sessionId: `d${snowflake()}`, startedAt: Date.UTC(2025, 0, 1) },
      {
        covered: [],
        answered: [{ text: 'Is mixture-of-depths cheaper?', answer: 'Only with routers', votes: 1 }],
        highlights: [],
        takeaways: [{ text: 'Tokens are not equal', at: 0, byId: '1' }],
      },
    );
    await sessions.saveRecap(guildId, distinct.sessionId, distinct);
    await store.record(guildId, distinct);
    const { archiveToken } = await archive.configure(guildId, { visibility: 'link' });
    const found = async (q: string) => {
      const { body } = await get(`/a/${archiveToken}/?q=${encodeURIComponent(q)}`);
      return [...ids, distinct.sessionId]
        .filter((id) => body.includes(`sessions/${id}`))
        .sort((a, b) => body.indexOf(`sessions/${a}`) - body.indexOf(`sessions/${b}`));
    };
    expect(await found('2408.03314')).toEqual([]);
    expect(await found('2408.03311')).toEqual(ids.slice().reverse());
    expect(await found('Snell')).toEqual(ids.slice().reverse());
    expect(await found('routers')).toEqual([distinct.sessionId]);
    expect(await found('tokens equal')).toEqual([distinct.sessionId]);
    expect(await found('compute-optimal')).toEqual(ids.slice().reverse());
    expect(await found('mixture-of-depths snell')).toEqual([]);
    // A session recapped after the search is found by the next one (the index follows the archive's version).
    const later = makeRecap(
      { sessionId: `l${snowflake()}`, startedAt: Date.UTC(2025, 1, 1) },
      {
        answered: [{ text: 'Why routers?', votes: 0, answer: 'Sparsity' }],
      },
    );
    await sessions.saveRecap(guildId, later.sessionId, later);
    await store.record(guildId, later);
    const { body } = await get(`/a/${archiveToken}/?q=sparsity`);
    expect(body).toContain(`sessions/${later.sessionId}`);
  });
});
