import { Routes } from 'discord.js';
import { UserError } from '../domain/errors.js';
import type { Ctx } from './command.js';
import { describeError } from './error-reply.js';

const sessionEnded = () => new UserError('session-ended', 'This session has ended.');

function stageOf(ctx: Ctx) {
  const stageId = ctx.settings.stageChannelId;
  if (!stageId) throw new UserError('no-stage', 'No stage or voice channel is set yet: a host runs /setup channels.');
  return stageId;
}

/** Only a Stage has speakers and audience. */
async function setSuppressed(ctx: Ctx, userId: string, suppress: boolean) {
  if (ctx.settings.stageKind !== 'stage') return;
  try {
    await ctx.interaction.client.rest.patch(Routes.guildVoiceState(ctx.guildId, userId), {
      body: { channel_id: stageOf(ctx), suppress },
    });
  } catch (error) {
    const why = describeError(error, ctx.services.logger, { action: 'stage' });
    await ctx.reply(`I could not ${suppress ? 'move' : 'invite'} <@${userId}>: ${why}`);
  }
}

export async function callUp(ctx: Ctx, userId: string) {
  const stageId = stageOf(ctx);
  if (!inChannel(ctx, userId, stageId)) return notInChannel(ctx, userId, stageId);
  const { outcome, boardDirty } = await ctx.services.speakers.call(ctx.guildId, {
    sessionId: ctx.session!.id,
    userId,
    by: ctx.interaction.user.id,
    at: ctx.services.now(),
    mustBeFirst: false,
  });
  if (outcome === 'not-live') throw sessionEnded();
  return invited(ctx, userId, boardDirty);
}

export async function callNext(ctx: Ctx) {
  const stageId = stageOf(ctx);
  const result = await ctx.services.speakers.callNext(ctx.guildId, {
    sessionId: ctx.session!.id,
    by: ctx.interaction.user.id,
    at: ctx.services.now(),
    inChannel: (userId) => inChannel(ctx, userId, stageId),
  });
  switch (result.outcome) {
    case 'not-live':
      throw sessionEnded();
    case 'empty':
      throw new UserError('queue-empty', 'Nobody has a hand up.');
    case 'just-called':
      throw new UserError(
        'speaker-taken',
        'Another host just called the next speaker. /speakers list shows the queue now.',
      );
    case 'absent':
      return notInChannel(ctx, result.userId, stageId);
    case 'called':
      return invited(ctx, result.userId, result.boardDirty);
  }
}

function inChannel(ctx: Ctx, userId: string, stageId: string | undefined) {
  return ctx.interaction.guild?.voiceStates.cache.get(userId)?.channelId === stageId;
}

async function notInChannel(ctx: Ctx, userId: string, stageId: string) {
  ctx.afterReply(() => ctx.services.speakers.inviteByDm(ctx.guildId, userId, stageId));
  await ctx.reply(
    `<@${userId}> is not in <#${stageId}>. ` +
      'They keep their place in the queue, and I sent them a DM with a link to join.',
  );
}

async function invited(ctx: Ctx, userId: string, boardDirty: boolean) {
  if (boardDirty) ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, ctx.session!.id));
  // The reply never waits on Discord.
  await ctx.reply(`<@${userId}> is invited to speak.`);
  await setSuppressed(ctx, userId, false);
}

export async function stepDown(ctx: Ctx, userId: string) {
  const outcome = await ctx.services.speakers.done(ctx.guildId, ctx.session!.id, userId, ctx.services.now());
  if (outcome === 'not-on-stage') throw new UserError('not-on-stage', `<@${userId}> is not speaking right now.`);
  ctx.afterReply(() => ctx.services.live.boardChanged(ctx.guildId, ctx.session!.id));
  await ctx.reply(`<@${userId}> is back in the audience. Thanks!`);
  if (inChannel(ctx, userId, ctx.settings.stageChannelId)) await setSuppressed(ctx, userId, true);
}
