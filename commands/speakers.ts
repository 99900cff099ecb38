import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import type { Command } from '../src/discord/command.js';
import { callNext, callUp, stepDown } from '../src/discord/stage.js';
import { boundedList, safeText } from '../src/discord/render/text.js';

/** Raised hands and speakers /speakers list names; the rest are counted. */
const LIST_LIMIT = 100;

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
  async execute(ctx) {
    const session = ctx.session!;
    const { options } = ctx.interaction;
    switch (options.getSubcommand()) {
      case 'list': {
        const {
          queue,
          onStage,
          handsUp,
          speaking: speakingCount,
        } = await ctx.services.speakers.speakers(ctx.guildId, session.id, LIST_LIMIT);
        const hands =
          boundedList(
            queue.map((s, i) => `${i + 1}. <@${s.userId}>${s.topic ? ` · ${safeText(s.topic, 80)}` : ''}`),
            4000,
            '\n',
            handsUp,
          ) || 'No hands up.';
        const speaking =
          boundedList(
            onStage.map((id) => `<@${id}>`),
            1024,
            ', ',
            speakingCount,
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
        return callNext(ctx);
      case 'call': {
        const user = options.getUser('user', true);
        if (user.bot) throw new UserError('speaker-bot', 'Bots do not take the stage.');
        return callUp(ctx, user.id);
      }
      case 'done': {
        const named = options.getUser('user')?.id;
        const { onStage, speaking } = await ctx.services.speakers.speakers(ctx.guildId, session.id, 2);
        if (!named && speaking !== 1)
          throw new UserError(
            'done-who',
            speaking === 0 ? 'Nobody is speaking.' : 'More than one member is speaking: name the one who is done.',
          );
        return stepDown(ctx, named ?? onStage[0]!);
      }
      case 'clear': {
        const cleared = await ctx.services.speakers.clear(ctx.guildId, session.id, ctx.services.now());
        ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, session.id));
        return ctx.reply(
          cleared > 0 ? `Lowered ${cleared} raised hand${cleared === 1 ? '' : 's'}.` : 'No hands were up.',
        );
      }
    }
  },
} satisfies Command;
