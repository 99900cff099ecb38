import { describe, expect, it } from 'vitest';
import { firstSentences } from '../../src/domain/papers/metadata.js';
import { paperIntro } from '../../src/discord/render/paper.js';
import type { Paper } from '../../src/domain/papers/paper.js';

describe("a paper thread's first message", () => {
  it('GIVEN an abstract THEN its first two sentences, not cut at abbreviations or decimals', () => {
    const abstract = 'We scale test-time compute by 4.2x. It beats a 14x larger model (e.g. on MATH). A third one.';
    expect(firstSentences(abstract, 2)).toBe(
      'We scale test-time compute by 4.2x. It beats a 14x larger model (e.g. on MATH).',
    );
    expect(firstSentences('One sentence only', 2)).toBe('One sentence only');
  });

  it('GIVEN hostile metadata THEN nothing formats or pings, and the link is the paper’s own', () => {
    const paper = {
      id: 'p1',
      ref: { kind: 'arxiv', id: '2408.00001', url: 'https://arxiv.org/abs/2408.00001' },
      dedupKey: 'arxiv:2408.00001',
      status: 'queued',
      metadataStatus: 'ready',
      title: '**Big** @everyone <@123456789012345678>',
      authors: ['# Heading', '<@&123456789012345678>'],
      abstract: '> quoted @here. Second [link](https://evil.example).',
      suggestedById: '1',
      addedAt: 0,
    } satisfies Paper;
    const { content, allowed_mentions } = paperIntro(paper);
    expect(allowed_mentions).toEqual({ parse: [] });
    expect(content).not.toMatch(/(?<!\\)\*\*Big|@everyone|@here|<@&?\d/);
    expect(content).toContain('<https://arxiv.org/abs/2408.00001>');
    // Markdown link syntax is escaped, so the link shows as text.
    expect(content).toContain('\\[link\\](https://evil.example)');
  });
});
