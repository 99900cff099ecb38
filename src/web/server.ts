import { readFileSync } from 'node:fs';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { JSX } from 'preact';
import type { ArchiveGuild, ArchiveService } from '../archive/archive-service.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../store/redis.js';
import { guildPages, NotFound, type Rendered } from './archive-pages.js';
import { PageCache } from './page-cache.js';
import { serverLinks, type Links } from './links.js';
import { renderPage } from './pages/render.js';
import { MessagePage } from './pages/message-page.js';

/** No inline script or style anywhere: the pages load only this server's stylesheet and one script. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; " +
    "form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // A secret archive address must never leave in a Referer header when a reader follows a paper link.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'style.css': { type: 'text/css; charset=utf-8', body: readAsset('style.css') },
  'local-time.js': { type: 'text/javascript; charset=utf-8', body: readAsset('local-time.js') },
};

export function readAsset(name: string) {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url));
}

/** Slower than this, Redis counts as unavailable: the reader gets a 503 at once rather than a hanging page. */
const LOAD_TIMEOUT_MS = 3_000;

export interface WebServerOptions {
  archive: ArchiveService;
  redis: RedisClient;
  logger: Logger;
  host: string;
  port: number;
}

export interface WebServer {
  /** Where it listens, like `http://127.0.0.1:8080`. */
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const app = buildWebApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, close: () => app.close() };
}

/** The routes, without listening (tests inject requests; the server above listens). */
export function buildWebApp({ archive, redis, logger }: Omit<WebServerOptions, 'host' | 'port'>): FastifyInstance {
  // No request logging: archive addresses are secrets, and a request log would keep them.
  const app = Fastify({
    loggerInstance: logger.child({ component: 'web' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // A malformed address (bad percent-encoding) is one more address that does not exist: the same 404 page.
    frameworkErrors: (_error, _request, reply) => notFound(reply),
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  const html = (reply: FastifyReply, status: number, page: JSX.Element) =>
    reply.code(status).type('text/html; charset=utf-8').send(renderPage(page));
  // Unknown, off, rotated and malformed addresses all end here, byte for byte the same answer.
  const notFound = (reply: FastifyReply) =>
    html(reply.header('cache-control', 'no-store'), 404, MessagePage({ heading: 'Not found', text: NOT_FOUND }));
  app.setNotFoundHandler((_request, reply) => notFound(reply));
  // A fault of ours: a page that says so, never the error's details.
  app.setErrorHandler((error, _request, reply) => {
    logger.error({ err: error }, 'archive page failed');
    return html(reply.header('cache-control', 'no-store'), 500, MessagePage({ heading: 'Sorry', text: FAILED }));
  });

  app.get('/healthz', async (_request, reply) => {
    const ok = redis.status === 'ready' && (await withTimeout(redis.ping(), 1_000).catch(() => undefined)) === 'PONG';
    return reply.code(ok ? 200 : 503).send({ ok, redis: ok ? 'up' : 'unavailable' });
  });

  app.get('/', (_request, reply) =>
    html(
      reply,
      200,
      MessagePage({ heading: 'Lectern', text: 'Paper-reading sessions, kept. Ask your host for the link.' }),
    ),
  );

  // Browsers ask every site for it: an empty answer, not the 404 page (which a browser logs as an error).
  app.get('/favicon.ico', (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.get<{ Params: { name: string } }>('/assets/:name', (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.name) ? ASSETS[request.params.name] : undefined;
    if (!asset) return reply.callNotFound();
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });

  const pages = guildPages(archive);
  const cache = new PageCache();
  for (const [prefix, kind] of [
    ['/a', 'link'],
    ['/s', 'slug'],
  ] as const) {
    type Route = { Params: { key: string; id: string }; Querystring: { q?: unknown } };
    type Page = (guild: ArchiveGuild, links: Links, request: FastifyRequest<Route>) => Promise<Rendered>;
    /** `name`: which page, for the cache key (built from the route, never the raw URL, which anyone can vary). */
    const serve = (name: string, page: Page) => async (request: FastifyRequest<Route>, reply: FastifyReply) => {
      const address = { kind, value: request.params.key };
      let result: Rendered;
      try {
        result = await withTimeout(
          (async () => {
            const guild = await archive.resolve(address);
            if (!guild) throw new NotFound();
            // Searches are not kept: any words make a new key, and they would push pages out.
            const { settings } = guild;
            const { version } = guild;
            const route = [prefix, address.value, name, request.params.id ?? ''];
            const key = [guild.guildId, version, settings.timeZone, settings.archiveTitle, ...route].join('\n');
            const searching = typeof request.query.q === 'string' && request.query.q !== '';
            const cached = searching ? undefined : cache.get(key);
            if (cached) return cached;
            const rendered = await page(guild, serverLinks(`${prefix}/${address.value}/`), request);
            if (!searching) cache.set(key, rendered);
            return rendered;
          })(),
          LOAD_TIMEOUT_MS,
        );
      } catch (error) {
        if (error instanceof NotFound) return reply.callNotFound();
        if (!redisDown(redis, error)) throw error;
        logger.warn({ err: error }, 'archive page not served: Redis unavailable');
        return html(
          reply.header('retry-after', '5').header('cache-control', 'no-store'),
          503,
          MessagePage({
            heading: 'Back in a moment',
            text: 'The archive cannot be read right now; try again shortly.',
          }),
        );
      }
      reply.header('cache-control', 'private, no-cache');
      // A secret link's pages stay out of search engines; a public archive may be indexed.
      if (kind === 'link') reply.header('x-robots-tag', 'noindex, nofollow');
      return reply
        .type(result.type === 'atom' ? 'application/atom+xml; charset=utf-8' : 'text/html; charset=utf-8')
        .send(result.body);
    };
    // `/a/<token>` without its slash: every key alike (known or not), so the redirect tells nothing.
    app.get<{ Params: { key: string } }>(`${prefix}/:key`, (request, reply) =>
      reply.redirect(`${prefix}/${encodeURIComponent(request.params.key)}/`, 301),
    );
    const query = (request: FastifyRequest<Route>) => (typeof request.query.q === 'string' ? request.query.q : '');
    app.get<Route>(
      `${prefix}/:key/`,
      serve('index', (guild, links, request) => pages.index(guild, links, query(request))),
    );
    app.get<Route>(
      `${prefix}/:key/sessions/:id`,
      serve('session', (guild, links, request) => pages.session(guild, links, request.params.id)),
    );
    app.get<Route>(
      `${prefix}/:key/papers/:id`,
      serve('paper', (guild, links, request) => pages.paper(guild, links, request.params.id)),
    );
    app.get<Route>(
      `${prefix}/:key/feed.xml`,
      serve('feed', (guild, links) => pages.feed(guild, links, `${archive.origin()}${links.index}`)),
    );
  }
  return app;
}

const FAILED = 'This page could not be shown. It has been logged; try again later.';

class LoadTimeout extends Error {}

/** Redis is down, or too slow to count as up: the reader is told to come back (503), not that we failed (500). */
function redisDown(redis: RedisClient, error: unknown) {
  if (error instanceof LoadTimeout || redis.status !== 'ready') return true;
  const message = error instanceof Error ? error.message : '';
  return /Stream isn't writeable|Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|CLUSTERDOWN/i.test(message);
}

const NOT_FOUND = 'Nothing here. The address may be mistyped, or the archive it pointed to was moved or turned off.';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LoadTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
