import { Routes, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { UserError } from '../domain/errors.js';
import type { CallFirstResult } from '../store/session-store.js';
import type { EarlyContext, HandlerContext } from './command.js';
import { describeError } from './error-reply.js';

type Ctx = HandlerContext<ChatInputCommandInteraction | ButtonInteraction>;

function stageOf(ctx: Ctx): string {
  const stageId = ctx.settings.stageChannelId;
  if (!stageId) throw new UserError('no-stage', 'No stage or voice channel is set yet: a host runs /setup channels.');
  return stageId;
}

/** Moves a member between speakers and audience on a Stage; a plain voice channel needs nothing. Runs after the reply. */
async function setSuppressed(ctx: Ctx, userId: string, suppress: boolean): Promise<void> {
  if (ctx.settings.stageKind !== 'stage') return;
  try {
    await ctx.interaction.client.rest.patch(Routes.guildVoiceState(ctx.guildId, userId), { body: { channel_id: stageOf(ctx), suppress } });
  } catch (error) {
    await ctx.reply(`I could not ${suppress ? 'move' : 'invite'} <@${userId}>: ${describeError(error, ctx.services.logger, { action: 'stage' })}`);
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
  const { outcome, boardDirty } = await ctx.services.sessions.callSpeaker(ctx.guildId, session.id, userId, ctx.interaction.user.id, ctx.services.now(), mustBeFirst);
  if (outcome === 'not-first') throw new UserError('speaker-taken', 'Another host just called the next speaker. /speakers list shows the queue now.');
  if (outcome === 'not-live') throw new UserError('session-ended', 'This session has ended.');
  return invited(ctx, userId, boardDirty);
}

/**
 * /speakers next, sent as early work: with the stage channel this process
 * last read and who is in it now, the first raised hand is called in the
 * same round trip as the router's reads. Undefined when the channel is not
 * known here yet; the command then goes the long way (callUp).
 */
export function callFirstEarly(ctx: EarlyContext<ChatInputCommandInteraction | ButtonInteraction>): Promise<CallFirstResult> | undefined {
  const stageId = ctx.services.settings.lastStage(ctx.guildId);
  if (!stageId) return undefined;
  const present: string[] = [];
  for (const state of ctx.interaction.guild?.voiceStates.cache.values() ?? []) if (state.channelId === stageId) present.push(state.id);
  return ctx.services.sessions.callFirst(ctx.guildId, { standing: ctx.standing, stageId, present, by: ctx.interaction.user.id, at: ctx.services.now() });
}

/** Answers /speakers next from what callFirstEarly did; false when it could not decide (the channel changed). */
export async function calledFirst(ctx: Ctx, { outcome, userId, boardDirty }: CallFirstResult): Promise<boolean> {
  switch (outcome) {
    case 'stale': return false;
    case 'not-host': throw new UserError('not-host', 'Only hosts can do that.');
    case 'not-live': throw new UserError('session-ended', 'This session has ended.');
    case 'empty': throw new UserError('queue-empty', 'Nobody has a hand up.');
    case 'absent': await notInChannel(ctx, userId, stageOf(ctx)); return true;
    case 'called': await invited(ctx, userId, boardDirty); return true;
  }
}

async function notInChannel(ctx: Ctx, userId: string, stageId: string): Promise<void> {
  ctx.afterReply(() => ctx.services.jobs.enqueue('member.dm', { guildId: ctx.guildId, userId, channelId: stageId }));
  await ctx.reply(`<@${userId}> is not in <#${stageId}>. They keep their place in the queue, and I sent them a DM with a link to join.`);
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
  if (ctx.interaction.guild?.voiceStates.cache.get(userId)?.channelId === ctx.settings.stageChannelId) await setSuppressed(ctx, userId, true);
}
