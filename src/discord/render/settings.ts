import type { APIEmbed } from 'discord.js';
import { formatOffset, type GuildSettings } from '../../domain/settings.js';

const channel = (id: string | undefined) => (id ? `<#${id}>` : 'not set');
const role = (id: string | undefined) => (id ? `<@&${id}>` : 'not set');

/** /setup show: every setting, with what is still missing said plainly. */
export function settingsEmbed(settings: GuildSettings, problems: string[]): APIEmbed {
  return {
    title: 'Lectern settings',
    ...(problems.length > 0 ? { description: `**Needs attention**\n${problems.map((p) => `• ${p}`).join('\n')}` } : {}),
    fields: [
      { name: 'Announcements', value: channel(settings.announceChannelId), inline: true },
      { name: 'Recaps', value: channel(settings.recapChannelId), inline: true },
      { name: 'Stage', value: channel(settings.stageChannelId), inline: true },
      { name: 'Host role', value: role(settings.hostRoleId), inline: true },
      {
        name: 'Ping role',
        value: settings.pingRoleId ? role(settings.pingRoleId) : 'none (reminders ping nobody)',
        inline: true,
      },
      {
        name: 'Reminders before a session',
        value: settings.reminderOffsets.map(formatOffset).join(', '),
        inline: true,
      },
      {
        name: 'Voice',
        value: settings.voiceEnabled ? 'on: I join the stage and note who speaks (no audio is recorded)' : 'off',
        inline: true,
      },
    ],
  };
}
