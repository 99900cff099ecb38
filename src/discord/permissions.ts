import { ChannelType, PermissionFlagsBits, PermissionsBitField, type Guild, type GuildBasedChannel } from 'discord.js';
import { UserError } from '../domain/errors.js';

const P = PermissionFlagsBits;
const TEXT_NEEDS = [
  P.ViewChannel,
  P.SendMessages,
  P.EmbedLinks,
  P.ReadMessageHistory,
  P.CreatePublicThreads,
  P.SendMessagesInThreads,
];

/** The README's permission table mirrors this. */
const CHANNEL_NEEDS = {
  // The weekly poll (/paper poll) goes here.
  announce: [...TEXT_NEEDS, P.SendPolls],
  recap: [...TEXT_NEEDS, P.AttachFiles],
  stage: [P.ViewChannel, P.Connect, P.MuteMembers, P.MoveMembers, P.ManageChannels, P.CreateEvents],
  voice: [P.ViewChannel, P.Connect, P.CreateEvents],
  papers: [P.ViewChannel, P.SendMessages, P.SendMessagesInThreads, P.ReadMessageHistory],
};

export const INVITE_PERMISSIONS = new PermissionsBitField([
  ...CHANNEL_NEEDS.recap,
  ...CHANNEL_NEEDS.announce,
  ...CHANNEL_NEEDS.stage,
  P.Speak,
  P.MentionEveryone,
  // The nickname shows when the bot transcribes (/setup transcript).
  P.ChangeNickname,
]);

export type ChannelPurpose = 'announce' | 'recap' | 'stage' | 'papers';

export function channelProblem(guild: Guild, channel: GuildBasedChannel, purpose: ChannelPurpose) {
  const isStage = purpose === 'stage';
  const types: ChannelType[] = isStage
    ? [ChannelType.GuildStageVoice, ChannelType.GuildVoice]
    : purpose === 'papers'
      ? [ChannelType.GuildForum]
      : [ChannelType.GuildText, ChannelType.GuildAnnouncement];
  if (!types.includes(channel.type)) {
    const kind = isStage ? 'stage or voice' : purpose === 'papers' ? 'forum' : 'text or announcement';
    return `<#${channel.id}> is not a ${kind} channel`;
  }
  const needs = isStage && channel.type === ChannelType.GuildVoice ? CHANNEL_NEEDS.voice : CHANNEL_NEEDS[purpose];
  const me = guild.members.me;
  const have = me ? channel.permissionsFor(me) : null;
  const missing = new PermissionsBitField(needs.filter((bit) => !have?.has(bit)))
    .toArray()
    .map((name) => name.replace(/([a-z])([A-Z])/g, '$1 $2'));
  return missing.length > 0 ? `in <#${channel.id}> I am missing ${missing.join(', ')}` : null;
}

export async function guildChannel(guild: Guild, id: string) {
  const channel = guild.channels.cache.get(id) ?? (await guild.channels.fetch(id).catch(() => null));
  if (!channel) throw new UserError('channel-unknown', `I cannot see <#${id}>: give me View Channel there.`);
  return channel;
}
