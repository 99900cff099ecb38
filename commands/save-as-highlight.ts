import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { saveNote } from '../src/discord/notes.js';

/** Message menu → Apps → "Save as highlight" (hosts): the message's text becomes a highlight. */
export default {
  data: new ContextMenuCommandBuilder()
    .setName('Save as highlight')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  preconditions: { hostOnly: true, liveSession: true },
  execute: (ctx) => saveNote(ctx, 'highlight', ctx.interaction.targetMessage.content),
} satisfies Command<MessageContextMenuCommandInteraction>;
