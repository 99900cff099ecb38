import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';

/** Health check and the benchmark's baseline: answers without touching anything. */
export default {
  data: new SlashCommandBuilder().setName('ping').setDescription('Check that Lectern is answering').toJSON(),
  preconditions: { guildOnly: false },
  async execute(ctx) {
    await ctx.reply('Pong.');
  },
} satisfies Command;
