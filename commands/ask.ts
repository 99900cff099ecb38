import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { MAX_QUESTION } from '../src/domain/session/session.js';
import { requireText } from '../src/domain/text.js';
import type { Command, ComponentHandler } from '../src/discord/command.js';
import type { LiveService } from '../src/sessions/live-service.js';
import type { SessionStore } from '../src/store/session-store.js';

const upvote: ComponentHandler<Awaited<ReturnType<SessionStore['vote']>>> = {
  // The vote script checks for itself that the question's session is still live.
  early: (ctx, [questionId]) => ctx.services.sessions.vote(ctx.guildId, questionId ?? '', ctx.interaction.user.id),
  async run(ctx, [questionId]) {
    const { outcome, votes, sessionId, cardDirty, boardDirty } = ctx.early;
    if (outcome === 'ended') throw new UserError('session-ended', 'This session has ended; its questions are closed.');
    if (outcome === 'missing') throw new UserError('question-missing', 'That question is no longer there.');
    // In a burst, only the first vote queues the card and board edits; the rest ride along with them.
    if (cardDirty) ctx.afterReply(() => ctx.services.live.questionChanged(ctx.guildId, questionId!));
    if (boardDirty) ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, sessionId));
    await ctx.reply(
      outcome === 'added'
        ? `Upvoted: ${votes} vote${votes === 1 ? '' : 's'}. Press again to take it back.`
        : `Vote taken back: ${votes} vote${votes === 1 ? '' : 's'}.`,
    );
  },
};

export default {
  data: new SlashCommandBuilder()
    .setName('ask')
    .setDescription('Ask a question about the paper being presented')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) =>
      o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(MAX_QUESTION),
    )
    .addBooleanOption((o) => o.setName('anonymous').setDescription('Hide your name everywhere'))
    .toJSON(),
  // No liveSession precondition: the ask script checks the session itself, and counts the member's use, in
  // the one round trip the router makes for its settings read; it answers as the precondition would.
  preconditions: { rateLimit: { limit: 5, windowSeconds: 60, counted: 'early' } },
  early(ctx) {
    const text = requireText(ctx.interaction.options.getString('question', true), 'question', MAX_QUESTION);
    const anonymous = ctx.interaction.options.getBoolean('anonymous') ?? false;
    return ctx.services.live.ask(
      ctx.guildId,
      {
        text,
        anonymous,
        askedAt: ctx.services.now(),
        ...(anonymous ? {} : { askerId: ctx.interaction.user.id }),
      },
      ctx.rateLimit,
    );
  },
  async execute(ctx) {
    const { question, threadId: thread } = ctx.early;
    ctx.afterReply(() => ctx.services.live.questionAsked(ctx.guildId, ctx.early));
    await ctx.reply(
      `Question logged${question.anonymous ? ' anonymously (your name is stored nowhere)' : ''}.${thread ? ` Its card is in <#${thread}>, where others can upvote it.` : ''} (id \`${question.id}\`)`,
    );
  },
  components: { upvote },
} satisfies Command<ChatInputCommandInteraction, Awaited<ReturnType<LiveService['ask']>>>;
