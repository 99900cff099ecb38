import { TimestampStyles, userMention } from '@discordjs/formatters';
import {
  askerLabel,
  durationLabel,
  talkLabel,
  type Recap,
  type RecapNote,
  type RecapQuestion,
} from '../domain/recap/recap.js';
import { offsetLabel } from '../domain/session/session.js';
import { isLine, type RecapTranscript } from '../domain/transcript/transcript.js';
import { discordTime, safeText } from '../discord/render/text.js';
import { splitIntoMessages } from './split.js';

interface RecapStyle {
  person(userId: string): string;
  time(ms: number, withSeconds?: boolean): string;
  text(text: string): string;
}

/** Escapes each member text once for every rendering (the Discord parts and the file). */
export function sharedEscaper(): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let safe = cache.get(text);
    if (safe === undefined) cache.set(text, (safe = safeText(text, 1_600)));
    return safe;
  };
}

export function discordStyle(escape = sharedEscaper()): RecapStyle {
  return {
    person: userMention,
    time: (ms, seconds = true) => discordTime(ms, seconds ? TimestampStyles.MediumTime : TimestampStyles.ShortTime),
    text: escape,
  };
}

export function markdownStyle(names: Map<string, string>, timeZone: string, escape = sharedEscaper()): RecapStyle {
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
  // Zone offsets are whole minutes: format each minute once, add the seconds by arithmetic.
  const minutes = new Map<number, string>();
  return {
    person: (id) => names.get(id) ?? `member ${id}`,
    time: (ms) => {
      const minute = Math.floor(ms / 60_000);
      let hhmm = minutes.get(minute);
      if (hhmm === undefined) minutes.set(minute, (hhmm = clock.format(minute * 60_000)));
      return `${hhmm}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;
    },
    text: escape,
  };
}

/** The lines both renderings share, in one style. */
function pieces(recap: Recap, style: RecapStyle, cut = (text: string) => text) {
  const since = (at: number) => `(${offsetLabel(recap.startedAt, at)})`;
  const note = (n: RecapNote) => `${style.time(n.at)} ${since(n.at)} ${style.text(cut(n.text))}`;
  const asker = (q: RecapQuestion) => `${askerLabel(q, style.person)}${q.early ? ', asked before the session' : ''}`;
  const span = (from: number, to: number, between = '–') =>
    `${style.time(from, false)}${between}${style.time(to, false)}`;
  const { asked, covered } = recap;
  const presenters = [...new Set(covered.flatMap((p) => (p.presenterId ? [style.person(p.presenterId)] : [])))];
  const named = presenters.length > 8 ? [...presenters.slice(0, 8), `${presenters.length - 8} more`] : presenters;
  const papers = `${covered.length} paper${covered.length === 1 ? '' : 's'} covered`;
  const summary = [
    `${papers}${named.length ? `, presented by ${named.join(', ')}` : ''}.`,
    `${asked} question${asked === 1 ? '' : 's'} asked, ${recap.answered.length} answered.`,
    recap.mostUpvoted
      ? `Most upvoted: “${style.text(cut(recap.mostUpvoted.text))}” (${recap.mostUpvoted.votes} votes).`
      : '',
    `Duration ${durationLabel(recap.endedAt - recap.startedAt)}, from ${span(recap.startedAt, recap.endedAt, ' to ')}.`,
    recap.attendancePeak > 0 ? `Attendance peak: ${recap.attendancePeak} in the channel.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    note,
    asker,
    span,
    summary,
    highlight: (n: RecapNote) => `- ✦ ${note(n)}`,
    qa: (q: RecapQuestion) => [
      `- **Q** (${asker(q)}): ${style.text(cut(q.text))}`,
      `  **A**: ${style.text(cut(q.answer ?? ''))}`,
    ],
    paper: (paper: Recap['covered'][number], i: number) => {
      const from = `${style.time(paper.startedAt, false)} ${since(paper.startedAt)}.`;
      return [
        `### ${i + 1}. [${style.text(paper.title).slice(0, 200)}](${paper.url})`,
        paper.presenterId ? `Presented by ${style.person(paper.presenterId)}, from ${from}` : `From ${from}`,
        ...(paper.threadUrl ? [`Discussion: ${paper.threadUrl}`] : []),
      ];
    },
  };
}

/**
 * `page`: where the session is on the web archive (formatted for where the lines go), when the archive is on.
 * `withTranscript`: false leaves the transcript's lines out (/recap show points to /transcript show instead).
 */
export function recapLines(recap: Recap, style: RecapStyle, heading: string, page?: string, withTranscript = true) {
  const lines: string[] = [`# ${heading}`, ''];
  if (page) lines.push(`On the web: ${page}`, '');
  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push(title, ...items, '');
  };
  const { note, asker, span, summary, highlight, qa, paper } = pieces(recap, style);
  const { covered } = recap;
  lines.push('## Summary', summary, '');
  if (recap.recording) lines.push(`Recording: ${recap.recording}`, '');
  const { transcript } = recap;
  const written = transcript?.summary;
  if (written)
    lines.push(
      `## Written summary (generated by ${style.text(written.model)} from the transcript; it may contain mistakes)`,
      style.text(written.summary),
      '',
    );
  else if (transcript?.summaryMissing)
    lines.push('## Written summary', `No written summary: ${style.text(transcript.summaryMissing)}.`, '');

  lines.push('## Papers covered');
  covered.forEach((p, i) => {
    const chapter = written?.chapters.find((c) => c.paperId === p.id);
    lines.push(
      ...paper(p, i),
      ...(chapter ? [`*Chapter (generated), ${span(chapter.from, chapter.to)}:* ${style.text(chapter.summary)}`] : []),
      ...recap.highlights.filter((n) => n.paperId === p.id).map(highlight),
      ...recap.answered.filter((q) => q.paperId === p.id).flatMap(qa),
      '',
    );
  });
  const loose = (item: { paperId?: string }) => !covered.some((p) => p.id === item.paperId);
  section('## Outside the papers', [
    ...recap.highlights.filter(loose).map(highlight),
    ...recap.answered.filter(loose).flatMap(qa),
  ]);
  section(
    "## Unanswered (carried over to next week's agenda)",
    recap.unanswered.map((q) => `- ${style.text(q.text)} (${asker(q)})`),
  );
  section(
    '## Key takeaways',
    recap.takeaways.map((t) => `- ★ ${note(t)}`),
  );
  if (written) {
    const by = (id: string | undefined) => (id ? ` (${style.person(id)})` : '');
    section(
      '## Heard in the discussion (generated from the transcript; not logged with /ask)',
      written.heard.flatMap((h) => [
        `- **Q**${by(h.askedBy)}: ${style.text(h.question)}`,
        `  **A**${by(h.answeredBy)}: ${style.text(h.answer)}`,
      ]),
    );
    section(
      '## Suggested takeaways (generated)',
      written.takeaways.map((t) => `- ${style.text(t)}`),
    );
  }
  if (recap.speakers.length > 0) {
    const voice = recap.speakerSource === 'voice';
    lines.push(voice ? '## Speaker timeline (who spoke when, from the voice channel)' : '## Speaker timeline');
    for (const s of recap.speakers) {
      const spans = s.segments.map((seg) => span(seg.from, seg.to)).join(', ');
      lines.push(
        `- ${style.person(s.userId)}: ${spans} (${voice ? talkLabel(s.totalMs) : durationLabel(s.totalMs)} in all)`,
      );
    }
    if (recap.talkByPaper.length > 0) {
      lines.push('', '**Talk time by paper**');
      const titles = new Map(covered.map((p) => [p.id, p.title]));
      for (const { paperId, talk } of recap.talkByPaper) {
        const label = paperId ? style.text(titles.get(paperId) ?? 'a paper') : 'Before the first paper';
        lines.push(`- ${label}: ${talk.map((t) => `${style.person(t.userId)} ${talkLabel(t.totalMs)}`).join(', ')}`);
      }
    }
    if (recap.voiceGaps.length > 0) {
      const gaps = recap.voiceGaps.map((g) => span(g.from, g.to)).join(', ');
      lines.push('', `Not heard (the voice connection was down): ${gaps}`);
    }
    lines.push('');
  }
  if (transcript && withTranscript) lines.push(...transcriptSection(recap, transcript, style));
  return lines;
}

/** What opted-in members said, by paper, with names and times; gaps say what is missing. */
function transcriptSection(recap: Recap, transcript: RecapTranscript, style: RecapStyle) {
  const lines = ['## Transcript (members who opted in; generated by speech-to-text)'];
  const titles = new Map(recap.covered.map((p) => [p.id, p.title]));
  let paper: string | undefined | null = null;
  for (const entry of transcript.entries) {
    if (entry.paperId !== paper) {
      paper = entry.paperId;
      const title = paper && titles.get(paper);
      lines.push('', `### ${title ? style.text(title) : 'Before the first paper'}`);
    }
    const at = `${style.time(entry.from)} (${offsetLabel(recap.startedAt, entry.from)})`;
    lines.push(
      isLine(entry)
        ? `- ${at} **${style.person(entry.userId)}**: ${style.text(entry.text)}`
        : `- ${at} **${style.person(entry.userId)}**: *not transcribed, ${style.time(entry.from)}–${style.time(
            entry.to,
          )} (${style.text(entry.gap)})*`,
    );
  }
  if (transcript.entries.length === 0) lines.push('Nobody who opted in was heard.');
  if (transcript.untranscribed)
    lines.push('', `${transcript.untranscribed} utterances were still waiting for their text and are not here.`);
  lines.push('');
  return lines;
}

/** At most this many messages in the recap channel, whatever the session's size; the attached file holds the rest. */
export const DIGEST_MESSAGES = 5;

/** How much of each list the digest shows, richest first; the last level fits any session in DIGEST_MESSAGES. */
const DETAIL = [
  { papers: 12, highlights: 2, questions: 5, takeaways: 5, chars: 300 },
  { papers: 12, highlights: 1, questions: 3, takeaways: 3, chars: 200 },
  { papers: 10, highlights: 0, questions: 1, takeaways: 1, chars: 150 },
  { papers: 8, highlights: 0, questions: 0, takeaways: 0, chars: 100 },
];

/** At the richest DETAIL that fits DIGEST_MESSAGES messages. */
export function recapDigest(recap: Recap, style: RecapStyle, heading: string, fileName: string, page?: string) {
  let parts: string[] = [];
  for (const detail of DETAIL) {
    parts = splitIntoMessages(digestLines(recap, style, heading, fileName, detail, page));
    if (parts.length <= DIGEST_MESSAGES) break;
  }
  return parts;
}

function digestLines(
  recap: Recap,
  style: RecapStyle,
  heading: string,
  fileName: string,
  detail: (typeof DETAIL)[number],
  page: string | undefined,
) {
  const cut = (text: string) => (text.length <= detail.chars ? text : `${text.slice(0, detail.chars - 1).trimEnd()}…`);
  const { note, summary, highlight, qa, paper } = pieces(recap, style, cut);
  const more = (left: number, what: string) => (left > 0 ? [`…and ${left} more ${what} in the file.`] : []);
  const lines = [`# ${heading}`, '', '## Summary', summary, ''];
  if (recap.recording) lines.push(`Recording: ${recap.recording}`, '');
  const papers = recap.covered.slice(0, detail.papers);
  if (papers.length > 0) lines.push('## Papers covered');
  papers.forEach((p, i) => {
    const notes = recap.highlights.filter((n) => n.paperId === p.id);
    lines.push(...paper(p, i), ...notes.slice(0, detail.highlights).map(highlight));
  });
  if (papers.length > 0) lines.push(...more(recap.covered.length - papers.length, 'papers'), '');
  const top = [...recap.answered].sort((a, b) => b.votes - a.votes).slice(0, detail.questions);
  if (top.length > 0)
    lines.push(
      '## Top questions',
      ...top.flatMap(qa),
      ...more(recap.answered.length - top.length, 'answered questions'),
      '',
    );
  const takeaways = recap.takeaways.slice(0, detail.takeaways);
  if (takeaways.length > 0) lines.push('## Key takeaways', ...takeaways.map((t) => `- ★ ${note(t)}`), '');
  const open = recap.unanswered.length;
  if (open > 0) lines.push(`${open} unanswered question${open === 1 ? '' : 's'} carried over to next week's agenda.`);
  const said = recap.transcript?.summary ? ', what was said and a written summary' : ', what was said';
  const extra = recap.transcript ? said : '';
  const everything = `every question and answer, every highlight, the speaker timeline${extra}`;
  lines.push(
    `The full recap (${everything}) is in the attached file, ` +
      (page ? `${fileName}, and on the web: ${page}` : `${fileName}.`),
  );
  return lines;
}
