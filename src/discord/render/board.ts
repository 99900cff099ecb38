import { ButtonStyle, ComponentType, type APIEmbed, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { QueueEntry } from '../../domain/papers/paper.js';
import type { Question } from '../../domain/session/question.js';
import type { Session } from '../../domain/session/session.js';
import type { Speakers } from '../../domain/session/speakers.js';
import { paperTitle } from './paper.js';
import { boundedList, discordTime, safeText } from './text.js';

interface BoardState {
  session: Session;
  papers: { current?: QueueEntry; next: QueueEntry[] };
  speakers: Speakers;
  questions: Question[];
}

export const BOARD_HANDS = 10;
export const BOARD_QUESTIONS = 5;
export const BOARD_UP_NEXT = 3;

const HOST_BUTTONS = [
  ['next-paper', 'Next paper', ButtonStyle.Primary],
  ['next-speaker', 'Call next speaker', ButtonStyle.Secondary],
  ['end', 'End session', ButtonStyle.Danger],
] as const;

const list = (lines: string[], empty: string) => (lines.length > 0 ? boundedList(lines, 1024) : empty);

export function renderBoard({
  session,
  papers: { current, next },
  speakers,
  questions,
}: BoardState): RESTPostAPIChannelMessageJSONBody {
  const live = session.status === 'live';
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
          next.map((p) => `[${paperTitle(p, 80)}](${p.ref.url})${p.presenterId ? '' : ' · needs a presenter'}`),
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
  return {
    embeds: [embed],
    components: live
      ? [
          {
            type: ComponentType.ActionRow,
            components: HOST_BUTTONS.map(([action, label, style]) => ({
              type: ComponentType.Button,
              style,
              label,
              custom_id: `session:${action}:${session.id}`,
            })),
          },
        ]
      : [],
    allowed_mentions: { parse: [] },
  };
}
