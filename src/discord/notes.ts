import type { ChatInputCommandInteraction, MessageContextMenuCommandInteraction } from 'discord.js';
import { paperLabel } from '../domain/papers/paper.js';
import { MAX_HIGHLIGHT } from '../domain/session/session.js';
import { requireText } from '../domain/text.js';
import type { HandlerContext } from './command.js';
import { safeText } from './render/text.js';

export async function saveNote(
  ctx: HandlerContext<ChatInputCommandInteraction | MessageContextMenuCommandInteraction>,
  kind: 'highlight' | 'takeaway',
  raw: string,
) {
  const text = safeText(requireText(raw, kind, MAX_HIGHLIGHT), MAX_HIGHLIGHT + 50);
  const paper = await ctx.services.live.note(
    ctx.guildId,
    ctx.session!,
    kind,
    text,
    ctx.interaction.user.id,
    ctx.services.now(),
  );
  const on = paper ? ` on **${safeText(paperLabel(paper), 120)}**` : '';
  await ctx.reply(`${kind === 'highlight' ? 'Highlight' : 'Takeaway'} saved${on}.`);
}
