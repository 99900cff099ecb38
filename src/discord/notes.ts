import type { ChatInputCommandInteraction, MessageContextMenuCommandInteraction } from 'discord.js';
import { paperLabel } from '../domain/papers/paper.js';
import { MAX_HIGHLIGHT } from '../domain/session/session.js';
import { requireText } from '../domain/text.js';
import type { HandlerContext } from './command.js';
import { safeText } from './render/text.js';

/** /highlight, /takeaway and "Save as highlight": the note, tied to the current paper and this moment. */
export async function saveNote(
  ctx: HandlerContext<ChatInputCommandInteraction | MessageContextMenuCommandInteraction>,
  kind: 'highlight' | 'takeaway',
  raw: string,
): Promise<void> {
  const text = requireText(raw, kind, MAX_HIGHLIGHT);
  const paper = await ctx.services.live.note(
    ctx.guildId,
    ctx.session!,
    kind,
    safeText(text, MAX_HIGHLIGHT + 50),
    ctx.interaction.user.id,
    ctx.services.now(),
  );
  const label = kind === 'highlight' ? 'Highlight' : 'Takeaway';
  const on = paper ? ` on **${safeText(paperLabel(paper), 120)}**` : '';
  await ctx.reply(`${label} saved${on}.`);
}
