import { ButtonStyle, ComponentType, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Paper, QueueOrder } from '../../domain/papers/paper.js';
import { POLL_QUESTION, type PollRecord } from '../../domain/papers/poll.js';
import { customId } from '../command.js';
import { paperTitle } from './paper.js';
import { discordTime, safeText } from './text.js';

function leftOffLine(labels: string[]) {
  if (labels.length === 0) return '';
  const named = labels.slice(0, 5).map((label) => safeText(label, 60));
  const more = labels.length > 5 ? ` and ${labels.length - 5} more` : '';
  return `\nNot on the poll (a poll holds 10, the most voted went on): ${named.join('; ')}${more}.`;
}

/** A native Discord poll: one answer per paper, any number of choices. */
export function pollMessage(poll: PollRecord): RESTPostAPIChannelMessageJSONBody {
  return {
    content:
      `**Vote for the next papers.** The poll closes ${discordTime(poll.closesAt, 'R')}; ` +
      `then the queue follows its result.${leftOffLine(poll.leftOff)}`.slice(0, 2000),
    poll: {
      question: { text: POLL_QUESTION },
      answers: poll.answers.map((text) => ({ poll_media: { text } })),
      duration: poll.hours,
      allow_multiselect: true,
      layout_type: 1,
    },
    allowed_mentions: { parse: [] },
  };
}

/** Said in the announce channel when a poll closes. */
export function pollResult(
  ranked: Array<{ votes: number; paper?: Paper }>,
  order: QueueOrder,
  leftOff: string[],
): RESTPostAPIChannelMessageJSONBody {
  const lines = ranked.map(
    ({ votes, paper }, i) => `${i + 1}. ${paperTitle(paper!, 120)} · ${votes} vote${votes === 1 ? '' : 's'}`,
  );
  const effect =
    order === 'votes'
      ? 'The queue now opens with these papers in this order (a host can still /paper move them).'
      : "The queue is in the hosts' order (/setup queue), so nothing moved: hosts, reorder it with /paper move.";
  const body = ranked.length > 0 ? lines.join('\n') : 'None of the polled papers is still queued.';
  return {
    content: `**The poll has closed.**\n${body}\n${effect}${leftOffLine(leftOff)}`.slice(0, 2000),
    allowed_mentions: { parse: [] },
  };
}

/** The DM a presenter gets before the session: the buttons carry the server, as a DM has none. */
export function confirmDm(guildId: string, start: number, paper: Paper): RESTPostAPIChannelMessageJSONBody {
  const button = (answer: 'yes' | 'no', label: string, style: ButtonStyle.Success | ButtonStyle.Secondary) => ({
    type: ComponentType.Button as const,
    style,
    label,
    custom_id: customId('paper', 'confirm', guildId, start, paper.id, answer),
  });
  const startsAt = `${discordTime(start, 'F')} (${discordTime(start, 'R')})`;
  return {
    content: `Still presenting **${paperTitle(paper, 200)}** on ${startsAt}?`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [button('yes', 'Yes', ButtonStyle.Success), button('no', "I can't", ButtonStyle.Secondary)],
      },
    ],
  };
}

/** Told to the hosts when a presenter withdraws; the member is not pinged. */
export function presenterWithdrew(paper: Paper, start: number, hostRoleId: string | undefined) {
  const hosts = hostRoleId ? `<@&${hostRoleId}> ` : '';
  return (
    `${hosts}**${paperTitle(paper, 200)}** needs a presenter for ${discordTime(start, 'F')}: ` +
    "its presenter can't make it. Anyone can press I'll present on its card; a host can assign one with " +
    '/paper presenter.'
  ).slice(0, 2000);
}
