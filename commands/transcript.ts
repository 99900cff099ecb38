import {
  InteractionContextType,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { customId, type Command, type HandlerContext } from '../src/discord/command.js';
import { pageButtons, paginate } from '../src/discord/render/pages.js';
import { transcriptLines } from '../src/discord/render/transcript.js';

type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

const data = new SlashCommandBuilder()
  .setName('transcript')
  .setDescription('Have what you say in sessions transcribed for the recap (opt-in)')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) => s.setName('join').setDescription('Opt in: what you say in sessions is transcribed'))
  .addSubcommand((s) =>
    s.setName('leave').setDescription('Opt out: you are no longer heard, and your lines not yet in a recap go'),
  )
  .addSubcommand((s) => s.setName('stop').setDescription('Stop transcribing this session (hosts)'))
  .addSubcommand((s) =>
    s
      .setName('show')
      .setDescription("Read a session's transcript (only you see it)")
      .addStringOption((o) =>
        o
          .setName('date')
          .setDescription('Session date, YYYY-MM-DD (default: the live or last one)')
          .setMinLength(10)
          .setMaxLength(10),
      ),
  );

async function join(ctx: Ctx) {
  const { joined } = await ctx.services.transcripts.join(ctx.guildId, ctx.interaction.user.id, ctx.services.now());
  await ctx.reply(
    joined
      ? 'You are opted in: from now on, what you say in sessions is transcribed with your name for the recap ' +
          '(the audio itself is never stored). `/transcript leave` stops it at any time.'
      : 'You were already opted in. `/transcript leave` stops it at any time.',
  );
}

/** The live session by default, else the last one; a date picks an ended one. */
async function sessionFor(ctx: Ctx, date: string | null) {
  if (date === null && ctx.session?.status === 'live') return ctx.session;
  return ctx.services.recaps.endedOn(ctx.guildId, date, ctx.settings.timeZone);
}

async function show(ctx: Ctx, sessionId: string, startedAt: number, page: number) {
  const entries = await ctx.services.transcripts.entries(ctx.guildId, sessionId);
  if (entries.length === 0)
    return ctx.update('That session has no transcript: nobody who opted in was heard, or it was not transcribed.');
  const titles = await ctx.services.papers.titles(ctx.guildId, entries);
  const pages = paginate(transcriptLines(entries, startedAt, titles), 1_900, 25);
  const shown = Math.min(Math.max(page, 0), pages.length - 1);
  return ctx.update({
    content: pages[shown]!.join('\n'),
    allowedMentions: { parse: [] },
    components: pageButtons(shown, pages.length, (n) => customId('transcript', 'page', sessionId, startedAt, n)),
  });
}

export default {
  data: data.toJSON(),
  preconditions: {
    hostOnly: ['stop'],
    liveSession: ['stop'],
    readsSession: ['show'],
    rateLimit: { limit: 10, windowSeconds: 60, subcommands: ['join', 'leave'] },
  },
  async execute(ctx) {
    switch (ctx.interaction.options.getSubcommand()) {
      case 'join':
        return join(ctx);
      case 'leave': {
        const { was, removed } = await ctx.services.transcripts.leave(ctx.guildId, ctx.interaction.user.id);
        return ctx.reply(
          was
            ? `You are opted out: nobody hears you from now on. ${removed} of your lines not yet in a recap ` +
                'were removed.'
            : 'You were not opted in: nothing of what you say is transcribed.',
        );
      }
      case 'stop':
        await ctx.services.transcripts.stop(ctx.guildId, ctx.session!, ctx.services.now());
        return ctx.reply({
          content: 'Transcript stopped for this session: nobody is heard any more.',
          ephemeral: false,
        });
      default: {
        const session = await sessionFor(ctx, ctx.interaction.options.getString('date'));
        return show(ctx, session.id, session.startedAt, 0);
      }
    }
  },
  components: {
    join: { run: (ctx) => join(ctx as Ctx) },
    page: {
      run: (ctx, [sessionId, startedAt, page]) => show(ctx as Ctx, sessionId ?? '', Number(startedAt), Number(page)),
    },
  },
} satisfies Command;
