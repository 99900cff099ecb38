import {
  InteractionContextType,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { customId, type Command, type HandlerContext } from '../src/discord/command.js';
import { pageButtons } from '../src/discord/render/pages.js';
import { discordStyle, recapLines } from '../src/recap/render.js';
import { splitIntoMessages } from '../src/recap/split.js';

type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

const data = new SlashCommandBuilder()
  .setName('recap')
  .setDescription('Recaps of past sessions')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('show')
      .setDescription('Read a recap (only you see it)')
      .addStringOption((o) =>
        o
          .setName('date')
          .setDescription('Session date, YYYY-MM-DD (default: the last one)')
          .setMinLength(10)
          .setMaxLength(10),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('post')
      .setDescription('Post a recap in the recap channel again (hosts)')
      .addStringOption((o) =>
        o
          .setName('date')
          .setDescription('Session date, YYYY-MM-DD (default: the last one)')
          .setMinLength(10)
          .setMaxLength(10),
      ),
  );

async function show(ctx: Ctx, sessionId: string, page: number): Promise<void> {
  const recap = await ctx.services.recaps.recap(ctx.guildId, sessionId);
  if (!recap) throw new UserError('recap-pending', 'That recap is still being compiled; try again in a few seconds.');
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: ctx.settings.timeZone ?? 'UTC', dateStyle: 'full' }).format(
    recap.startedAt,
  );
  const web = ctx.services.archive.sessionLink(ctx.settings, sessionId);
  const lines = recapLines(recap, discordStyle(), `Recap: session of ${day}`, web && `<${web}>`, false);
  if (recap.transcript) lines.push('What was said, line by line: `/transcript show`.');
  const parts = splitIntoMessages(lines);
  const shown = Math.min(Math.max(page, 0), parts.length - 1);
  const payload = {
    content: parts[shown]!,
    components: pageButtons(shown, parts.length, (n) => customId('recap', 'page', sessionId, n)),
  };
  return ctx.update(payload);
}

export default {
  data: data.toJSON(),
  preconditions: { hostOnly: ['post'] },
  async execute(ctx) {
    const date = ctx.interaction.options.getString('date');
    const session = await ctx.services.recaps.endedOn(ctx.guildId, date, ctx.settings.timeZone);
    if (ctx.interaction.options.getSubcommand() === 'show') return show(ctx, session.id, 0);
    if (!ctx.settings.recapChannelId)
      throw new UserError('no-recap-channel', 'No recap channel is set: run /setup channels first.');
    await ctx.services.recaps.repost(ctx.guildId, session.id);
    await ctx.reply(`Posting the recap again in <#${ctx.settings.recapChannelId}>.`);
  },
  components: {
    page: { run: (ctx, [sessionId, page]) => show(ctx as Ctx, sessionId ?? '', Number(page)) },
  },
} satisfies Command;
