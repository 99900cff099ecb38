import { matchesQuery } from '../domain/papers/paper.js';
import { customId, type Ctx } from './command.js';
import { pageButtons, paginate } from './render/pages.js';
import { historyLine, queueLine } from './render/paper.js';
import { safeText } from './render/text.js';

export type { Ctx } from './command.js';

// Lines are at most ~400 characters: a page fits an embed.
const QUEUE_PAGE = 10;

export async function list(ctx: Ctx, page: number) {
  const read = (n: number) => ctx.services.papers.queuePage(ctx.guildId, n * QUEUE_PAGE, QUEUE_PAGE);
  let shown = Math.max(page, 0);
  const { papers: first, total, order } = await read(shown);
  if (total === 0) return ctx.reply('The queue is empty. Suggest a paper with `/paper add`.');
  const pageCount = Math.ceil(total / QUEUE_PAGE);
  // A page button pressed after the queue shrank: show its last page.
  const papers = first.length > 0 ? first : (await read((shown = pageCount - 1))).papers;
  return ctx.update({
    embeds: [
      {
        title: `Paper queue (${total}) · ${order === 'votes' ? 'most voted first' : "in the hosts' order"}`,
        description: papers.map((p, i) => queueLine(p, shown * QUEUE_PAGE + i + 1)).join('\n'),
      },
    ],
    components: pageButtons(shown, pageCount, (n) => customId('paper', 'list', n)),
  });
}

export async function history(ctx: Ctx, page: number, query: string) {
  const covered = (await ctx.services.papers.history(ctx.guildId)).filter((p) =>
    matchesQuery(p, query, p.presenterName),
  );
  if (covered.length === 0)
    return ctx.reply(query ? `No covered paper matches ${safeText(query, 100)}.` : 'No paper has been covered yet.');
  const archive = ctx.services.archive.link(ctx.settings);
  const pages = paginate(
    covered.map((paper) => historyLine(paper, archive && `${archive}papers/${encodeURIComponent(paper.id)}`)),
    3_800,
    10,
  );
  const shown = Math.min(Math.max(page, 0), pages.length - 1);
  return ctx.update({
    embeds: [
      {
        title: query ? `Papers covered matching “${safeText(query, 100)}”` : 'Papers covered',
        description: pages[shown]!.join('\n'),
      },
    ],
    components: pageButtons(shown, pages.length, (n) => customId('paper', 'history', n, query.slice(0, 60))),
  });
}
