import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import type { Command } from '../src/discord/command.js';
import { callFirstEarly, calledFirst, callUp, stepDown } from '../src/discord/stage.js';
import { boundedList, safeText } from '../src/discord/render/text.js';
import type { CallFirstResult } from '../src/store/session-store.js';

const data = new SlashCommandBuilder()
  .setName('speakers')
  .setDescription('The speaker queue')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) => s.setName('list').setDescription('Who has a hand up, and who is speaking'))
  .addSubcommand((s) => s.setName('next').setDescription('Invite the first raised hand to speak (hosts)'))
  .addSubcommand((s) =>
    s
      .setName('call')
      .setDescription('Invite a member to speak (hosts)')
      .addUserOption((o) => o.setName('user').setDescription('Who').setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName('done')
      .setDescription('Send a speaker back to the audience (hosts)')
      .addUserOption((o) => o.setName('user').setDescription('Who (default: the only speaker)')),
  )
  .addSubcommand((s) => s.setName('clear').setDescription('Lower every raised hand (hosts)'));

export default {
  data: data.toJSON(),
  preconditions: { hostOnly: ['next', 'call', 'done', 'clear'], liveSession: true },
  // The first raised hand is called in the router's round trip; the script checks host, session and channel itself.
  early: (ctx) => (ctx.interaction.options.getSubcommand() === 'next' ? callFirstEarly(ctx) : undefined),
  async execute(ctx) {
    const session = ctx.session!;
    const { options } = ctx.interaction;
    switch (options.getSubcommand()) {
      case 'list': {
        const { queue, onStage } = await ctx.services.sessions.speakers(ctx.guildId, session.id);
        const hands =
          boundedList(
            queue.map((s, i) => `${i + 1}. <@${s.userId}>${s.topic ? ` · ${safeText(s.topic, 80)}` : ''}`),
            4000,
          ) || 'No hands up.';
        const speaking =
          boundedList(
            onStage.map((id) => `<@${id}>`),
            1024,
            ', ',
          ) || 'nobody';
        return ctx.reply({
          embeds: [
            {
              title: 'Speakers',
              description: `**Raised hands**\n${hands}`.slice(0, 4096),
              fields: [{ name: 'Speaking', value: speaking }],
            },
          ],
        });
      }
      case 'next':
        return calledFirst(ctx, ctx.early!);
      case 'call': {
        const user = options.getUser('user', true);
        if (user.bot) throw new UserError('speaker-bot', 'Bots do not take the stage.');
        return callUp(ctx, user.id, false);
      }
      case 'done': {
        const named = options.getUser('user')?.id;
        const { onStage } = await ctx.services.sessions.speakers(ctx.guildId, session.id);
        if (!named && onStage.length !== 1)
          throw new UserError(
            'done-who',
            onStage.length === 0
              ? 'Nobody is speaking.'
              : 'More than one member is speaking: name the one who is done.',
          );
        return stepDown(ctx, named ?? onStage[0]!);
      }
      case 'clear': {
        const cleared = await ctx.services.sessions.clearHands(ctx.guildId, session.id, ctx.services.now());
        ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, session.id));
        return ctx.reply(
          cleared > 0 ? `Lowered ${cleared} raised hand${cleared === 1 ? '' : 's'}.` : 'No hands were up.',
        );
      }
    }
  },
} satisfies Command<ChatInputCommandInteraction, CallFirstResult | undefined>;
