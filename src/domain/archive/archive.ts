import type { Recap } from '../recap/recap.js';
import { cleanText } from '../papers/metadata.js';

/** Who can read a server's archive: nobody, whoever has its secret link, or anyone (also under a chosen slug). */
export type ArchiveVisibility = (typeof ARCHIVE_VISIBILITIES)[number];
export const ARCHIVE_VISIBILITIES = ['off', 'link', 'public'] as const;

/** What the index shows of a session: one small record, so the index never reads whole recaps. */
export interface ArchiveSummary {
  sessionId: string;
  startedAt: number;
  endedAt: number;
  papers: Array<{ id: string; title: string; key: string }>;
  presenterIds: string[];
  asked: number;
  answered: number;
}

/**
 * The same paper covered in two sessions has two queue entries (two ids): its source and id join them, and a plain
 * link stands for itself.
 */
export function paperKey(paper: Recap['covered'][number]) {
  return paper.ref ? `${paper.ref.kind}:${paper.ref.id}` : `id:${paper.id}`;
}

export function summarize(recap: Recap): ArchiveSummary {
  return {
    sessionId: recap.sessionId,
    startedAt: recap.startedAt,
    endedAt: recap.endedAt,
    papers: recap.covered.map((p) => ({ id: p.id, title: p.title, key: paperKey(p) })),
    presenterIds: [...new Set(recap.covered.flatMap((p) => (p.presenterId ? [p.presenterId] : [])))],
    asked: recap.asked,
    answered: recap.answered.length,
  };
}

/** Member text on a page: one line, no control or bidi characters, at most `max` characters. */
export const pageText = (text: string, max = 2_000) => cleanText(text, max);

/** A link a page may carry: http(s) only, so `javascript:` and `data:` never become an href. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
}

/** Lower case, accents kept, split on anything that is not a letter, digit or `.` inside a word (arXiv ids). */
export function searchTerms(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+(?:[./-][\p{L}\p{N}]+)*/gu) ?? []
  );
}

/** Every word a search can find a session by: titles, authors, arXiv ids, questions, answers, highlights, takeaways. */
export function searchableText(recap: Recap): string {
  return [
    ...recap.covered.flatMap((p) => [p.title, ...(p.authors ?? []), p.ref ? p.ref.id : '']),
    ...[...recap.answered, ...recap.unanswered].flatMap((q) => [q.text, q.answer ?? '']),
    ...recap.highlights.map((n) => n.text),
    ...recap.takeaways.map((n) => n.text),
  ].join('\n');
}

/**
 * An in-memory index of one server's sessions: term → session ids. A query matches the sessions holding every one of
 * its terms, each as a whole word or the start of one (so `2408` finds `2408.03314`).
 */
export class SearchIndex {
  private readonly terms = new Map<string, Set<string>>();
  private sorted: string[] = [];

  constructor(documents: Iterable<{ sessionId: string; text: string }>) {
    for (const { sessionId, text } of documents)
      for (const term of searchTerms(text)) {
        let ids = this.terms.get(term);
        if (!ids) this.terms.set(term, (ids = new Set()));
        ids.add(sessionId);
      }
    this.sorted = [...this.terms.keys()].sort();
  }

  /** Session ids matching every term of `query` (none for an empty query). */
  search(query: string): Set<string> {
    const wanted = [...new Set(searchTerms(query))].slice(0, 10);
    let result: Set<string> | undefined;
    for (const term of wanted) {
      const found = this.withPrefix(term);
      result = result ? new Set([...result].filter((id) => found.has(id))) : found;
      if (result.size === 0) break;
    }
    return result ?? new Set();
  }

  private withPrefix(prefix: string) {
    const found = new Set<string>();
    // Binary search to the first term at or after the prefix, then walk while terms start with it.
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.sorted[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.sorted.length && this.sorted[i]!.startsWith(prefix); i++)
      for (const id of this.terms.get(this.sorted[i]!)!) found.add(id);
    return found;
  }
}

/** A per-server secret for `link` archives: 128 random bits as 32 hex digits. */
export const LINK_TOKEN = /^[0-9a-f]{32}$/;
/** A public archive's name in its address: lower-case letters, digits and single dashes, 3 to 40 characters. */
export const SLUG = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,39}$/;
