import { ButtonStyle, ComponentType, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Question } from '../../domain/session/question.js';
import { safeText } from './text.js';

const STATUS = { open: 'open', answered: 'answered', dismissed: 'dismissed' } as const;

/** A question's card in the session thread, with its upvote button while it is open. */
export function questionCard(question: Question, paperLabel: string | undefined): RESTPostAPIChannelMessageJSONBody {
  return {
    embeds: [
      {
        author: { name: `Question · ${STATUS[question.status]}` },
        description: safeText(question.text, 1000),
        fields: [
          { name: 'Asked by', value: question.askerId ? `<@${question.askerId}>` : 'anonymous', inline: true },
          { name: 'Votes', value: String(question.votes), inline: true },
          ...(paperLabel ? [{ name: 'Paper', value: safeText(paperLabel, 200), inline: true }] : []),
          ...(question.answer ? [{ name: 'Answer', value: safeText(question.answer, 1024) }] : []),
        ],
      },
    ],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: `▲ Upvote (${question.votes})`,
            custom_id: `ask:upvote:${question.id}`,
            disabled: question.status !== 'open',
          },
        ],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}
