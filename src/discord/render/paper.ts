import { ButtonStyle, ComponentType, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { cleanText, firstSentences } from '../../domain/papers/metadata.js';
import { paperLabel, type Paper, type QueueEntry } from '../../domain/papers/paper.js';
import { discordTime, safeText } from './text.js';

const STATUS: Record<Paper['metadataStatus'], string> = {
  pending: 'details pending',
  ready: 'details from the source',
  failed: 'details unavailable (the source did not answer)',
  none: 'a link; details are not fetched',
};

const SOURCE_NAME: Record<Paper['ref']['kind'], string> = {
  arxiv: 'arXiv',
  huggingface: 'Hugging Face',
  openreview: 'OpenReview',
  doi: 'DOI',
  url: 'Link',
};

export function paperTitle(paper: Pick<Paper, 'title' | 'ref' | 'metadataStatus'>, max = 256) {
  return safeText(paperLabel(paper), max);
}

function authorsLine({ authors }: Paper) {
  if (authors.length === 0) return '';
  const shown = authors.slice(0, 8).join(', ');
  return safeText(authors.length > 8 ? `${shown} and ${authors.length - 8} more` : shown, 300);
}

export function paperCard(paper: Paper): RESTPostAPIChannelMessageJSONBody {
  const description = [
    authorsLine(paper),
    paper.abstract && safeText(paper.abstract, 700),
    paper.note && `**Note:** ${safeText(paper.note, 300)}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    embeds: [
      {
        title: paperTitle(paper),
        url: paper.ref.url,
        ...(description && { description }),
        fields: [
          {
            name: 'Presenter',
            value: paper.presenterId ? `<@${paper.presenterId}>` : 'needs a presenter',
            inline: true,
          },
          { name: 'Suggested by', value: paper.suggestedById ? `<@${paper.suggestedById}>` : 'a member', inline: true },
          {
            name: 'Status',
            value: paper.status === 'covered' ? 'covered' : STATUS[paper.metadataStatus],
            inline: true,
          },
        ],
        footer: {
          text: `${SOURCE_NAME[paper.ref.kind]} ${paper.ref.kind === 'url' ? '' : paper.ref.id}`.trim().slice(0, 200),
        },
      },
    ],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.Button,
            style: ButtonStyle.Secondary,
            label: `▲ Vote (${paper.votes ?? 0})`,
            custom_id: `paper:vote:${paper.id}`,
            // A covered paper's votes no longer count.
            disabled: paper.status !== 'queued',
          },
          ...(paper.presenterId || paper.status !== 'queued'
            ? []
            : [
                {
                  type: ComponentType.Button as const,
                  style: ButtonStyle.Primary as const,
                  label: "I'll present",
                  custom_id: `paper:present:${paper.id}`,
                },
              ]),
        ],
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export function queueLine(paper: QueueEntry, position: number) {
  const state =
    paper.status === 'current'
      ? '**now presenting**'
      : paper.status === 'covered'
        ? 'covered'
        : paper.metadataStatus === 'pending'
          ? 'details pending'
          : '';
  const presenter = paper.presenterId ? `presented by <@${paper.presenterId}>` : 'needs a presenter';
  const votes = paper.status === 'queued' ? ` · ▲ ${paper.votes ?? 0}${paper.pinned ? ' · placed by a host' : ''}` : '';
  // Long links are left off (the card has them) so ten lines always fit one embed.
  const title = paper.ref.url.length > 180 ? paperTitle(paper, 150) : `[${paperTitle(paper, 150)}](${paper.ref.url})`;
  return `${position}. ${title} · ${presenter}${votes}${state ? ` · ${state}` : ''}`;
}

/** `archived`: its page on the web archive, when the archive is on. */
export function historyLine(paper: Paper, archived?: string) {
  const when = paper.startedAt ?? paper.coveredAt;
  const date = when ? discordTime(when, 'D') : '';
  const presenter = paper.presenterId ? ` · <@${paper.presenterId}>` : '';
  const page = archived ? ` · [archive](<${archived}>)` : '';
  return `[${paperTitle(paper, 150)}](${paper.ref.url}) · ${date}${presenter}${page}`;
}

/** The first message of a paper's discussion thread. */
export function paperIntro(paper: Paper): RESTPostAPIChannelMessageJSONBody {
  const authors =
    paper.authors.length > 0
      ? safeText(paper.authors.slice(0, 8).join(', ') + (paper.authors.length > 8 ? ' et al.' : ''), 300)
      : '';
  const abstract = paper.abstract ? safeText(firstSentences(paper.abstract, 2), 800) : '';
  const lines = [
    `**${paperTitle(paper, 200)}**`,
    authors,
    abstract && `> ${abstract}`,
    `<${paper.ref.url}>`,
    '',
    'Questions for the session? Ask them here with `/ask` before it starts: they come up, with their votes, ' +
      'when this paper is presented.',
  ];
  return { content: lines.filter((line, i) => line !== '' || i === 4).join('\n'), allowed_mentions: { parse: [] } };
}

export const threadName = (paper: Paper) => cleanText(paperLabel(paper), 100) || 'Paper';

/** Said once in the announce channel when a moderator deletes a paper's thread. */
export const threadGoneNote = (paper: Paper) =>
  `The discussion thread of **${paperTitle(paper, 200)}** was deleted, so it goes on without one. ` +
  'Questions asked there before are kept for its session.';
