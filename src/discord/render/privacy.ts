import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from 'discord.js';
import type { Forgotten } from '../../domain/privacy/forget.js';

/** What /privacy delete says it will remove, before the member confirms. */
export const WHAT_DELETE_REMOVES = [
  '**Delete what Lectern stores about you in this server?** This removes:',
  '• your votes on questions and papers (their counts go down);',
  '• your raised hands and places on stage, when you joined, left and spoke, and your talk time;',
  '• your lines in session transcripts (and written summaries made from them), and your transcript opt-in;',
  '• your name on the questions you asked: the questions stay, asked by "a member";',
  '• you as presenter or suggester of papers: the papers stay (a queued one will need a presenter);',
  '• you in past recaps, and your name in the web archive;',
  '• as a host, your name on what you did (sessions, papers started, calls, notes): those stay, unsigned;',
  '• the record of presenter reminders sent to you.',
  'Messages already posted in Discord stay as they are, and anonymous questions were never linked to you. ' +
    'This cannot be undone.',
].join('\n');

/** The red Confirm and the Cancel button, given their custom ids. */
export function confirmButtons(confirmId: string, cancelId: string): APIActionRowComponent<APIButtonComponent>[] {
  const button = (custom_id: string, label: string, style: ButtonStyle.Danger | ButtonStyle.Secondary) => ({
    type: ComponentType.Button as const,
    style,
    label,
    custom_id,
  });
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        button(confirmId, 'Delete my data', ButtonStyle.Danger),
        button(cancelId, 'Cancel', ButtonStyle.Secondary),
      ],
    },
  ];
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What /privacy delete removed, one line for each kind it found. */
export function removedSummary(f: Forgotten) {
  const lines = [
    f.questionsAsked > 0 && `your name on ${plural(f.questionsAsked, 'question')} (now asked by "a member")`,
    f.questionVotes > 0 && plural(f.questionVotes, 'question vote'),
    f.paperVotes > 0 && plural(f.paperVotes, 'paper vote'),
    f.presented > 0 && `you as presenter of ${plural(f.presented, 'paper')}`,
    f.suggested > 0 && `you as the one who suggested ${plural(f.suggested, 'paper')}`,
    f.hands > 0 && plural(f.hands, 'raised hand'),
    f.stage > 0 && plural(f.stage, 'place on stage', 'places on stage'),
    f.talk > 0 && `your talk time in ${plural(f.talk, 'session')}`,
    f.events > 0 && plural(f.events, 'moment of session timelines', 'moments of session timelines'),
    f.recaps > 0 && `you in ${plural(f.recaps, 'recap')}`,
    f.scheduleMarks > 0 && plural(f.scheduleMarks, 'presenter reminder record'),
    f.archiveName && 'your name in the web archive',
    f.transcriptLines > 0 && plural(f.transcriptLines, 'transcript line'),
    f.transcriptConsent && 'your transcript opt-in',
  ].filter((line): line is string => typeof line === 'string');
  return lines.length === 0
    ? 'Done: Lectern stored nothing about you here.'
    : `Done. Removed:\n${lines.map((line) => `• ${line}`).join('\n')}`;
}
