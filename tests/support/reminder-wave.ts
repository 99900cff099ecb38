import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { INVITE_PERMISSIONS } from '../../src/discord/permissions.js';
import type { Emulator, Invoker } from '../emulator/emulator.js';
import type { PostRecord } from '../emulator/messages.js';
import type { WorldGuild } from '../emulator/world.js';
import { offsetsFor, slotAhead } from './schedule.js';

/** A small club: one host, the channels /setup channels asks for; made before the bot connects (READY brings it). */
export function smallClubs(emu: Emulator, count: number): WorldGuild[] {
  return Array.from({ length: count }, (_, i) =>
    emu.world.createGuild({
      name: `Wave club ${i}`,
      botPermissions: INVITE_PERMISSIONS.bitfield,
      roles: [{ name: 'admins', permissions: PermissionFlagsBits.ManageGuild }, { name: 'hosts' }],
      channels: [
        { name: 'general', type: ChannelType.GuildText },
        { name: 'announcements', type: ChannelType.GuildText },
        { name: 'recaps', type: ChannelType.GuildText },
        { name: 'paper-stage', type: ChannelType.GuildStageVoice },
      ],
      members: [{ name: 'Host', roles: ['admins', 'hosts'] }],
    }),
  );
}

export interface Wave {
  /** When every server's agenda falls due, then every reminder (ms, the emulator's clock). */
  agendaAt: number;
  reminderAt: number;
}

/**
 * Sets every club up through its commands for the same weekly slot, with the agenda due `leadMs` from now and one
 * reminder `gapMs` after it: two waves of one post per club in one second. Clubs are set up `perSecond` at most, so
 * that their Scheduled Events (a lookup and a create each) go out below the global limit and the waves are what meets
 * it.
 */
export async function scheduleWave(
  emu: Emulator,
  guilds: WorldGuild[],
  { leadMs, gapMs, perSecond = 20 }: { leadMs: number; gapMs: number; perSecond?: number },
): Promise<Wave> {
  const slot = slotAhead(Date.now(), leadMs + gapMs + 30_000);
  const offsets = offsetsFor(slot.start, Date.now(), [leadMs / 1000, (leadMs + gapMs) / 1000]);
  const setUp = async (guild: WorldGuild) => {
    const host: Invoker = { guild, user: 'Host', channel: 'general' };
    for (const [group, sub, options] of [
      ['setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }],
      ['setup', 'reminders', { offsets: offsets.text }],
      ['schedule', 'set', { weekday: slot.weekday, time: slot.time, timezone: 'UTC' }],
    ] as const) {
      const { content } = await emu.command(host, group, sub, options).answer();
      if (!/^Saved/.test(content)) throw new Error(`/${group} ${sub} in ${guild.name}: ${content}`);
    }
  };
  const batch = Math.max(1, Math.floor(perSecond / 4));
  for (let i = 0; i < guilds.length; i += batch) {
    const pace = new Promise((resolve) => setTimeout(resolve, (batch / perSecond) * 1000));
    await Promise.all([...guilds.slice(i, i + batch).map(setUp), pace]);
  }
  const [agendaAt, reminderAt] = offsets.targets as [number, number];
  return { agendaAt, reminderAt };
}

/** The agendas and reminders posted in the clubs' announce channels. */
export function wavePosts(emu: Emulator, guilds: WorldGuild[]): { agendas: PostRecord[]; reminders: PostRecord[] } {
  const announce = new Set(guilds.map((g) => emu.world.channelByName(g, 'announcements').id));
  const created = emu.posts.filter((p) => p.action === 'create' && announce.has(p.channelId));
  return {
    agendas: created.filter((p) => p.message.embeds[0]?.title?.startsWith('Agenda')),
    reminders: created.filter((p) => p.message.content.includes('Paper reading starts in')),
  };
}

/** How long after `dueAt` the last of `posts` reached Discord, and whether each club got exactly one. */
export function waveOutcome(emu: Emulator, guilds: WorldGuild[], posts: PostRecord[], dueAt: number) {
  const perChannel = new Map<string, number>();
  for (const post of posts) perChannel.set(post.channelId, (perChannel.get(post.channelId) ?? 0) + 1);
  const once = guilds.every((g) => perChannel.get(emu.world.channelByName(g, 'announcements').id) === 1);
  const lateness = posts.map((p) => p.at - dueAt);
  return { once, lateness, lastMs: Math.max(...lateness) };
}
