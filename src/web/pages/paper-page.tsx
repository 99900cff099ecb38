import { pageText } from '../../domain/archive/archive.js';
import type { Recap } from '../../domain/recap/recap.js';
import { Layout, nameOf, Time, type PageContext } from './layout.js';
import { OutLink } from './session-page.js';

export interface PaperCoverage {
  recap: Recap;
  paper: Recap['covered'][number];
}

const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const SOURCE_NAMES = { arxiv: 'arXiv', huggingface: 'Hugging Face', openreview: 'OpenReview', doi: 'DOI', url: 'Link' };

/** Every session that covered a paper, newest first. */
export function PaperPage({
  ctx,
  coverage,
  names,
}: {
  ctx: PageContext;
  coverage: PaperCoverage[];
  names: ReadonlyMap<string, string>;
}) {
  const { paper } = coverage[0]!;
  return (
    <Layout ctx={ctx} heading={pageText(paper.title, 300)}>
      {paper.authors && paper.authors.length > 0 && <p class="authors">{pageText(paper.authors.join(', '), 500)}</p>}
      <p>
        <OutLink href={paper.url}>
          {paper.ref && paper.ref.kind !== 'url'
            ? `${SOURCE_NAMES[paper.ref.kind]}: ${pageText(paper.ref.id, 200)}`
            : 'The paper'}
        </OutLink>
      </p>
      <h2>
        Covered in {coverage.length} session{coverage.length === 1 ? '' : 's'}
      </h2>
      <ul class="coverage">
        {coverage.map(({ recap, paper: entry }) => {
          const answered = recap.answered.filter((q) => q.paperId === entry.id).length;
          const highlights = recap.highlights.filter((n) => n.paperId === entry.id).length;
          const presenter = entry.presenterId && pageText(nameOf(names, entry.presenterId), 100);
          return (
            <li key={recap.sessionId}>
              <a href={ctx.links.session(recap.sessionId)}>
                <Time ms={recap.startedAt} zone={ctx.timeZone} style="date" />
              </a>
              {presenter && `, presented by ${presenter}`}: {counted(answered, 'question')} answered,{' '}
              {counted(highlights, 'highlight')}
            </li>
          );
        })}
      </ul>
    </Layout>
  );
}
