import {
  ApplicationCommandType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { MAX_QUESTION } from '../src/domain/session/session.js';
import { requireText } from '../src/domain/text.js';
import type { Command } from '../src/discord/command.js';

/** Message menu → Apps → "Log as question" (anyone): the message becomes a question asked by its author. */
export default {
  data: new ContextMenuCommandBuilder()
    .setName('Log as question')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  preconditions: { liveSession: true, rateLimit: { limit: 5, windowSeconds: 60 } },
  async execute(ctx) {
    const target = ctx.interaction.targetMessage;
    if (target.author.bot)
      throw new UserError('question-from-bot', "That message is from a bot; log a member's message.");
    const text = requireText(target.content, 'message', MAX_QUESTION);
    const asked = await ctx.services.questions.ask(ctx.guildId, ctx.session!.id, {
      text,
      anonymous: false,
      askerId: target.author.id,
      askedAt: ctx.services.now(),
    });
    ctx.afterReply(() => ctx.services.questions.asked(ctx.guildId, asked));
    await ctx.reply(`Logged as a question from <@${target.author.id}>.`);
  },
} satisfies Command<MessageContextMenuCommandInteraction>;
