import { mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveService } from '../src/archive/archive-service.js';
import { exportSite } from '../src/archive/export-site.js';
import { guildPages } from '../src/web/archive-pages.js';
import { serverLinks } from '../src/web/links.js';
import { ArchiveStore } from '../src/store/archive-store.js';
import { connectRedis } from '../src/store/redis.js';
import { SessionStore } from '../src/store/session-store.js';
import { SettingsStore } from '../src/store/settings-store.js';
import { makeRecap } from '../tests/fixtures/recaps.js';
import { BotProcess } from '../tests/support/bot-process.js';
import { freePort, PrivateRedis } from '../tests/support/redis-server.js';
import { BUILT_BOT, buildBot } from './memory.js';
import { percentile, type Figure, type Target } from './stats.js';

const SESSIONS = 200;
const QUESTIONS = 30;
const SAMPLES = 1_000;
const RATIO_TARGET: Target = { op: '<=', value: 3 };
const LOAD_SECONDS = 5;
const LOAD_CONNECTIONS = 16;

/** One GET on a kept-alive connection, timed from the request to the last byte. */
function timedGet(agent: Agent, port: number, path: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The web archive of a server with 200 sessions of 30 questions: the session page, the index and a search, each
 * timed one request at a time against the health endpoint in the same run (ratios), requests per second on the
 * server's one core under 16 concurrent connections, and the static export of all 200 sessions.
 */
export async function archiveFigures(): Promise<{ figures: Record<string, Figure>; line: string }> {
  const redis = await PrivateRedis.start();
  const connection = await connectRedis(redis.url);
  const out = mkdtempSync(join(tmpdir(), 'lectern-bench-export-'));
  let web: BotProcess | undefined;
  try {
    const guildId = '300000000000000001';
    const store = new ArchiveStore(connection);
    const sessions = new SessionStore(connection);
    const settings = new SettingsStore(connection);
    const members = Array.from({ length: 60 }, (_, i) => `4000000000000${String(i).padStart(5, '0')}`);
    const names = new Map(members.map((id, i) => [id, `Member ${i}`]));
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const sessionId = `bench${String(i).padStart(4, '0')}`;
      const recap = makeRecap({
        sessionId,
        startedAt: Date.UTC(2022, 0, 5) + i * 7 * 86_400_000,
        papers: 3,
        questions: QUESTIONS,
        members: members.slice(i % 50, (i % 50) + 8),
        // Papers of their own, as most weeks' are.
        firstPaper: 10_000 + i * 3,
      });
      await sessions.saveRecap(guildId, sessionId, recap);
      await store.record(guildId, recap, names);
      ids.push(sessionId);
    }
    const archive = new ArchiveService(store, sessions, settings, () => '');
    const { archiveToken } = await archive.configure(guildId, { visibility: 'link', title: 'Bench club' });

    buildBot();
    const port = await freePort();
    web = new BotProcess(
      {
        REDIS_URL: redis.url,
        DISCORD_APPLICATION_ID: '300000000000000009',
        LECTERN_ROLE: 'web',
        LECTERN_WEB_PORT: String(port),
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
      },
      BUILT_BOT,
    );
    const agent = new Agent({ keepAlive: true, maxSockets: LOAD_CONNECTIONS });
    // LOG_LEVEL=warn keeps the server quiet: it is ready when its health endpoint answers.
    for (let tries = 0; ; tries++) {
      const ok = await timedGet(agent, port, '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (tries > 200) throw new Error('the web process never answered /healthz');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const base = `/a/${archiveToken}/`;
    const paths = {
      health: () => '/healthz',
      index: () => base,
      session: (i: number) => `${base}sessions/${ids[i % ids.length]}`,
      paper: (i: number) => `${base}papers/${ids[i % ids.length]}-p1`,
      search: (i: number) =>
        `${base}?q=${encodeURIComponent(['budget', '2408.10301', 'verifier search', 'adaptively'][i % 4]!)}`,
    } as const;
    type Page = keyof typeof paths;
    const samples = Object.fromEntries(Object.keys(paths).map((k) => [k, [] as number[]])) as Record<Page, number[]>;
    // Warm up (JIT, the search index), then interleave the pages so each sees the same machine.
    for (let i = 0; i < 200; i++)
      for (const page of Object.keys(paths) as Page[]) await timedGet(agent, port, paths[page](i));
    for (let i = 0; i < SAMPLES; i++)
      for (const page of Object.keys(paths) as Page[]) {
        const { ms, status } = await timedGet(agent, port, paths[page](i));
        if (status !== 200) throw new Error(`${paths[page](i)} answered ${status}`);
        samples[page].push(ms);
      }

    const throughput = async (page: Page) => {
      let done = 0;
      const until = performance.now() + LOAD_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: LOAD_CONNECTIONS }, async (_, c) => {
          for (let i = c; performance.now() < until; i += LOAD_CONNECTIONS) {
            await timedGet(agent, port, paths[page](i));
            done++;
          }
        }),
      );
      return done / LOAD_SECONDS;
    };
    const rps = { session: await throughput('session'), index: await throughput('index') };
    agent.destroy();

    // A page's first view renders it (later ones come from the page cache until the archive changes): time that.
    const pages = guildPages(archive);
    const guild = { guildId, settings: await settings.get(guildId) };
    const cold = async (render: (i: number) => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t = performance.now();
        await render(i);
        if (i >= 100) times.push(performance.now() - t);
      }
      return percentile(times, 50);
    };
    const coldSession = await cold((i) => pages.session(guild, serverLinks(base), ids[i % ids.length]!));
    const coldIndex = await cold(() => pages.index(guild, serverLinks(base)));

    const started = performance.now();
    const report = await exportSite(archive, { guildId, settings: await settings.get(guildId) }, out);
    const exportSeconds = (performance.now() - started) / 1000;
    if (report.sessions !== SESSIONS) throw new Error(`export wrote ${report.sessions} sessions`);

    const figures: Record<string, Figure> = {};
    const note = `${SESSIONS} sessions of ${QUESTIONS} answered questions (and 10 open) each, one request at a time`;
    const p = (page: Page, q: number) => percentile(samples[page], q);
    for (const page of ['index', 'session', 'paper', 'search'] as const) {
      figures[`archive_${page}_p50`] = { value: p(page, 50), unit: 'ms', note };
      figures[`archive_${page}_p99`] = { value: p(page, 99), unit: 'ms', note };
      for (const q of [50, 99]) {
        const target = page === 'index' || page === 'session' ? { target: RATIO_TARGET } : {};
        figures[`archive_${page}_to_health_p${q}`] = {
          value: p(page, q) / p('health', q),
          unit: 'ratio',
          ...target,
          note: `to GET /healthz (one Redis PING) in the same run`,
        };
      }
    }
    figures.archive_health_p50 = { value: p('health', 50), unit: 'ms' };
    figures.archive_health_p99 = { value: p('health', 99), unit: 'ms' };
    figures.archive_session_rps = {
      value: rps.session,
      unit: 'per_s',
      note: `the web process (one Node.js thread) under ${LOAD_CONNECTIONS} concurrent connections, ${LOAD_SECONDS} s`,
    };
    figures.archive_index_rps = { value: rps.index, unit: 'per_s', note: figures.archive_session_rps.note };
    figures.archive_session_first_view_p50 = {
      value: coldSession,
      unit: 'ms',
      note: 'read and rendered, not from the page cache (in the benchmark process, no HTTP)',
    };
    figures.archive_index_first_view_p50 = {
      value: coldIndex,
      unit: 'ms',
      note: figures.archive_session_first_view_p50.note,
    };
    figures.archive_export_seconds = {
      value: exportSeconds,
      unit: 'ms',
      note: `seconds (not ms) to export ${SESSIONS} sessions, ${report.files} files`,
    };
    const f = (n: number) => n.toFixed(2);
    const line =
      `Web archive (${SESSIONS} sessions × ${QUESTIONS} questions): session page p50 ${f(p('session', 50))} ms / ` +
      `p99 ${f(p('session', 99))} ms (${f(figures.archive_session_to_health_p50!.value)}x / ` +
      `${f(figures.archive_session_to_health_p99!.value)}x /healthz), index p50 ${f(p('index', 50))} ms / p99 ` +
      `${f(p('index', 99))} ms (${f(figures.archive_index_to_health_p50!.value)}x / ` +
      `${f(figures.archive_index_to_health_p99!.value)}x), search p50 ${f(p('search', 50))} ms; ` +
      `${rps.session.toFixed(0)} session pages/s and ${rps.index.toFixed(0)} index pages/s on one core; ` +
      `export of ${SESSIONS} sessions ${exportSeconds.toFixed(2)} s. A page's first view (not cached): session ` +
      `${f(coldSession)} ms, index ${f(coldIndex)} ms to read and render.`;
    return { figures, line };
  } finally {
    await web?.kill('SIGTERM');
    connection.disconnect();
    await redis.stop();
    rmSync(out, { recursive: true, force: true });
  }
}
