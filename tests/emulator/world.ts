import {
  ChannelType,
  PermissionFlagsBits,
  type APIGuildScheduledEvent,
  type APIMessage,
  type APIRole,
  type APIStageInstance,
  type APIUser,
  type GatewayVoiceState,
} from 'discord-api-types/v10';
import { snowflake } from './snowflake.js';

/** A channel as the emulator keeps it; converted to Discord's shape on the way out. */
export interface WorldChannel {
  id: string;
  guildId: string | null;
  type: ChannelType;
  name: string;
  topic?: string | null;
  parentId?: string;
  /** Overwrites: allow/deny bits by role or member id. */
  overwrites: Array<{ id: string; type: 0 | 1; allow: bigint; deny: bigint }>;
  recipientId?: string;
  /** A forum's tags. */
  availableTags?: Array<{ id: string; name: string }>;
  /** A forum post's tags (ids of its forum's). */
  appliedTags?: string[];
}

export interface WorldMember {
  user: APIUser;
  roles: string[];
  joinedAt: string;
  /** The server nickname, if any. */
  nick?: string;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string | undefined;
  data: Buffer;
}

export interface WorldGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, APIRole>;
  channels: Map<string, WorldChannel>;
  members: Map<string, WorldMember>;
  voiceStates: Map<string, GatewayVoiceState>;
  scheduledEvents: Map<string, APIGuildScheduledEvent>;
  stageInstances: Map<string, APIStageInstance>;
}

export interface GuildSpec {
  name: string;
  /** A fixed id, for tests that need a guild on a given shard; a fresh snowflake otherwise. */
  id?: string;
  roles?: Array<{ name: string; permissions?: bigint; mentionable?: boolean }>;
  channels?: Array<{ name: string; type: ChannelType; overwrites?: WorldChannel['overwrites']; tags?: string[] }>;
  members?: Array<{ name: string; roles?: string[]; bot?: boolean }>;
  /** Permissions of the bot's own managed role. */
  botPermissions?: bigint;
  everyonePermissions?: bigint;
}

const DEFAULT_EVERYONE =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.Connect |
  PermissionFlagsBits.Speak |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.RequestToSpeak;

/** Everything the emulator knows: guilds, users, messages and attachments. */
export class World {
  readonly guilds = new Map<string, WorldGuild>();
  readonly users = new Map<string, APIUser>();
  readonly channels = new Map<string, WorldChannel>();
  readonly messages = new Map<string, Map<string, APIMessage>>();
  readonly attachments = new Map<string, StoredAttachment>();
  /** Users who do not accept DMs from the bot (Discord answers 50007). */
  readonly dmClosed = new Set<string>();
  readonly bot: APIUser;

  constructor(readonly applicationId: string) {
    this.bot = this.createUser('Lectern', true, applicationId);
  }

  createUser(name: string, bot = false, id = snowflake()): APIUser {
    const user: APIUser = {
      id,
      username: name.toLowerCase().replace(/\W+/g, '_'),
      global_name: name,
      discriminator: '0',
      avatar: null,
      ...(bot ? { bot: true } : {}),
    };
    this.users.set(id, user);
    return user;
  }

  addChannel(channel: WorldChannel): WorldChannel {
    this.channels.set(channel.id, channel);
    this.messages.set(channel.id, new Map());
    if (channel.guildId) this.guilds.get(channel.guildId)!.channels.set(channel.id, channel);
    return channel;
  }

  /** Builds a guild; the bot is a member with a managed role holding `botPermissions`. */
  createGuild(spec: GuildSpec): WorldGuild {
    const id = spec.id ?? snowflake();
    const owner = this.createUser(`${spec.name} owner`);
    const guild: WorldGuild = {
      id,
      name: spec.name,
      ownerId: owner.id,
      roles: new Map(),
      channels: new Map(),
      members: new Map(),
      voiceStates: new Map(),
      scheduledEvents: new Map(),
      stageInstances: new Map(),
    };
    this.guilds.set(id, guild);
    const role = (name: string, permissions: bigint, extra: Partial<APIRole> = {}): APIRole => {
      const r: APIRole = {
        id: name === '@everyone' ? id : snowflake(),
        name,
        permissions: permissions.toString(),
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        managed: false,
        mentionable: false,
        position: guild.roles.size,
        flags: 0 as APIRole['flags'],
        icon: null,
        unicode_emoji: null,
        ...extra,
      };
      guild.roles.set(r.id, r);
      return r;
    };
    role('@everyone', spec.everyonePermissions ?? DEFAULT_EVERYONE);
    const botRole = role('Lectern', spec.botPermissions ?? PermissionFlagsBits.Administrator, {
      managed: true,
      tags: { bot_id: this.bot.id },
    });
    for (const r of spec.roles ?? []) role(r.name, r.permissions ?? 0n, { mentionable: r.mentionable ?? false });
    const join = (user: APIUser, roles: string[]) =>
      guild.members.set(user.id, { user, roles, joinedAt: new Date().toISOString() });
    join(owner, []);
    join(this.bot, [botRole.id]);
    for (const m of spec.members ?? [])
      join(
        this.createUser(m.name, m.bot),
        (m.roles ?? []).map((name) => this.roleByName(guild, name).id),
      );
    for (const c of spec.channels ?? [])
      this.addChannel({
        id: snowflake(),
        guildId: id,
        type: c.type,
        name: c.name,
        overwrites: c.overwrites ?? [],
        ...(c.tags && { availableTags: c.tags.map((name) => ({ id: snowflake(), name })) }),
      });
    return guild;
  }

  roleByName(guild: WorldGuild, name: string): APIRole {
    const role =
      [...guild.roles.values()].find((r) => r.name === name) ??
      [...guild.roles.values()].find((r) => r.name === name.replace(/^@/, ''));
    if (!role) throw new Error(`no role ${name} in ${guild.name}`);
    return role;
  }

  channelByName(guild: WorldGuild, name: string): WorldChannel {
    const channel = [...guild.channels.values()].find((c) => c.name === name);
    if (!channel) throw new Error(`no channel #${name} in ${guild.name}`);
    return channel;
  }

  memberByName(guild: WorldGuild, name: string): WorldMember {
    const member = [...guild.members.values()].find((m) => m.user.global_name === name || m.user.username === name);
    if (!member) throw new Error(`no member ${name} in ${guild.name}`);
    return member;
  }

  /** Discord's permission computation: base from roles, then channel overwrites (everyone, roles, member). */
  permissions(guild: WorldGuild, userId: string, channelId?: string): bigint {
    const ALL = (1n << 53n) - 1n;
    if (guild.ownerId === userId) return ALL;
    const member = guild.members.get(userId);
    if (!member) return 0n;
    let perms = BigInt(guild.roles.get(guild.id)!.permissions);
    for (const roleId of member.roles) perms |= BigInt(guild.roles.get(roleId)?.permissions ?? '0');
    if (perms & PermissionFlagsBits.Administrator) return ALL;
    const channel = channelId ? this.channels.get(channelId) : undefined;
    const base =
      channel?.parentId && channel.type >= 10 && channel.type <= 12 ? this.channels.get(channel.parentId) : channel;
    if (!base) return perms;
    const apply = (o: { allow: bigint; deny: bigint } | undefined) => {
      if (o) perms = (perms & ~o.deny) | o.allow;
    };
    apply(base.overwrites.find((o) => o.id === guild.id));
    const roleOverwrites = base.overwrites.filter((o) => o.type === 0 && member.roles.includes(o.id));
    apply({
      allow: roleOverwrites.reduce((a, o) => a | o.allow, 0n),
      deny: roleOverwrites.reduce((a, o) => a | o.deny, 0n),
    });
    apply(base.overwrites.find((o) => o.type === 1 && o.id === userId));
    return perms;
  }
}
