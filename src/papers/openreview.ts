import { malformed, parseJson, type MetadataSource } from './source.js';

type Field<T> = { value?: T };

export const openreview: MetadataSource = {
  name: 'openreview',
  url: (base, id) => `${base}?id=${encodeURIComponent(id)}`,
  parse(body, id) {
    const notes = (
      parseJson(body, 'OpenReview', id) as {
        notes?: Array<{ content?: { title?: Field<string>; authors?: Field<string[]>; abstract?: Field<string> } }>;
      }
    ).notes;
    if (!Array.isArray(notes)) throw malformed('OpenReview', id, 'no notes');
    const content = notes[0]?.content;
    if (!content) throw malformed('OpenReview', id, 'no such paper', 404);
    if (typeof content.title?.value !== 'string') throw malformed('OpenReview', id, 'no title');
    return {
      title: content.title.value,
      authors: (content.authors?.value ?? []).map(String),
      abstract: String(content.abstract?.value ?? ''),
    };
  },
};
