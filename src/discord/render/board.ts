import { ButtonStyle, ComponentType, type APIEmbed, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Paper } from '../../domain/papers/paper.js';
import { topQuestions, type Question } from '../../domain/session/question.js';
import type { Session } from '../../domain/session/session.js';
import type { Speakers } from '../../store/session-store.js';
import { paperTitle } from './paper.js';
import { boundedList, discordTime, safeText } from './text.js';

export interface BoardState {
  session: Session;
  queue: Paper[];
  speakers: Speakers;
  questions: Question[];
}

const list = (lines: string[], empty: string) => (lines.length > 0 ? boundedList(lines, 1024) : empty);

/** The live board: what is on now, who waits to speak, the top questions, and host buttons. */
export function renderBoard({ session, queue, speakers, questions }: BoardState): RESTPostAPIChannelMessageJSONBody {
  const live = session.status === 'live';
  const current = queue.find((p) => p.status === 'current');
  const upNext = queue.filter((p) => p.status === 'queued').slice(0, 3);
  const embed: APIEmbed = {
    title: live ? 'Live now' : 'Session ended',
    description: current
      ? `**Now:** [${paperTitle(current, 200)}](${current.ref.url})${current.presenterId ? ` · presented by <@${current.presenterId}>` : ''}`
      : live
        ? 'No paper started yet. Hosts: /paper start.'
        : `Ran ${discordTime(session.startedAt, 't')} to ${discordTime(session.endedAt ?? session.startedAt, 't')}.`,
    fields: [
      {
        name: 'Raised hands',
        value: list(
          speakers.queue
            .map((s, i) => `${i + 1}. <@${s.userId}>${s.topic ? ` · ${safeText(s.topic, 60)}` : ''}`)
            .slice(0, 10)
            .concat(speakers.queue.length > 10 ? [`…and ${speakers.queue.length - 10} more`] : []),
          'nobody yet: /speak',
        ),
        inline: true,
      },
      {
        name: 'On stage',
        value: list(
          speakers.onStage.map((id) => `<@${id}>`),
          'nobody',
        ),
        inline: true,
      },
      {
        name: 'Top questions',
        value: list(
          topQuestions(questions, 5).map((q) => `▲ ${q.votes} · ${safeText(q.text, 120)}`),
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
