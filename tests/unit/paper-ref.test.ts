import { describe, expect, it } from 'vitest';
import { dedupKey, parseArxivId, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { nextPaperId } from '../../src/domain/papers/paper.js';
import { cleanMetadata, cleanText } from '../../src/domain/papers/metadata.js';

describe('paper references', () => {
  it.each([
    ['2408.03314', 'arxiv', '2408.03314', 'https://arxiv.org/abs/2408.03314'],
    ['2408.03314v2', 'arxiv', '2408.03314', 'https://arxiv.org/abs/2408.03314'],
    ['arXiv:2408.03314', 'arxiv', '2408.03314', 'https://arxiv.org/abs/2408.03314'],
    ['1412.6980', 'arxiv', '1412.6980', 'https://arxiv.org/abs/1412.6980'],
    ['hep-th/9901001', 'arxiv', 'hep-th/9901001', 'https://arxiv.org/abs/hep-th/9901001'],
    ['math.GT/0309136v1', 'arxiv', 'math.GT/0309136', 'https://arxiv.org/abs/math.GT/0309136'],
    ['https://arxiv.org/abs/2408.06292', 'arxiv', '2408.06292', 'https://arxiv.org/abs/2408.06292'],
    ['https://arxiv.org/pdf/2408.06292v3.pdf', 'arxiv', '2408.06292', 'https://arxiv.org/abs/2408.06292'],
    ['https://www.arxiv.org/pdf/2408.06292', 'arxiv', '2408.06292', 'https://arxiv.org/abs/2408.06292'],
    [
      'https://huggingface.co/papers/2407.07726',
      'huggingface',
      '2407.07726',
      'https://huggingface.co/papers/2407.07726',
    ],
    [
      'https://openreview.net/forum?id=rJXMpikCZ',
      'openreview',
      'rJXMpikCZ',
      'https://openreview.net/forum?id=rJXMpikCZ',
    ],
    ['https://openreview.net/pdf?id=rJXMpikCZ', 'openreview', 'rJXMpikCZ', 'https://openreview.net/forum?id=rJXMpikCZ'],
    ['https://doi.org/10.1038/nature14539', 'doi', '10.1038/nature14539', 'https://doi.org/10.1038/nature14539'],
    ['10.1038/nature14539', 'doi', '10.1038/nature14539', 'https://doi.org/10.1038/nature14539'],
    ['https://example.org/post#top', 'url', 'https://example.org/post', 'https://example.org/post'],
  ])('%s is a %s reference to %s', (input, kind, id, url) => {
    expect(parsePaperRef(input)).toEqual({ kind, id, url });
  });

  it.each(['2408.0331', '1412.69801', '2413.12345', '2400.12345', '9901001', 'hep-th/990100'])(
    '%s is not an arXiv id',
    (input) => {
      expect(parseArxivId(input)).toBeNull();
    },
  );

  it('treats an arXiv id and its Hugging Face page as the same paper', () => {
    expect(dedupKey(parsePaperRef('https://huggingface.co/papers/2407.07726'))).toBe(
      dedupKey(parsePaperRef('2407.07726v2')),
    );
  });
});

describe('/paper next', () => {
  const q = (...statuses: Array<'queued' | 'current' | 'covered'>) =>
    statuses.map((status, i) => ({ id: String(i), status }));
  it('takes the first queued paper after the current one, leaving skipped ones queued', () => {
    expect(nextPaperId(q('covered', 'queued', 'current', 'queued', 'queued'))).toBe('3');
  });
  it('goes back to a skipped paper when nothing is queued after the current one', () => {
    expect(nextPaperId(q('covered', 'queued', 'covered', 'current'))).toBe('1');
  });
  it('starts at the top when nothing is current', () => expect(nextPaperId(q('queued', 'queued'))).toBe('0'));
  it('has nothing to move to when all is covered', () => expect(nextPaperId(q('covered', 'current'))).toBeNull());
});

describe('metadata cleaning', () => {
  it('flattens whitespace, drops control and zero-width characters, cuts at a word', () => {
    expect(cleanText('Scaling\n  LLM\u200b test-time\u0007 compute', 100)).toBe('Scaling LLM test-time compute');
    expect(cleanText('alpha beta gamma delta', 12)).toBe('alpha beta…');
  });
  it('bounds authors and abstract', () => {
    const cleaned = cleanMetadata({
      title: 't'.repeat(1000),
      authors: Array.from({ length: 60 }, (_, i) => `Author ${i}`),
      abstract: 'word '.repeat(1000),
    });
    expect(cleaned.title.length).toBeLessThanOrEqual(300);
    expect(cleaned.authors).toHaveLength(51);
    expect(cleaned.authors.at(-1)).toBe('and 10 more');
    expect(cleaned.abstract.length).toBeLessThanOrEqual(2000);
  });
});
