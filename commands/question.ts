import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { UserError, quoteInput } from '../src/domain/errors.js';
import { MAX_ANSWER } from '../src/domain/session/session.js';
import { requireText } from '../src/domain/text.js';
import { cleanText } from '../src/domain/papers/metadata.js';
import type { Command, HandlerContext } from '../src/discord/command.js';
import { boundedList, safeText } from '../src/discord/render/text.js';
import type { ChatInputCommandInteraction } from 'discord.js';

const data = new SlashCommandBuilder()
  .setName('question')
  .setDescription('Questions of the live session')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('answer')
      .setDescription('Record the answer to a question (hosts)')
      .addStringOption((o) =>
        o.setName('question').setDescription('The question').setRequired(true).setAutocomplete(true).setMaxLength(200),
      )
      .addStringOption((o) =>
        o.setName('answer').setDescription('The answer').setRequired(true).setMaxLength(MAX_ANSWER),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('dismiss')
      .setDescription('Dismiss a question (hosts)')
      .addStringOption((o) =>
        o.setName('question').setDescription('The question').setRequired(true).setAutocomplete(true).setMaxLength(200),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('list')
      .setDescription('Questions of the session')
      .addStringOption((o) =>
        o
          .setName('status')
          .setDescription('Which ones')
          .addChoices(
            { name: 'open', value: 'open' },
            { name: 'answered', value: 'answered' },
            { name: 'all', value: 'all' },
          ),
      ),
  );

/** Questions /question list names; the rest are counted. */
const LIST_LIMIT = 25;
/** Autocomplete offers this many (Discord allows 25): the most upvoted matches; typing more narrows them. */
export const QUESTION_CHOICES = 10;

/** An autocomplete value is a question id; typed text matches one open question of this session by its words. */
async function findQuestion(ctx: HandlerContext<ChatInputCommandInteraction>, value: string) {
  const sessionId = ctx.session!.id;
  const byId = await ctx.services.questions.question(ctx.guildId, value);
  if (byId?.sessionId === sessionId) return byId;
  const typed = value.trim();
  const matches = typed.length >= 3 ? await ctx.services.questions.search(ctx.guildId, sessionId, typed, 2) : [];
  if (matches.length !== 1)
    throw new UserError(
      'question-unknown',
      matches.length === 0
        ? `No question of this session matches ${quoteInput(value)}.`
        : `${quoteInput(value)} matches more than one question; pick one from the list as you type.`,
    );
  return matches[0]!;
}

export default {
  data: data.toJSON(),
  preconditions: { hostOnly: ['answer', 'dismiss'], liveSession: true },
  async execute(ctx) {
    const { options } = ctx.interaction;
    const sub = options.getSubcommand();
    if (sub === 'list') {
      const status = options.getString('status') ?? 'open';
      const { questions, total } = await ctx.services.questions.top(
        ctx.guildId,
        ctx.session!.id,
        status as 'open' | 'answered' | 'all',
        LIST_LIMIT,
      );
      const lines = questions.map(
        (q) =>
          `▲ ${q.votes} · ${safeText(q.text, 150)}${q.askerId ? ` · <@${q.askerId}>` : ' · anonymous'}` +
          (q.early ? ' · asked before the session' : '') +
          (q.status !== 'open' ? ` · ${q.status}` : ''),
      );
      return ctx.reply(
        lines.length > 0
          ? { embeds: [{ title: `Questions (${status})`, description: boundedList(lines, 4000, '\n', total) }] }
          : `No ${status === 'all' ? '' : `${status} `}questions yet.`,
      );
    }
    const question = await findQuestion(ctx, options.getString('question', true));
    const answer = sub === 'answer' ? requireText(options.getString('answer', true), 'answer', MAX_ANSWER) : undefined;
    const outcome = await ctx.services.questions.resolve(
      ctx.guildId,
      question.id,
      sub === 'answer' ? 'answered' : 'dismissed',
      ctx.services.now(),
      answer,
    );
    if (outcome === 'answered' || outcome === 'dismissed')
      throw new UserError('question-resolved', `That question was already ${outcome}.`);
    if (outcome !== 'ok') throw new UserError('question-unknown', 'That question is no longer there.');
    ctx.afterReply(() => ctx.services.questions.resolved(ctx.guildId, question, ctx.session!.id));
    await ctx.reply(`${sub === 'answer' ? 'Answer recorded' : 'Dismissed'}: “${safeText(question.text, 150)}”.`);
  },
  async autocomplete(ctx) {
    if (!ctx.session) return [];
    const typed = String(ctx.interaction.options.getFocused());
    const choices = await ctx.services.questions.choices(ctx.guildId, ctx.session.id, typed, QUESTION_CHOICES);
    return choices.map((q) => ({ name: cleanText(q.text, 100), value: q.id }));
  },
} satisfies Command;
