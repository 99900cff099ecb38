import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { noLiveSession, UserError } from '../src/domain/errors.js';
import { paperLabel, type Paper } from '../src/domain/papers/paper.js';
import { safeText } from '../src/discord/render/text.js';
import { MAX_QUESTION } from '../src/domain/session/session.js';
import { requireText } from '../src/domain/text.js';
import type { Command, ComponentHandler, HandlerContext } from '../src/discord/command.js';

const upvote: ComponentHandler = {
  // Not liveSession: the vote script checks that the question's own session is still live. The live session read
  // with the settings saves the vote a read of the question's session.
  preconditions: { readsSession: true },
  async run(ctx, [questionId = '']) {
    const voted = await ctx.services.questions.vote(ctx.guildId, questionId, ctx.interaction.user.id, ctx.session?.id);
    const { outcome, votes } = voted;
    if (outcome === 'ended') throw new UserError('session-ended', 'This session has ended; its questions are closed.');
    if (outcome === 'missing') throw new UserError('question-missing', 'That question is no longer there.');
    // In a burst, only the first vote queues the card and board edits; the rest ride along with them.
    ctx.afterReply(() => ctx.services.questions.voted(ctx.guildId, questionId, voted));
    await ctx.reply(
      outcome === 'added'
        ? `Upvoted: ${votes} vote${votes === 1 ? '' : 's'}. Press again to take it back.`
        : `Vote taken back: ${votes} vote${votes === 1 ? '' : 's'}.`,
    );
  },
};

/** A queued paper's thread: before the session, or (a paper not on yet) during it, the question waits for it. */
async function threadPaper(ctx: HandlerContext<ChatInputCommandInteraction>) {
  const { channelId, channel } = ctx.interaction;
  // During a session only a thread other than the session's own can be a paper's: no read for the usual /ask.
  if (ctx.session && (!channel?.isThread() || channelId === ctx.session.board?.threadId)) return undefined;
  const paper = await ctx.services.papers.paperOfThread(ctx.guildId, channelId);
  return paper?.status === 'queued' ? paper : undefined;
}

async function askEarly(
  ctx: HandlerContext<ChatInputCommandInteraction>,
  paper: Paper,
  text: string,
  anonymous: boolean,
) {
  const id = await ctx.services.papers.askEarly(ctx.guildId, paper.id, {
    text,
    anonymous,
    askedAt: ctx.services.now(),
    ...(anonymous ? {} : { askerId: ctx.interaction.user.id }),
  });
  const how = anonymous ? ' anonymously (your name is stored nowhere)' : '';
  const when = ctx.session ? 'before its turn' : 'before the session';
  await ctx.reply(
    `Question logged${how} for **${safeText(paperLabel(paper), 200)}**, asked ${when}: it comes up, ` +
      `with the session's questions, when this paper is presented. (id \`${id}\`)`,
  );
}

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
  // Not liveSession: before a session, /ask in a paper's thread keeps the question for that paper.
  preconditions: { readsSession: true, rateLimit: { limit: 5, windowSeconds: 60 } },
  async execute(ctx) {
    const text = requireText(ctx.interaction.options.getString('question', true), 'question', MAX_QUESTION);
    const anonymous = ctx.interaction.options.getBoolean('anonymous') ?? false;
    const paper = await threadPaper(ctx);
    if (paper) return askEarly(ctx, paper, text, anonymous);
    if (!ctx.session) throw noLiveSession();
    const asked = await ctx.services.questions.ask(ctx.guildId, ctx.session.id, {
      text,
      anonymous,
      askedAt: ctx.services.now(),
      ...(anonymous ? {} : { askerId: ctx.interaction.user.id }),
    });
    const { question, threadId: thread } = asked;
    ctx.afterReply(() => ctx.services.questions.asked(ctx.guildId, asked));
    const how = question.anonymous ? ' anonymously (your name is stored nowhere)' : '';
    const where = thread ? ` Its card is in <#${thread}>, where others can upvote it.` : '';
    await ctx.reply(`Question logged${how}.${where} (id \`${question.id}\`)`);
  },
  components: { upvote },
} satisfies Command;
