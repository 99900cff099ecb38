import {
  ChannelType,
  type APIChannel,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import type { World, WorldChannel, WorldGuild, WorldMember } from './world.js';

/** Discord's shape of a channel the emulator holds. */
export function apiChannel(world: World, channel: WorldChannel): APIChannel {
  const overwrites = channel.overwrites.map((o) => ({
    id: o.id,
    type: o.type,
    allow: o.allow.toString(),
    deny: o.deny.toString(),
  }));
  if (channel.type === ChannelType.DM) {
    return {
      id: channel.id,
      type: ChannelType.DM,
      recipients: [world.users.get(channel.recipientId!)!],
      last_message_id: null,
      flags: 0,
      name: null,
    } as unknown as APIChannel;
  }
  const common = {
    id: channel.id,
    name: channel.name,
    guild_id: channel.guildId!,
    flags: 0,
    position: 0,
    permission_overwrites: overwrites,
    parent_id: channel.parentId ?? null,
  };
  if (channel.type === ChannelType.PublicThread) {
    return {
      ...common,
      type: channel.type,
      owner_id: world.bot.id,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
      member_count: 1,
      message_count: 0,
      total_message_sent: 0,
      ...(channel.appliedTags && { applied_tags: channel.appliedTags }),
    } as unknown as APIChannel;
  }
  if (channel.type === ChannelType.GuildVoice || channel.type === ChannelType.GuildStageVoice) {
    return { ...common, type: channel.type, bitrate: 64000, user_limit: 0, rtc_region: null } as unknown as APIChannel;
  }
  const text = {
    ...common,
    type: channel.type,
    nsfw: false,
    topic: channel.topic ?? null,
    last_message_id: null,
    rate_limit_per_user: 0,
  };
  if (channel.type !== ChannelType.GuildForum) return text as unknown as APIChannel;
  return {
    ...text,
    available_tags: (channel.availableTags ?? []).map((t) => ({
      ...t,
      moderated: false,
      emoji_id: null,
      emoji_name: null,
    })),
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    default_thread_rate_limit_per_user: 0,
  } as unknown as APIChannel;
}

export function apiMember(member: WorldMember): APIGuildMember {
  return {
    user: member.user,
    nick: member.nick ?? null,
    roles: member.roles,
    joined_at: member.joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
  } as unknown as APIGuildMember;
}

export function interactionMember(
  world: World,
  guild: WorldGuild,
  member: WorldMember,
  channelId: string,
): APIInteractionGuildMember {
  return {
    ...apiMember(member),
    permissions: world.permissions(guild, member.user.id, channelId).toString(),
  } as APIInteractionGuildMember;
}

/** GUILD_CREATE: everything discord.js needs to cache the guild, its channels, roles, members and voice states. */
export function guildCreate(world: World, guild: WorldGuild): GatewayGuildCreateDispatchData {
  const channels = [...guild.channels.values()];
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    hub_type: null,
    incidents_data: null,
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [...guild.voiceStates.values()].map(({ guild_id: _g, member: _m, ...rest }) => rest),
    members: [...guild.members.values()].map(apiMember),
    channels: channels
      .filter((c) => c.type !== ChannelType.PublicThread)
      .map((c) => apiChannel(world, c)) as GatewayGuildCreateDispatchData['channels'],
    threads: channels
      .filter((c) => c.type === ChannelType.PublicThread)
      .map((c) => apiChannel(world, c)) as GatewayGuildCreateDispatchData['threads'],
    presences: [],
    stage_instances: [...guild.stageInstances.values()],
    guild_scheduled_events: [...guild.scheduledEvents.values()],
    soundboard_sounds: [],
  } as unknown as GatewayGuildCreateDispatchData;
}
