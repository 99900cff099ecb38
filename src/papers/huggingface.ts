import { malformed, parseJson, type MetadataSource } from './source.js';

export const huggingface: MetadataSource = {
  name: 'huggingface',
  url: (base, id) => `${base}/${encodeURIComponent(id)}`,
  parse(body, id) {
    const paper = parseJson(body, 'Hugging Face', id) as {
      title?: unknown;
      summary?: unknown;
      authors?: Array<{ name?: unknown }>;
    };
    if (typeof paper?.title !== 'string') throw malformed('Hugging Face', id, 'no title');
    return {
      title: paper.title,
      authors: (paper.authors ?? []).map((a) => String(a?.name ?? '')),
      abstract: typeof paper.summary === 'string' ? paper.summary : '',
    };
  },
};
