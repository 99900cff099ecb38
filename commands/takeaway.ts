import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { MAX_HIGHLIGHT } from '../src/domain/session/session.js';
import type { Command } from '../src/discord/command.js';
import { saveNote } from '../src/discord/notes.js';

export default {
  data: new SlashCommandBuilder()
    .setName('takeaway')
    .setDescription('Record a key takeaway of the session (hosts)')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) =>
      o.setName('text').setDescription('The takeaway').setRequired(true).setMaxLength(MAX_HIGHLIGHT),
    )
    .toJSON(),
  preconditions: { hostOnly: true, liveSession: true },
  execute: (ctx) => saveNote(ctx, 'takeaway', ctx.interaction.options.getString('text', true)),
} satisfies Command;
