import { describe, expect, it } from 'vitest';
import { arxiv } from '../../src/papers/arxiv.js';
import { crossref } from '../../src/papers/crossref.js';
import { huggingface } from '../../src/papers/huggingface.js';
import { openreview } from '../../src/papers/openreview.js';
import { isPrivateAddress, SourceError } from '../../src/papers/safe-fetch.js';
import { boundedList, safeText } from '../../src/discord/render/text.js';
import { arxivFeed, crossrefWork, huggingfacePaper, openreviewNotes } from '../fixtures/papers.js';

describe('source answers', () => {
  it('reads an arXiv Atom entry', () => {
    const parsed = arxiv.parse(arxivFeed('2408.03314'), '2408.03314');
    expect(parsed.title).toBe(
      'Scaling LLM Test-Time Compute Optimally can be More Effective than Scaling Model Parameters',
    );
    expect(parsed.authors).toEqual(['Charlie Snell', 'Jaehoon Lee', 'Kelvin Xu', 'Aviral Kumar']);
  });
  it('turns arXiv\'s error entry into a final "no such paper"', () => {
    expect(() => arxiv.parse(arxivFeed('2401.99999'), '2401.99999')).toThrow(/no such paper/);
  });
  it.each(['<feed><entry>', 'not xml at all <', '{"json": true}'])('refuses malformed Atom %j for good', (body) => {
    try {
      arxiv.parse(body, 'x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).retryable).toBe(false);
    }
  });
  it('reads Hugging Face, OpenReview and Crossref answers', () => {
    expect(huggingface.parse(JSON.stringify(huggingfacePaper('2407.07726')), '2407.07726').title).toBe(
      'PaliGemma: A versatile 3B VLM for transfer',
    );
    expect(openreview.parse(JSON.stringify(openreviewNotes('rJXMpikCZ')), 'rJXMpikCZ').authors).toContain(
      'Petar Veličković',
    );
    const work = crossref.parse(JSON.stringify(crossrefWork('10.1038/nature14539')), '10.1038/nature14539');
    expect(work).toEqual({
      title: 'Deep learning',
      authors: ['Yann LeCun', 'Yoshua Bengio', 'Geoffrey Hinton'],
      abstract: ' A review of deep learning. ',
    });
  });
});

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '224.0.0.1',
    'not-an-ip',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['151.101.1.69', '2606:4700::6810:84e5', '8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('safe text', () => {
  it('defuses mentions and escapes markdown without losing the words', () => {
    expect(safeText('@everyone **hi** <@&123> # title', 100)).toBe(
      '@\u200deveryone \\*\\*hi\\*\\* <\u200d@\u200d&123> # title',
    );
  });
  it('escapes list and heading markers only where they would format', () => {
    expect(safeText('2408.00714', 50)).toBe('2408.00714');
    expect(safeText('1. first', 50)).toBe('1\\. first');
    expect(safeText('# Big', 50)).toBe('\\# Big');
  });
  it('stays within the limit after escaping', () => {
    const text = safeText('*'.repeat(300), 256);
    expect(text.length).toBeLessThanOrEqual(256);
    expect(text.endsWith('\\…')).toBe(false);
  });
});

describe('bounded lists', () => {
  it('keeps every item whole and says how many did not fit', () => {
    const items = Array.from({ length: 300 }, (_, i) => `<@${100000000000000000 + i}>`);
    const text = boundedList(items, 1024, ', ');
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(text).toMatch(/, …and \d+ more$/);
    const shown = text.split(', ').length - 1;
    expect(text.endsWith(`…and ${300 - shown} more`)).toBe(true);
  });
  it('leaves a short list alone', () => expect(boundedList(['a', 'b'], 100)).toBe('a\nb'));
  it('GIVEN only the first items of a longer list THEN counts the rest from the total', () => {
    const all = Array.from({ length: 300 }, (_, i) => `<@${100000000000000000 + i}>`);
    expect(boundedList(all.slice(0, 60), 1024, ', ', 300)).toBe(boundedList(all, 1024, ', '));
    expect(boundedList(['a', 'b'], 100, '\n', 5)).toBe('a\nb\n…and 3 more');
    expect(boundedList(['a', 'b'], 15, '\n', 5)).toBe('a\n…and 4 more');
  });
});
