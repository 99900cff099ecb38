import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arxivFeed, crossrefWork, huggingfacePaper, openreviewNotes } from '../fixtures/papers.js';

/** What the server does for one request instead of answering from the fixtures. */
export type Behaviour =
  { status: number; body?: string } | { hang: true } | { delayMs: number } | { redirect: string } | { bytes: number };

/**
 * The paper sources, served locally from recorded answers (the bot's
 * LECTERN_METADATA_BASE_URL points here). Per id, a script of behaviours can
 * come first: 503s, a hang, a redirect, a 20 MB body.
 */
export class MetadataServer {
  readonly requests: string[] = [];
  private readonly scripts = new Map<string, Behaviour[]>();
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The next requests for `id` get these behaviours, in order; later ones get the fixture. */
  script(id: string, ...behaviours: Behaviour[]): void {
    this.scripts.set(id, behaviours);
  }

  requestsFor(id: string): string[] {
    return this.requests.filter((r) => r.includes(encodeURIComponent(id)) || r.includes(id));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    this.requests.push(`${url.pathname}${url.search}`);
    const [source, id] = this.route(url);
    const behaviour = this.scripts.get(id)?.shift();
    if (behaviour && 'hang' in behaviour) {
      this.open.add(res);
      return;
    }
    if (behaviour && 'delayMs' in behaviour) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (behaviour && 'redirect' in behaviour) return void res.writeHead(302, { location: behaviour.redirect }).end();
    if (behaviour && 'status' in behaviour)
      return void res
        .writeHead(behaviour.status, { 'content-type': 'text/plain' })
        .end(behaviour.body ?? 'unavailable');
    if (behaviour && 'bytes' in behaviour) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < behaviour.bytes && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk)) await drainedOrClosed(res);
      }
      return void res.end();
    }
    const body =
      source === 'arxiv'
        ? arxivFeed(id)
        : source === 'huggingface'
          ? huggingfacePaper(id)
          : source === 'openreview'
            ? openreviewNotes(id)
            : source === 'crossref'
              ? crossrefWork(id)
              : undefined;
    if (body === undefined)
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const type = source === 'arxiv' ? 'application/atom+xml' : 'application/json';
    res.writeHead(200, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private route(url: URL): [string, string] {
    const path = url.pathname;
    if (path === '/arxiv/api/query') return ['arxiv', url.searchParams.get('id_list') ?? ''];
    if (path.startsWith('/huggingface/api/papers/'))
      return ['huggingface', decodeURIComponent(path.slice('/huggingface/api/papers/'.length))];
    if (path === '/openreview/notes') return ['openreview', url.searchParams.get('id') ?? ''];
    if (path.startsWith('/crossref/works/'))
      return ['crossref', decodeURIComponent(path.slice('/crossref/works/'.length))];
    return ['', ''];
  }
}

/** Resolves when `res` can take more, or is gone; leaves no listener behind either way. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}
