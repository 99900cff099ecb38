import { malformed, parseJson, type MetadataSource } from './source.js';

/** Abstracts arrive as JATS XML. */
export const crossref: MetadataSource = {
  name: 'crossref',
  url: (base, id) => `${base}/${encodeURIComponent(id)}`,
  parse(body, id) {
    const message = (
      parseJson(body, 'Crossref', id) as {
        message?: {
          title?: unknown[];
          author?: Array<{ given?: string; family?: string; name?: string }>;
          abstract?: string;
        };
      }
    ).message;
    const title = message?.title?.[0];
    if (typeof title !== 'string') throw malformed('Crossref', id, 'no title');
    const authors = (message?.author ?? []).map((a) => a.name ?? [a.given, a.family].filter(Boolean).join(' '));
    return { title, authors, abstract: (message?.abstract ?? '').replace(/<[^>]*>/g, ' ') };
  },
};
