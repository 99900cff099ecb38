import type { RedisClient } from '../store/redis.js';
import { cleanMetadata } from '../domain/papers/metadata.js';
import type { PaperMetadata } from '../domain/papers/paper.js';
import type { PaperRef } from '../domain/papers/paper-ref.js';
import { keys } from '../store/keys.js';
import { arxiv } from './arxiv.js';
import { crossref } from './crossref.js';
import { huggingface } from './huggingface.js';
import { openreview } from './openreview.js';
import { safeGet, type FetchPolicy } from './safe-fetch.js';
import { expectOk, type MetadataSource } from './source.js';

const PUBLIC_BASES: Record<MetadataSource['name'], string> = {
  arxiv: 'https://export.arxiv.org/api/query',
  huggingface: 'https://huggingface.co/api/papers',
  openreview: 'https://api2.openreview.net/notes',
  crossref: 'https://api.crossref.org/works',
};
const ALLOWED_HOSTS = new Set([
  'export.arxiv.org',
  'arxiv.org',
  'huggingface.co',
  'api2.openreview.net',
  'api.crossref.org',
]);
const CACHE_SECONDS = 30 * 24 * 3600;

interface MetadataServiceOptions {
  overrideBaseUrl?: string;
  /** arXiv asks for at most one request every 3 s. */
  arxivIntervalMs: number;
}

export class MetadataService {
  private readonly policy: FetchPolicy;
  private arxivSlot = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: MetadataServiceOptions,
  ) {
    this.policy = {
      allowedHosts: ALLOWED_HOSTS,
      overrideOrigin: options.overrideBaseUrl && new URL(options.overrideBaseUrl).origin,
      timeoutMs: 5_000,
      maxBytes: 2 * 1024 * 1024,
      maxRedirects: 3,
    };
  }

  sourceFor(ref: PaperRef) {
    return { arxiv, huggingface, openreview, doi: crossref, url: null }[ref.kind];
  }

  async cached(ref: PaperRef) {
    const source = this.sourceFor(ref);
    const hit = source ? await this.redis.get(keys.metadataCache(source.name, ref.id)) : null;
    return hit ? (JSON.parse(hit) as PaperMetadata) : null;
  }

  async resolve(ref: PaperRef) {
    const source = this.sourceFor(ref);
    if (!source) throw new Error(`no metadata source for ${ref.kind} references`);
    const hit = await this.cached(ref);
    if (hit) return hit;
    if (source === arxiv) await this.waitForArxivSlot();
    const publicBase = PUBLIC_BASES[source.name];
    const override = this.options.overrideBaseUrl?.replace(/\/$/, '');
    const base = override ? `${override}/${source.name}${new URL(publicBase).pathname}` : publicBase;
    const response = await safeGet(source.url(base, ref.id), this.policy, {
      accept: source === arxiv ? 'application/atom+xml' : 'application/json',
    });
    const metadata = cleanMetadata(source.parse(expectOk(response, source.name, ref.id), ref.id));
    await this.redis.set(keys.metadataCache(source.name, ref.id), JSON.stringify(metadata), 'EX', CACHE_SECONDS);
    return metadata;
  }

  private async waitForArxivSlot() {
    const now = Date.now();
    const wait = this.arxivSlot - now;
    this.arxivSlot = Math.max(now, this.arxivSlot) + this.options.arxivIntervalMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
