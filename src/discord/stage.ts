import {
  Routes,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { UserError } from '../domain/errors.js';
import type { CallFirstResult } from '../store/session-store.js';
import type { EarlyContext, HandlerContext } from './command.js';
import { describeError } from './error-reply.js';

type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

const noStage = () => new UserError('no-stage', 'No stage or voice channel is set yet: a host runs /setup channels.');
const speakerTaken = () =>
  new UserError('speaker-taken', 'Another host just called the next speaker. /speakers list shows the queue now.');

function stageOf(ctx: Ctx): string {
  const stageId = ctx.settings.stageChannelId;
  if (!stageId) throw noStage();
  return stageId;
}

/** Moves a member between speakers and audience on a Stage; a plain voice channel needs nothing. Runs after the reply. */
async function setSuppressed(ctx: Ctx, userId: string, suppress: boolean): Promise<void> {
  if (ctx.settings.stageKind !== 'stage') return;
  try {
    await ctx.interaction.client.rest.patch(Routes.guildVoiceState(ctx.guildId, userId), {
      body: { channel_id: stageOf(ctx), suppress },
    });
  } catch (error) {
    await ctx.reply(
      `I could not ${suppress ? 'move' : 'invite'} <@${userId}>: ${describeError(error, ctx.services.logger, { action: 'stage' })}`,
    );
  }
}

/**
 * Calls a member up to speak. In the channel: taken off the queue and invited
 * (un-suppressed on a Stage). Not in the channel: they keep their place, the
 * host is told, and the member gets a DM with a link. The reply never waits
 * on Discord; the invitation follows it.
 */
export async function callUp(ctx: Ctx, userId: string, mustBeFirst: boolean): Promise<void> {
  const stageId = stageOf(ctx);
  const session = ctx.session!;
  const state = ctx.interaction.guild?.voiceStates.cache.get(userId);
  if (state?.channelId !== stageId) return notInChannel(ctx, userId, stageId);
  const { outcome, boardDirty } = await ctx.services.sessions.callSpeaker(
    ctx.guildId,
    session.id,
    userId,
    ctx.interaction.user.id,
    ctx.services.now(),
    mustBeFirst,
  );
  if (outcome === 'not-first') throw speakerTaken();
  if (outcome === 'not-live') throw new UserError('session-ended', 'This session has ended.');
  return invited(ctx, userId, boardDirty);
}

/**
 * /speakers next and the board's "Call next speaker", sent as early work: the
 * first raised hand is called in the same round trip as the router's reads.
 * The script checks the host role, the session (the board's own, for the
 * button), and the stage channel against the voice presence mirror.
 */
export function callFirstEarly(
  ctx: EarlyContext<ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction>,
  sessionId?: string,
): Promise<CallFirstResult> {
  return ctx.services.sessions.callFirst(ctx.guildId, {
    standing: ctx.standing,
    by: ctx.interaction.user.id,
    at: ctx.services.now(),
    ...(sessionId ? { sessionId } : {}),
  });
}

/** Answers /speakers next or "Call next speaker" from what callFirstEarly did. */
export async function calledFirst(ctx: Ctx, { outcome, userId, boardDirty }: CallFirstResult): Promise<void> {
  switch (outcome) {
    case 'not-host':
      throw new UserError('not-host', 'Only hosts can do that.');
    case 'not-live':
      throw new UserError('session-ended', 'This session has ended.');
    case 'no-stage':
      throw noStage();
    case 'empty':
      throw new UserError('queue-empty', 'Nobody has a hand up.');
    case 'just-called':
      throw speakerTaken();
    case 'absent': {
      // The mirror is written after this process's cache: if the cache already has them in the channel,
      // the mirror is behind (a write that failed). Put it right and call them the long way.
      const stageId = stageOf(ctx);
      if (ctx.interaction.guild?.voiceStates.cache.get(userId)?.channelId !== stageId)
        return notInChannel(ctx, userId, stageId);
      await ctx.services.presence.moved(ctx.guildId, userId, stageId);
      return callUp(ctx, userId, true);
    }
    case 'called':
      return invited(ctx, userId, boardDirty);
  }
}

async function notInChannel(ctx: Ctx, userId: string, stageId: string): Promise<void> {
  ctx.afterReply(() => ctx.services.jobs.enqueue('member.dm', { guildId: ctx.guildId, userId, channelId: stageId }));
  await ctx.reply(
    `<@${userId}> is not in <#${stageId}>. They keep their place in the queue, and I sent them a DM with a link to join.`,
  );
}

async function invited(ctx: Ctx, userId: string, boardDirty: boolean): Promise<void> {
  if (boardDirty) ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, ctx.session!.id));
  await ctx.reply(`<@${userId}> is invited to speak.`);
  await setSuppressed(ctx, userId, false);
}

/** Sends a speaker back to the audience. */
export async function stepDown(ctx: Ctx, userId: string): Promise<void> {
  const outcome = await ctx.services.sessions.speakerDone(ctx.guildId, ctx.session!.id, userId, ctx.services.now());
  if (outcome === 'not-on-stage') throw new UserError('not-on-stage', `<@${userId}> is not speaking right now.`);
  ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, ctx.session!.id));
  await ctx.reply(`<@${userId}> is back in the audience. Thanks!`);
  if (ctx.interaction.guild?.voiceStates.cache.get(userId)?.channelId === ctx.settings.stageChannelId)
    await setSuppressed(ctx, userId, true);
}
