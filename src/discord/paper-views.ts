import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';
import { matchesQuery } from '../domain/papers/paper.js';
import { customId, type HandlerContext } from './command.js';
import { pageButtons, paginate } from './render/pages.js';
import { historyLine, queueLine } from './render/paper.js';
import { safeText } from './render/text.js';

export type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

/** /paper list and its page buttons. */
export async function list(ctx: Ctx, page: number): Promise<void> {
  const queue = await ctx.services.papers.queue(ctx.guildId);
  if (queue.length === 0) return ctx.reply('The queue is empty. Suggest a paper with `/paper add`.');
  const pages = paginate(queue.map((p, i) => queueLine(p, i + 1)));
  const shown = Math.min(Math.max(page, 0), pages.length - 1);
  const payload = {
    embeds: [{ title: `Paper queue (${queue.length})`, description: pages[shown]!.join('\n') }],
    components: pageButtons(shown, pages.length, (n) => customId('paper', 'list', n)),
  };
  return ctx.update(payload);
}

export async function history(ctx: Ctx, page: number, query: string): Promise<void> {
  const covered = (await ctx.services.papers.history(ctx.guildId)).filter((p) =>
    matchesQuery(p, query, p.presenterName),
  );
  if (covered.length === 0)
    return ctx.reply(query ? `No covered paper matches ${safeText(query, 100)}.` : 'No paper has been covered yet.');
  const pages = paginate(covered.map(historyLine), 3_800, 10);
  const shown = Math.min(Math.max(page, 0), pages.length - 1);
  const payload = {
    embeds: [
      {
        title: query ? `Papers covered matching “${safeText(query, 100)}”` : 'Papers covered',
        description: pages[shown]!.join('\n'),
      },
    ],
    components: pageButtons(shown, pages.length, (n) => customId('paper', 'history', n, query.slice(0, 60))),
  };
  return ctx.update(payload);
}
