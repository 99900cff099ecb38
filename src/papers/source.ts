import { SourceError, type FetchedText } from './safe-fetch.js';

export interface RawMetadata {
  title: string;
  authors: string[];
  abstract: string;
}

/** A metadata source: how to ask it about one id and how to read its answer. */
export interface MetadataSource {
  name: 'arxiv' | 'huggingface' | 'openreview' | 'crossref';
  /** The request URL for `id` under the source's base URL. */
  url(base: string, id: string): string;
  parse(body: string, id: string): RawMetadata;
}

/** Maps a status to the right error: 404 is final, 429 and 5xx are worth retrying. */
export function expectOk(response: FetchedText, source: string, id: string): string {
  if (response.status === 200) return response.body;
  if (response.status === 404) throw new SourceError(`${source} has no paper ${id}`, false, 404);
  const retryable = response.status === 429 || response.status >= 500;
  throw new SourceError(`${source} answered ${response.status} for ${id}`, retryable, response.status);
}

export function malformed(source: string, id: string, why: string): SourceError {
  return new SourceError(`${source} sent a malformed answer for ${id}: ${why}`, false);
}

export function parseJson(body: string, source: string, id: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw malformed(source, id, 'not JSON');
  }
}
