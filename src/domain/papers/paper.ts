import type { PaperRef } from './paper-ref.js';

/** queued → current → covered; a paper skipped over stays queued. */
export type PaperStatus = 'queued' | 'current' | 'covered';

/**
 * pending until the metadata job fills it; `none` for links that are never
 * fetched; `failed` when the source gave up.
 */
export type MetadataStatus = 'pending' | 'ready' | 'failed' | 'none';

export interface PaperMetadata {
  title: string;
  authors: string[];
  abstract: string;
}

export interface Paper {
  id: string;
  ref: PaperRef;
  dedupKey: string;
  status: PaperStatus;
  metadataStatus: MetadataStatus;
  title: string;
  authors: string[];
  abstract: string;
  presenterId?: string;
  /** The presenter's display name when queued, for autocomplete (the bot holds no member list). */
  presenterName?: string;
  note?: string;
  suggestedById: string;
  addedAt: number;
  /** When it became current, and when it was covered (ms since epoch). */
  startedAt?: number;
  coveredAt?: number;
  card?: { channelId: string; messageId: string };
}

/** What a line of the queue shows of a paper (`/paper list`): read without its abstract and authors. */
export type QueueEntry = Pick<Paper, 'id' | 'ref' | 'status' | 'metadataStatus' | 'title' | 'presenterId'>;

export const MAX_NOTE = 300;
export const MAX_QUEUE = 50;

/** A paper's label in lists and autocomplete: its title when known, else its id. */
export function paperLabel(paper: Pick<Paper, 'title' | 'ref' | 'metadataStatus'>): string {
  return paper.metadataStatus === 'ready'
    ? paper.title
    : paper.ref.kind === 'url'
      ? paper.ref.url
      : `${paper.ref.kind === 'doi' ? 'doi:' : ''}${paper.ref.id}`;
}

/**
 * The paper `/paper next` moves to: the first queued paper after the current
 * one in queue order. Papers skipped over earlier stay queued; when nothing is
 * queued after the current paper, the first queued paper before it.
 */
export function nextPaperId(queue: ReadonlyArray<Pick<Paper, 'id' | 'status'>>): string | null {
  const currentIndex = queue.findIndex((p) => p.status === 'current');
  const after = queue.slice(currentIndex + 1).find((p) => p.status === 'queued');
  return (after ?? queue.find((p) => p.status === 'queued'))?.id ?? null;
}

/** Case-insensitive match on title, id, authors or presenter name, for autocomplete and history search. */
export function matchesQuery(paper: Paper, query: string, presenterName?: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return [paper.title, paper.ref.id, paper.ref.url, ...paper.authors, presenterName ?? ''].some((field) =>
    field.toLowerCase().includes(q),
  );
}
