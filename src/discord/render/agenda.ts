import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { Occurrence } from '../../domain/schedule/plan.js';
import { formatOffset } from '../../domain/settings.js';
import { paperTitle } from './paper.js';
import { boundedList, discordTime, safeText } from './text.js';

interface AgendaState {
  guildId: string;
  occurrence: Occurrence;
  timeZone: string;
  queue: Paper[];
  carriedOver: Array<{ text: string }>;
  eventId?: string;
  pingRoleId?: string;
}

export const eventUrl = (guildId: string, eventId: string) => `https://discord.com/events/${guildId}/${eventId}`;

export function sessionDay(start: number, timeZone: string) {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(start);
}

function byAuthors({ authors }: Paper) {
  if (authors.length === 0) return '';
  return ` · ${safeText(authors.length > 3 ? `${authors.slice(0, 3).join(', ')} et al.` : authors.join(', '), 120)}`;
}

const paperCount = (queue: Paper[]) => `${queue.length} paper${queue.length === 1 ? '' : 's'}`;

const startsAt = ({ start }: Occurrence) => `${discordTime(start, 'F')} (${discordTime(start, 'R')})`;

const ping = (pingRoleId: string | undefined) =>
  pingRoleId
    ? { prefix: `<@&${pingRoleId}> `, allowed_mentions: { parse: [], roles: [pingRoleId] } }
    : { prefix: '', allowed_mentions: { parse: [] } };

export function renderAgenda({
  guildId,
  occurrence,
  timeZone,
  queue,
  carriedOver,
  eventId,
  pingRoleId,
}: AgendaState): RESTPostAPIChannelMessageJSONBody {
  const lines = queue.map((paper, i) => {
    const presenter = paper.presenterId ? `presented by <@${paper.presenterId}>` : 'needs a presenter';
    return `${i + 1}. [${paperTitle(paper, 150)}](${paper.ref.url})${byAuthors(paper)} · ${presenter}`;
  });
  const questions = carriedOver.map((q) => `• ${safeText(q.text, 200)}`);
  const { prefix, allowed_mentions } = ping(pingRoleId);
  const when = `${discordTime(occurrence.start, 'F')}, ${discordTime(occurrence.start, 'R')}`;
  const papers = lines.length > 0 ? boundedList(lines, 3500) : 'No papers queued yet: suggest one with /paper add.';
  return {
    content: `${prefix}The agenda for ${startsAt(occurrence)} is up.`,
    embeds: [
      {
        title: `Agenda · ${sessionDay(occurrence.start, timeZone)}`,
        description: `Starts ${when}; ends ${discordTime(occurrence.end, 't')}.\n\n${papers}`,
        fields: [
          ...(questions.length > 0 ? [{ name: 'Still open from last time', value: boundedList(questions, 1024) }] : []),
          ...(eventId ? [{ name: 'Event', value: `[Mark yourself interested](${eventUrl(guildId, eventId)})` }] : []),
        ],
        footer: { text: `${paperCount(queue)} · the queue can still change until the session starts` },
      },
    ],
    allowed_mentions,
  };
}

export function renderCancelledAgenda(occurrence: Occurrence, timeZone: string): RESTPostAPIChannelMessageJSONBody {
  return {
    content: `The session of ${discordTime(occurrence.start, 'F')} will not take place.`,
    embeds: [
      {
        title: `Cancelled · ${sessionDay(occurrence.start, timeZone)}`,
        description:
          'Hosts skipped, paused or moved this session. The queue carries over to the next one: /schedule show.',
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export function renderReminder(
  guildId: string,
  occurrence: Occurrence,
  offsetSeconds: number,
  queue: Paper[],
  pingRoleId?: string,
  eventId?: string,
): RESTPostAPIChannelMessageJSONBody {
  const { prefix, allowed_mentions } = ping(pingRoleId);
  const first = queue[0];
  const lineup = first
    ? `${paperCount(queue)}, first up: [${paperTitle(first, 120)}](${first.ref.url})`
    : 'no papers queued yet';
  const event = eventId ? ` · ${eventUrl(guildId, eventId)}` : '';
  const heading = `${prefix}**Paper reading starts in ${formatOffset(offsetSeconds)}**`;
  return { content: `${heading}: ${startsAt(occurrence)} · ${lineup}${event}`.slice(0, 2000), allowed_mentions };
}

export function presenterDm(occurrence: Occurrence, papers: Paper[], agendaLink: string) {
  const titles = papers.map((p) => `**${paperTitle(p, 200)}** (<${p.ref.url}>)`).join(' and ');
  const text =
    `You are presenting ${titles} at the paper reading on ${startsAt(occurrence)}. ` + `The agenda: ${agendaLink}`;
  return text.slice(0, 2000);
}

export function eventDescription(queue: Paper[]) {
  const lines = queue.map((p, i) => `${i + 1}. ${p.title || p.ref.url}`.slice(0, 200));
  const text =
    lines.length > 0 ? `Papers:\n${lines.join('\n')}` : 'Papers to be announced: suggest one with /paper add.';
  return text.length <= 1000 ? text : `${text.slice(0, 998)}…`;
}
