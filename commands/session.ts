import { talkLabel } from '../src/domain/recap/recap.js';
import {
  InteractionContextType,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { UserError, quoteInput } from '../src/domain/errors.js';
import { paperLabel } from '../src/domain/papers/paper.js';
import type { Command, ComponentHandler, HandlerContext } from '../src/discord/command.js';
import { callNext } from '../src/discord/stage.js';
import { boundedList, discordTime, safeText } from '../src/discord/render/text.js';

type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

const data = new SlashCommandBuilder()
  .setName('session')
  .setDescription('The live session')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) => s.setName('start').setDescription('Start the session now (hosts)'))
  .addSubcommand((s) =>
    s
      .setName('end')
      .setDescription('End the session; the recap follows (hosts)')
      .addStringOption((o) => o.setName('recording').setDescription('Link to the recording (https)').setMaxLength(500)),
  )
  .addSubcommand((s) => s.setName('status').setDescription('What is happening in the session'));

function recordingLink(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  try {
    const url = new URL(raw.trim());
    if (url.protocol === 'https:' && !url.username && !url.password) return url.toString();
  } catch {
    // fall through to the error below
  }
  throw new UserError('recording-invalid', `${quoteInput(raw)} is not an https link to the recording.`);
}

async function end(ctx: Ctx, recording?: string): Promise<void> {
  const at = ctx.services.now();
  // What the voice channel heard up to now is stored before the recap is compiled.
  await ctx.services.voice?.stop(ctx.guildId, at);
  const outcome = await ctx.services.live.end(ctx.guildId, ctx.session, ctx.interaction.user.id, at, recording);
  if (outcome === 'resumed')
    return ctx.reply('The last session had ended without its recap and next week: both are on their way now.');
  const recap = ctx.settings.recapChannelId
    ? ` The recap is on its way to <#${ctx.settings.recapChannelId}>.`
    : ' No recap channel is set, so the recap is kept but not posted (/recap show).';
  await ctx.reply(
    `Session ended. Covered papers moved to history; the rest stay queued, in order, for next time.${recap}`,
  );
}

async function status(ctx: Ctx): Promise<void> {
  // Side by side: one round trip to Redis for both (the connection pipelines what is sent together).
  const [read, transcript] = ctx.session
    ? await Promise.all([
        ctx.services.live.status(ctx.guildId, ctx.session.id),
        ctx.services.transcripts.status(ctx.guildId, ctx.session.id),
      ])
    : [];
  if (!read) return ctx.reply('No session is live right now.');
  const { session, paper, handsUp, onStage, speaking, asked, open, talk } = read;
  await ctx.reply({
    embeds: [
      {
        title: 'Session status',
        description: `Live since ${discordTime(session.startedAt, 't')} (${discordTime(session.startedAt, 'R')}).`,
        fields: [
          { name: 'Paper', value: paper ? safeText(paperLabel(paper), 200) : 'none started', inline: true },
          { name: 'Hands up', value: String(handsUp), inline: true },
          {
            name: 'Speaking',
            value:
              boundedList(
                onStage.map((id) => `<@${id}>`),
                1024,
                ', ',
                speaking,
              ) || 'nobody',
            inline: true,
          },
          { name: 'Questions', value: `${asked} asked, ${open} open`, inline: true },
          ...(talk.length > 0
            ? [
                {
                  name: 'Talk time (heard in the channel)',
                  value: boundedList(
                    talk.map((t) => `<@${t.userId}> ${talkLabel(t.totalMs)}`),
                    1024,
                    ', ',
                  ),
                },
              ]
            : []),
          ...(transcript ? [{ name: 'Transcribed', value: transcribedLabel(transcript) }] : []),
        ],
      },
    ],
  });
}

/** Who opted in, or that a host stopped it. */
function transcribedLabel({ stopped, members }: { stopped: boolean; members: string[] }) {
  if (stopped) return 'nobody: a host stopped the transcript';
  const list = boundedList(
    members.map((id) => `<@${id}>`),
    1024,
    ', ',
  );
  return list || 'nobody has opted in yet (/transcript join)';
}

/** Board buttons act only on the session they were posted for. */
function sameSession(ctx: Ctx, sessionId: string | undefined): void {
  if (ctx.session?.id !== sessionId)
    throw new UserError('session-ended', 'This session has ended; that button no longer does anything.');
}

/**
 * The board's "Call next speaker": /speakers next for the board's own
 * session, so a button of an ended session calls nobody.
 */
const nextSpeaker: ComponentHandler = {
  preconditions: { hostOnly: true, liveSession: true },
  async run(ctx, [sessionId]) {
    sameSession(ctx as Ctx, sessionId);
    await callNext(ctx as Ctx);
  },
};

export default {
  data: data.toJSON(),
  // `end` reads the live session without requiring one: run again after a crash, it completes the last end.
  preconditions: { hostOnly: ['start', 'end'], readsSession: ['end', 'status'] },
  async execute(ctx) {
    switch (ctx.interaction.options.getSubcommand()) {
      case 'start': {
        const sessionId = await ctx.services.live.start(ctx.guildId, ctx.interaction.user.id, ctx.services.now());
        const where = ctx.settings.announceChannelId
          ? `The live board is going up in <#${ctx.settings.announceChannelId}>.`
          : 'No announce channel is set, so there is no live board (hosts: /setup channels).';
        const voice = await ctx.services.voice?.start(ctx.guildId, sessionId);
        return ctx.reply(`Session started. ${where}${voice ? `\n${voice}` : ''}`);
      }
      case 'end':
        return end(ctx, recordingLink(ctx.interaction.options.getString('recording')));
      case 'status':
        return status(ctx);
    }
  },
  components: {
    'next-paper': {
      preconditions: { hostOnly: true, liveSession: true },
      async run(ctx, [sessionId]) {
        sameSession(ctx as Ctx, sessionId);
        const paper = await ctx.services.live.startPaper(
          ctx.guildId,
          ctx.session!,
          ctx.interaction.user.id,
          ctx.services.now(),
        );
        await ctx.reply(`Now presenting: **${safeText(paperLabel(paper), 200)}**.`);
      },
    },
    'next-speaker': nextSpeaker,
    end: {
      preconditions: { hostOnly: true, liveSession: true },
      async run(ctx, [sessionId]) {
        sameSession(ctx as Ctx, sessionId);
        await end(ctx as Ctx);
      },
    },
  },
} satisfies Command;
