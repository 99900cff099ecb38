import { ButtonStyle, ComponentType, type APIEmbed, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { QueueEntry } from '../../domain/papers/paper.js';
import type { Question } from '../../domain/session/question.js';
import type { Session } from '../../domain/session/session.js';
import type { Speakers } from '../../domain/session/speakers.js';
import { paperTitle } from './paper.js';
import { boundedList, discordTime, safeText } from './text.js';

export interface BoardState {
  session: Session;
  /** The paper on now, and the next ones in queue order. */
  papers: { current?: QueueEntry; next: QueueEntry[] };
  /** The first raised hands and speakers, with their counts. */
  speakers: Speakers;
  /** The most upvoted open questions, most first. */
  questions: Question[];
}

/** What the board shows: the first raised hands, and the most upvoted open questions. */
export const BOARD_HANDS = 10;
export const BOARD_QUESTIONS = 5;
export const BOARD_UP_NEXT = 3;

const list = (lines: string[], empty: string) => (lines.length > 0 ? boundedList(lines, 1024) : empty);

/** The live board: what is on now, who waits to speak, the top questions, and host buttons. */
export function renderBoard({ session, papers, speakers, questions }: BoardState): RESTPostAPIChannelMessageJSONBody {
  const live = session.status === 'live';
  const { current, next: upNext } = papers;
  const embed: APIEmbed = {
    title: live ? 'Live now' : 'Session ended',
    description: current
      ? `**Now:** [${paperTitle(current, 200)}](${current.ref.url})` +
        (current.presenterId ? ` · presented by <@${current.presenterId}>` : '')
      : live
        ? 'No paper started yet. Hosts: /paper start.'
        : `Ran ${discordTime(session.startedAt, 't')} to ${discordTime(session.endedAt ?? session.startedAt, 't')}.`,
    fields: [
      {
        name: 'Raised hands',
        value: list(
          speakers.queue
            .slice(0, BOARD_HANDS)
            .map((s, i) => `${i + 1}. <@${s.userId}>${s.topic ? ` · ${safeText(s.topic, 60)}` : ''}`)
            .concat(speakers.handsUp > BOARD_HANDS ? [`…and ${speakers.handsUp - BOARD_HANDS} more`] : []),
          'nobody yet: /speak',
        ),
        inline: true,
      },
      {
        name: 'On stage',
        value:
          boundedList(
            speakers.onStage.map((id) => `<@${id}>`),
            1024,
            '\n',
            speakers.speaking,
          ) || 'nobody',
        inline: true,
      },
      {
        name: 'Top questions',
        value: list(
          questions.slice(0, BOARD_QUESTIONS).map((q) => `▲ ${q.votes} · ${safeText(q.text, 120)}`),
          'none yet: /ask',
        ),
      },
      {
        name: 'Up next',
        value: list(
          upNext.map((p) => `[${paperTitle(p, 80)}](${p.ref.url})`),
          'nothing queued',
        ),
      },
    ],
    footer: {
      text: live
        ? `Started ${new Date(session.startedAt).toISOString().slice(11, 16)} UTC`
        : 'Recap follows in the recap channel',
    },
  };
  const button = (
    action: string,
    label: string,
    style: ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Danger,
  ) => ({ type: ComponentType.Button as const, style, label, custom_id: `session:${action}:${session.id}` });
  return {
    embeds: [embed],
    components: live
      ? [
          {
            type: ComponentType.ActionRow,
            components: [
              button('next-paper', 'Next paper', ButtonStyle.Primary),
              button('next-speaker', 'Call next speaker', ButtonStyle.Secondary),
              button('end', 'End session', ButtonStyle.Danger),
            ],
          },
        ]
      : [],
    allowed_mentions: { parse: [] },
  };
}
