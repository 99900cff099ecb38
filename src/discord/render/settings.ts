import type { APIEmbed } from 'discord.js';
import type { QueueOrder } from '../../domain/papers/paper.js';
import { formatOffset, type GuildSettings } from '../../domain/settings.js';

const channel = (id: string | undefined) => (id ? `<#${id}>` : 'not set');
const role = (id: string | undefined) => (id ? `<@&${id}>` : 'not set');
const field = (name: string, value: string) => ({ name, value, inline: true });

export function settingsEmbed(settings: GuildSettings, problems: string[], order: QueueOrder): APIEmbed {
  return {
    title: 'Lectern settings',
    ...(problems.length > 0 && { description: `**Needs attention**\n${problems.map((p) => `• ${p}`).join('\n')}` }),
    fields: [
      field('Announcements', channel(settings.announceChannelId)),
      field('Recaps', channel(settings.recapChannelId)),
      field('Stage', channel(settings.stageChannelId)),
      field('Host role', role(settings.hostRoleId)),
      field('Ping role', settings.pingRoleId ? role(settings.pingRoleId) : 'none (reminders ping nobody)'),
      field('Reminders before a session', settings.reminderOffsets.map(formatOffset).join(', ')),
      field(
        'Weekly poll',
        settings.pollOffset ? `${formatOffset(settings.pollOffset)} before, closing with the agenda` : 'off',
      ),
      field('Presenters confirm', settings.confirmOffset ? `${formatOffset(settings.confirmOffset)} before` : 'off'),
      field(
        'Paper threads',
        settings.papersForumId ? `a post each in <#${settings.papersForumId}>` : 'a thread on each card',
      ),
      field('Queue order', order === 'votes' ? 'by votes (papers hosts place keep their place)' : "the hosts' order"),
      field(
        'Web archive',
        settings.archiveVisibility === 'off'
          ? 'off'
          : settings.archiveVisibility === 'link'
            ? 'secret link (see /setup archive)'
            : `public as ${settings.archiveSlug} (see /setup archive)`,
      ),
      field('Voice', settings.voiceEnabled ? 'on: I join the stage and note who speaks (no audio is recorded)' : 'off'),
      field(
        'Transcript',
        settings.transcriptEnabled ? 'on: members who opt in (/transcript join) are transcribed for the recap' : 'off',
      ),
    ],
  };
}
