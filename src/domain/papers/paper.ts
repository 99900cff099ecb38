import type { PaperRef } from './paper-ref.js';

type PaperStatus = 'queued' | 'current' | 'covered';

/** `none`: a plain link, never fetched. */
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
  /** For autocomplete: the bot holds no member list. */
  presenterName?: string;
  note?: string;
  /** Absent once that member had Lectern forget them. */
  suggestedById?: string;
  addedAt: number;
  startedAt?: number;
  coveredAt?: number;
  card?: { channelId: string; messageId: string };
  /** Members' votes while it is queued (a covered paper's no longer count). */
  votes?: number;
  /** Placed by a host's /paper move: ordering by votes leaves it where it is. */
  pinned?: boolean;
  /** Its discussion thread (opened from its card). */
  threadId?: string;
  /** It has no thread and gets none: threads were refused, or a moderator deleted it. */
  noThread?: boolean;
  /** The start (ms) of the session its presenter confirmed they present it at. */
  confirmedFor?: number;
}

/** A `/paper list` line: read without the abstract and authors. */
export type QueueEntry = Pick<
  Paper,
  'id' | 'ref' | 'status' | 'metadataStatus' | 'title' | 'presenterId' | 'votes' | 'addedAt' | 'pinned'
>;

/** `votes`: most voted first (ties: the earlier suggestion), papers a host placed kept; `manual`: as placed. */
export type QueueOrder = 'votes' | 'manual';

/** The queue in `order`: only queued papers a host did not place move, into the places such papers hold. */
export function inQueueOrder<T extends Pick<Paper, 'status' | 'votes' | 'addedAt' | 'pinned'>>(
  papers: T[],
  order: QueueOrder,
): T[] {
  if (order === 'manual') return papers;
  const movable = (paper: T) => paper.status === 'queued' && !paper.pinned;
  const ranked = papers.filter(movable).sort((a, b) => (b.votes ?? 0) - (a.votes ?? 0) || a.addedAt - b.addedAt);
  let next = 0;
  return papers.map((paper) => (movable(paper) ? ranked[next++]! : paper));
}

export const MAX_NOTE = 300;
export const MAX_QUEUE = 50;

export function paperLabel(paper: Pick<Paper, 'title' | 'ref' | 'metadataStatus'>) {
  return paper.metadataStatus === 'ready'
    ? paper.title
    : paper.ref.kind === 'url'
      ? paper.ref.url
      : `${paper.ref.kind === 'doi' ? 'doi:' : ''}${paper.ref.id}`;
}

/** `/paper next`: the first queued paper after the current one, else the first skipped one before it. */
export function nextPaperId(queue: ReadonlyArray<Pick<Paper, 'id' | 'status'>>) {
  const currentIndex = queue.findIndex((p) => p.status === 'current');
  const after = queue.slice(currentIndex + 1).find((p) => p.status === 'queued');
  return (after ?? queue.find((p) => p.status === 'queued'))?.id ?? null;
}

export function matchesQuery(paper: Paper, query: string, presenterName?: string) {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return [paper.title, paper.ref.id, paper.ref.url, ...paper.authors, presenterName ?? ''].some((field) =>
    field.toLowerCase().includes(q),
  );
}
