import type { PaperMetadata } from '../domain/papers/paper.js';
import { SourceError, type FetchedText } from './safe-fetch.js';

export interface MetadataSource {
  name: 'arxiv' | 'huggingface' | 'openreview' | 'crossref';
  url(base: string, id: string): string;
  parse(body: string, id: string): PaperMetadata;
}

export function expectOk({ status, body }: FetchedText, source: string, id: string) {
  if (status === 200) return body;
  if (status === 404) throw new SourceError(`${source} has no paper ${id}`, false, 404);
  const retryable = status === 429 || status >= 500;
  throw new SourceError(`${source} answered ${status} for ${id}`, retryable, status);
}

export function malformed(source: string, id: string, why: string, status?: number) {
  return new SourceError(`${source} sent a malformed answer for ${id}: ${why}`, false, status);
}

export function parseJson(body: string, source: string, id: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw malformed(source, id, 'not JSON');
  }
}
