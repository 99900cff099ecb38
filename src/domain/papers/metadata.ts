import type { PaperMetadata } from './paper.js';

const LIMITS = { title: 300, author: 100, authors: 50, abstract: 2_000 } as const;

/** One line without control or zero-width characters, cut at a word to at most `max`. */
export function cleanText(text: string, max: number) {
  const flat = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufffe\uffff]/g, ' ')
    // Half a surrogate pair is no character (and not valid XML, as in the archive's feed).
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length <= max) return flat;
  // Never half a surrogate pair at the cut.
  const cut = flat.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '');
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

export function cleanMetadata(raw: PaperMetadata): PaperMetadata {
  const authors = raw.authors.map((a) => cleanText(a, LIMITS.author)).filter((a) => a.length > 0);
  return {
    title: cleanText(raw.title, LIMITS.title),
    authors:
      authors.length > LIMITS.authors
        ? [...authors.slice(0, LIMITS.authors), `and ${authors.length - LIMITS.authors} more`]
        : authors,
    abstract: cleanText(raw.abstract, LIMITS.abstract),
  };
}

/** The first `count` sentences of an abstract (a sentence ends at `.`, `!` or `?` before a space and a capital). */
export function firstSentences(text: string, count: number) {
  const flat = cleanText(text, 5_000);
  const ends = [...flat.matchAll(/[.!?](?=\s+[A-Z(])/g)].map((m) => m.index + 1);
  return ends.length >= count ? flat.slice(0, ends[count - 1]) : flat;
}
