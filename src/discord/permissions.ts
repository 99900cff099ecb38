import { ChannelType, PermissionFlagsBits, PermissionsBitField, type Guild, type GuildBasedChannel } from 'discord.js';
import { UserError } from '../domain/errors.js';

const P = PermissionFlagsBits;

/** What the bot needs in each configured channel, and why (the README's permission table mirrors this). */
export const CHANNEL_NEEDS = {
  announce: [
    P.ViewChannel,
    P.SendMessages,
    P.EmbedLinks,
    P.ReadMessageHistory,
    P.CreatePublicThreads,
    P.SendMessagesInThreads,
  ],
  recap: [
    P.ViewChannel,
    P.SendMessages,
    P.EmbedLinks,
    P.AttachFiles,
    P.ReadMessageHistory,
    P.CreatePublicThreads,
    P.SendMessagesInThreads,
  ],
  stage: [P.ViewChannel, P.Connect, P.MuteMembers, P.MoveMembers, P.ManageChannels, P.CreateEvents],
  voice: [P.ViewChannel, P.Connect, P.CreateEvents],
} as const;

/** Every permission the bot asks for in its invite link. */
export const INVITE_PERMISSIONS = new PermissionsBitField([
  ...new Set([...CHANNEL_NEEDS.announce, ...CHANNEL_NEEDS.recap, ...CHANNEL_NEEDS.stage, P.Speak, P.MentionEveryone]),
]);

const TEXT_TYPES: readonly ChannelType[] = [ChannelType.GuildText, ChannelType.GuildAnnouncement];
const STAGE_TYPES: readonly ChannelType[] = [ChannelType.GuildStageVoice, ChannelType.GuildVoice];

export function humanPermission(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** Names of the permissions from `needed` the bot lacks in `channel` (empty when all is well). */
export function missingInChannel(guild: Guild, channel: GuildBasedChannel, needed: readonly bigint[]): string[] {
  const me = guild.members.me;
  const have = me ? channel.permissionsFor(me) : null;
  return new PermissionsBitField(needed.filter((bit) => !have?.has(bit))).toArray().map(humanPermission);
}

export type ChannelPurpose = 'announce' | 'recap' | 'stage';

/** Checks a channel's type and the bot's permissions there; returns the problem in words, or null. */
export function channelProblem(guild: Guild, channel: GuildBasedChannel, purpose: ChannelPurpose): string | null {
  const isStagePurpose = purpose === 'stage';
  if (!(isStagePurpose ? STAGE_TYPES : TEXT_TYPES).includes(channel.type)) {
    return `<#${channel.id}> is not a ${isStagePurpose ? 'stage or voice' : 'text or announcement'} channel`;
  }
  const needs =
    isStagePurpose && channel.type === ChannelType.GuildVoice ? CHANNEL_NEEDS.voice : CHANNEL_NEEDS[purpose];
  const missing = missingInChannel(guild, channel, needs);
  return missing.length > 0 ? `in <#${channel.id}> I am missing ${missing.join(', ')}` : null;
}

/** Resolves a channel id against the guild's cache, fetching it when not cached. */
export async function guildChannel(guild: Guild, id: string): Promise<GuildBasedChannel> {
  const channel = guild.channels.cache.get(id) ?? (await guild.channels.fetch(id).catch(() => null));
  if (!channel) throw new UserError('channel-unknown', `I cannot see <#${id}>: give me View Channel there.`);
  return channel;
}
