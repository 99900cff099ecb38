import type { APIEmbed, RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { Occurrence } from '../../domain/schedule/plan.js';
import { formatOffset } from '../../domain/settings.js';
import { paperTitle } from './paper.js';
import { boundedList, discordTime, safeText } from './text.js';

export interface AgendaState {
  guildId: string;
  occurrence: Occurrence;
  timeZone: string;
  /** The upcoming queue, in order. */
  queue: Paper[];
  /** Questions the last session left open, most upvoted first. */
  carriedOver: Array<{ text: string }>;
  eventId?: string;
  pingRoleId?: string;
}

export const eventUrl = (guildId: string, eventId: string) => `https://discord.com/events/${guildId}/${eventId}`;

/** "Wednesday, 14 August 2024" in the schedule's zone. */
export function sessionDay(start: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(start);
}

function authorsShort(paper: Paper): string {
  if (paper.authors.length === 0) return '';
  return safeText(
    paper.authors.length > 3 ? `${paper.authors.slice(0, 3).join(', ')} et al.` : paper.authors.join(', '),
    120,
  );
}

/** The start as every reader's own full date and time, then how far off it is. */
function startsAt(occurrence: Occurrence): string {
  return `${discordTime(occurrence.start, 'F')} (${discordTime(occurrence.start, 'R')})`;
}

/** The ping, allowed for the ping role only (and only when one is set). */
function ping(
  pingRoleId: string | undefined,
): Pick<RESTPostAPIChannelMessageJSONBody, 'allowed_mentions'> & { prefix: string } {
  return pingRoleId
    ? { prefix: `<@&${pingRoleId}> `, allowed_mentions: { parse: [], roles: [pingRoleId] } }
    : { prefix: '', allowed_mentions: { parse: [] } };
}

/** The agenda: when (in every reader's own time), the papers in order, last week's open questions, the event. */
export function renderAgenda(state: AgendaState): RESTPostAPIChannelMessageJSONBody {
  const { occurrence, queue } = state;
  const lines = queue.map((paper, i) => {
    const authors = authorsShort(paper);
    const by = authors ? ` · ${authors}` : '';
    const presenter = paper.presenterId ? `presented by <@${paper.presenterId}>` : 'no presenter yet';
    return `${i + 1}. [${paperTitle(paper, 150)}](${paper.ref.url})${by} · ${presenter}`;
  });
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (state.carriedOver.length > 0) {
    fields.push({
      name: 'Still open from last time',
      value: boundedList(
        state.carriedOver.map((q) => `• ${safeText(q.text, 200)}`),
        1024,
      ),
    });
  }
  if (state.eventId)
    fields.push({ name: 'Event', value: `[Mark yourself interested](${eventUrl(state.guildId, state.eventId)})` });
  const { prefix, allowed_mentions } = ping(state.pingRoleId);
  const when = `${discordTime(occurrence.start, 'F')}, ${discordTime(occurrence.start, 'R')}`;
  const papers = lines.length > 0 ? boundedList(lines, 3500) : 'No papers queued yet: suggest one with /paper add.';
  const count = `${queue.length} paper${queue.length === 1 ? '' : 's'}`;
  return {
    content: `${prefix}The agenda for ${startsAt(occurrence)} is up.`,
    embeds: [
      {
        title: `Agenda · ${sessionDay(occurrence.start, state.timeZone)}`,
        description: `Starts ${when}; ends ${discordTime(occurrence.end, 't')}.\n\n${papers}`,
        fields,
        footer: {
          text: `${count} · the queue can still change until the session starts`,
        },
      },
    ],
    allowed_mentions,
  };
}

/** What the agenda becomes when its session will not take place. */
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

/** A reminder at one offset before the start. */
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
    ? `${queue.length} paper${queue.length === 1 ? '' : 's'}, first up: [${paperTitle(first, 120)}](${first.ref.url})`
    : 'no papers queued yet';
  const event = eventId ? ` · ${eventUrl(guildId, eventId)}` : '';
  const heading = `${prefix}**Paper reading starts in ${formatOffset(offsetSeconds)}**`;
  return {
    content: `${heading}: ${startsAt(occurrence)} · ${lineup}${event}`.slice(0, 2000),
    allowed_mentions,
  };
}

/** The DM a presenter gets with the agenda. */
export function presenterDm(occurrence: Occurrence, papers: Paper[], agendaLink: string): string {
  const titles = papers.map((p) => `**${paperTitle(p, 200)}** (<${p.ref.url}>)`).join(' and ');
  const when = startsAt(occurrence);
  const text = `You are presenting ${titles} at the paper reading on ${when}. The agenda: ${agendaLink}`;
  return text.slice(0, 2000);
}

/** The Scheduled Event's description: the papers in order, plain text (1000 characters at most). */
export function eventDescription(queue: Paper[]): string {
  const lines = queue.map((p, i) => `${i + 1}. ${p.title || p.ref.url}`.slice(0, 200));
  const text =
    lines.length > 0 ? `Papers:\n${lines.join('\n')}` : 'Papers to be announced: suggest one with /paper add.';
  return text.length <= 1000 ? text : `${text.slice(0, 998)}…`;
}
