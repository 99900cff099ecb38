import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformed, type MetadataSource } from './source.js';

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: true,
  isArray: (name) => name === 'entry' || name === 'author',
});

interface AtomEntry {
  id?: string;
  title?: string;
  summary?: string;
  author?: Array<{ name?: string }>;
}

/** An unknown id comes back as an entry whose id points at api/errors. */
export const arxiv: MetadataSource = {
  name: 'arxiv',
  url: (base, id) => `${base}?id_list=${encodeURIComponent(id)}&max_results=1`,
  parse(body, id) {
    if (XMLValidator.validate(body) !== true) throw malformed('arXiv', id, 'not well-formed XML');
    const feed = (parser.parse(body) as { feed?: { entry?: AtomEntry[] } }).feed;
    if (!feed) throw malformed('arXiv', id, 'no Atom feed');
    const entry = feed.entry?.[0];
    if (!entry || String(entry.id ?? '').includes('/api/errors') || !entry.title)
      throw malformed('arXiv', id, 'no such paper', 404);
    return {
      title: String(entry.title),
      authors: (entry.author ?? []).map((a) => String(a.name ?? '')),
      abstract: String(entry.summary ?? ''),
    };
  },
};
