import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { INVITE_PERMISSIONS } from '../../src/discord/permissions.js';
import type { Emulator } from '../emulator/emulator.js';
import type { GuildSpec, WorldGuild } from '../emulator/world.js';

/** The seed's community: two hosts (Tanishq also has Manage Server, so can run the first /setup), five members, the channels a session uses; the bot holds exactly its invite permissions. */
export const paperClubSpec = (): GuildSpec => ({
  name: 'AI Papers of the Week',
  botPermissions: INVITE_PERMISSIONS.bitfield,
  roles: [
    { name: 'admins', permissions: PermissionFlagsBits.ManageGuild },
    { name: 'hosts' },
    { name: 'paper-club', mentionable: true },
    { name: 'quiet-club' },
  ],
  channels: [
    { name: 'general', type: ChannelType.GuildText },
    { name: 'announcements', type: ChannelType.GuildText },
    { name: 'recaps', type: ChannelType.GuildText },
    { name: 'paper-stage', type: ChannelType.GuildStageVoice },
    { name: 'lounge', type: ChannelType.GuildVoice },
    { name: 'papers', type: ChannelType.GuildForum, tags: ['queued', 'covered', 'vision'] },
  ],
  members: [
    { name: 'Tanishq', roles: ['admins', 'hosts'] },
    { name: 'Aran', roles: ['hosts'] },
    { name: 'Charlie' },
    { name: 'Cong' },
    { name: 'Ben Schrod' },
    { name: 'David' },
    { name: 'Hanish' },
  ],
});

export function paperClub(emu: Emulator, overrides: Partial<GuildSpec> = {}): WorldGuild {
  return emu.world.createGuild({ ...paperClubSpec(), ...overrides });
}
