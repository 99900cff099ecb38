import { ButtonStyle, ComponentType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { MAX_TOPIC } from '../src/domain/session/session.js';
import { requireText } from '../src/domain/text.js';
import { customId, type Command } from '../src/discord/command.js';

const lowerButton = (sessionId: string) => [
  {
    type: ComponentType.ActionRow as const,
    components: [
      {
        type: ComponentType.Button as const,
        style: ButtonStyle.Secondary as const,
        label: 'Lower hand',
        custom_id: customId('speak', 'lower', sessionId),
      },
    ],
  },
];

export default {
  data: new SlashCommandBuilder()
    .setName('speak')
    .setDescription('Raise your hand to speak in the session')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) => o.setName('topic').setDescription('What you want to say, briefly').setMaxLength(MAX_TOPIC))
    .toJSON(),
  preconditions: { liveSession: true, rateLimit: { limit: 5, windowSeconds: 60 } },
  async execute(ctx) {
    const session = ctx.session!;
    const rawTopic = ctx.interaction.options.getString('topic');
    const topic = rawTopic === null ? undefined : requireText(rawTopic, 'topic', MAX_TOPIC);
    const { outcome, position } = await ctx.services.speakers.raise(
      ctx.guildId,
      session.id,
      ctx.interaction.user.id,
      topic,
      'command',
      ctx.services.now(),
    );
    if (outcome === 'on-stage') throw new UserError('already-speaking', 'You are on stage already: go ahead!');
    if (outcome === 'not-live') throw new UserError('session-ended', 'This session has ended.');
    if (outcome === 'raised') ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, session.id));
    const text =
      outcome === 'raised'
        ? `Your hand is up: you are number ${position} in line.`
        : `Your hand is already up: you are number ${position} in line.`;
    await ctx.reply({ content: text, components: lowerButton(session.id) });
  },
  components: {
    lower: {
      preconditions: { liveSession: true },
      async run(ctx, [sessionId]) {
        if (ctx.session!.id !== sessionId) throw new UserError('session-ended', 'That session has ended.');
        const outcome = await ctx.services.speakers.lower(
          ctx.guildId,
          sessionId,
          ctx.interaction.user.id,
          ctx.services.now(),
        );
        if (outcome === 'lowered') ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, sessionId));
        await ctx.update({
          content: outcome === 'lowered' ? 'Hand lowered.' : 'Your hand was not up.',
          components: [],
        });
      },
    },
  },
} satisfies Command;
