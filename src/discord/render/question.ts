import { ButtonStyle, ComponentType, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Question } from '../../domain/session/question.js';
import { safeText } from './text.js';

/** A burst's questions share a card of up to this many: a channel takes 5 posts per 5 s, a question can't wait. */
export const CARD_GROUP = 5;
/** A flood's go on list cards of up to 25, one numbered button each (Discord: 5 rows of 5 buttons). */
export const LIST_GROUP = 25;

interface CardItem {
  question: Question;
  paperLabel?: string | undefined;
}

// A grouped card keeps its 5 embeds under Discord's 6,000 characters for all embeds of a message.
const SINGLE = { text: 1000, paper: 200, answer: 1024 };
const GROUPED = { text: 500, paper: 100, answer: 500 };

/** A name, "anonymous", or "a member" once the asker had Lectern forget them (the question was not anonymous). */
const askedBy = (question: Question) =>
  question.askerId ? `<@${question.askerId}>` : question.anonymous ? 'anonymous' : 'a member';

function embed({ question, paperLabel }: CardItem, max: typeof SINGLE) {
  return {
    author: { name: `Question · ${question.status}${question.early ? ' · asked before the session' : ''}` },
    description: safeText(question.text, max.text),
    fields: [
      { name: 'Asked by', value: askedBy(question), inline: true },
      { name: 'Votes', value: String(question.votes), inline: true },
      ...(paperLabel ? [{ name: 'Paper', value: safeText(paperLabel, max.paper), inline: true }] : []),
      ...(question.answer ? [{ name: 'Answer', value: safeText(question.answer, max.answer) }] : []),
    ],
  };
}

function upvote(question: Question, grouped: boolean) {
  // In a grouped card each button names its question (labels are plain text, at most 80 characters).
  const label = `▲ Upvote (${question.votes})`;
  const named = grouped ? `${label} · ${question.text.replace(/\s+/g, ' ').slice(0, 80 - label.length - 3)}` : label;
  return {
    type: ComponentType.ActionRow as const,
    components: [
      {
        type: ComponentType.Button as const,
        style: ButtonStyle.Secondary as const,
        label: named,
        custom_id: `ask:upvote:${question.id}`,
        disabled: question.status !== 'open',
      },
    ],
  };
}

// 25 lines of a list card within an embed description's 4,096 characters.
const LIST_TEXT = 100;

function listLine({ question }: CardItem, i: number) {
  const asker = askedBy(question);
  const status = question.status === 'open' ? '' : ` · ${question.status}`;
  return `**${i + 1}.** ${safeText(question.text, LIST_TEXT)} — ${asker} · ▲ ${question.votes}${status}`;
}

function listCard(items: CardItem[]): RESTPostAPIChannelMessageJSONBody {
  const rows = Array.from({ length: Math.ceil(items.length / 5) }, (_, r) => items.slice(r * 5, r * 5 + 5));
  return {
    embeds: [{ author: { name: `Questions · ${items.length}` }, description: items.map(listLine).join('\n') }],
    components: rows.map((row, r) => ({
      type: ComponentType.ActionRow as const,
      components: row.map(({ question }, i) => ({
        type: ComponentType.Button as const,
        style: ButtonStyle.Secondary as const,
        label: `▲ ${r * 5 + i + 1} (${question.votes})`,
        custom_id: `ask:upvote:${question.id}`,
        disabled: question.status !== 'open',
      })),
    })),
    allowed_mentions: { parse: [] },
  };
}

/** One question's card; up to CARD_GROUP share one with an embed each; more (up to LIST_GROUP), a list card. */
export function questionCards(items: CardItem[]): RESTPostAPIChannelMessageJSONBody {
  if (items.length > CARD_GROUP) return listCard(items);
  const grouped = items.length > 1;
  return {
    embeds: items.map((item) => embed(item, grouped ? GROUPED : SINGLE)),
    components: items.map((item) => upvote(item.question, grouped)),
    allowed_mentions: { parse: [] },
  };
}
