import { TimestampStyles, userMention } from '@discordjs/formatters';
import {
  durationLabel,
  talkLabel,
  type Recap,
  type RecapNote,
  type RecapPaper,
  type RecapQuestion,
} from '../domain/recap/recap.js';
import { offsetLabel } from '../domain/session/session.js';
import { discordTime, safeText } from '../discord/render/text.js';

/** How a recap names people and times: Discord shows mentions and timestamps; the file shows names and local times. */
export interface RecapStyle {
  person(userId: string): string;
  time(ms: number, withSeconds?: boolean): string;
  /** Text as written by members or sources, made safe for the medium. */
  text(text: string): string;
}

/** Member text made safe once, however many renderings use it (the Discord parts and the file). */
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
    person: (id) => userMention(id),
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

const asker = (q: RecapQuestion, style: RecapStyle) => (q.askerId ? style.person(q.askerId) : 'anonymous');

function note(n: RecapNote, recap: Recap, style: RecapStyle): string {
  return `${style.time(n.at)} (${offsetLabel(recap.startedAt, n.at)}) ${style.text(n.text)}`;
}

function paperLink(p: RecapPaper, style: RecapStyle): string {
  return `[${style.text(p.title).slice(0, 200)}](${p.url})`;
}

const span = (from: number, to: number, style: RecapStyle, between = '–') =>
  `${style.time(from, false)}${between}${style.time(to, false)}`;

/** Who presented a paper and when it started; a paper without a presenter says only when. */
function presented(paper: Recap['covered'][number], recap: Recap, style: RecapStyle): string {
  const from = `${style.time(paper.startedAt, false)} (${offsetLabel(recap.startedAt, paper.startedAt)}).`;
  return paper.presenterId ? `Presented by ${style.person(paper.presenterId)}, from ${from}` : `From ${from}`;
}

/** The recap as lines of Markdown; the same lines feed the Discord messages and the file. */
export function recapLines(recap: Recap, style: RecapStyle, heading: string): string[] {
  const lines: string[] = [`# ${heading}`, ''];
  const asked = recap.asked;
  const presenters = [...new Set(recap.covered.flatMap((p) => (p.presenterId ? [style.person(p.presenterId)] : [])))];
  const covered = `${recap.covered.length} paper${recap.covered.length === 1 ? '' : 's'} covered`;
  const duration = durationLabel(recap.endedAt - recap.startedAt);
  const summary = [
    `${covered}${presenters.length ? `, presented by ${presenters.join(', ')}` : ''}.`,
    `${asked} question${asked === 1 ? '' : 's'} asked, ${recap.answered.length} answered.`,
    recap.mostUpvoted
      ? `Most upvoted: “${style.text(recap.mostUpvoted.text)}” (${recap.mostUpvoted.votes} votes).`
      : '',
    `Duration ${duration}, from ${span(recap.startedAt, recap.endedAt, style, ' to ')}.`,
    recap.attendancePeak > 0 ? `Attendance peak: ${recap.attendancePeak} in the channel.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  lines.push('## Summary', summary, '');
  if (recap.recording) lines.push(`Recording: ${recap.recording}`, '');

  lines.push('## Papers covered');
  recap.covered.forEach((paper, i) => {
    lines.push(`### ${i + 1}. ${paperLink(paper, style)}`, presented(paper, recap, style));
    for (const h of recap.highlights.filter((n) => n.paperId === paper.id)) lines.push(`- ✦ ${note(h, recap, style)}`);
    for (const q of recap.answered.filter((x) => x.paperId === paper.id))
      lines.push(`- **Q** (${asker(q, style)}): ${style.text(q.text)}`, `  **A**: ${style.text(q.answer ?? '')}`);
    lines.push('');
  });
  const loose = recap.answered.filter((q) => !recap.covered.some((p) => p.id === q.paperId));
  const looseHighlights = recap.highlights.filter((n) => !recap.covered.some((p) => p.id === n.paperId));
  if (loose.length > 0 || looseHighlights.length > 0) {
    lines.push('## Outside the papers');
    for (const h of looseHighlights) lines.push(`- ✦ ${note(h, recap, style)}`);
    for (const q of loose)
      lines.push(`- **Q** (${asker(q, style)}): ${style.text(q.text)}`, `  **A**: ${style.text(q.answer ?? '')}`);
    lines.push('');
  }
  if (recap.unanswered.length > 0) {
    lines.push("## Unanswered (carried over to next week's agenda)");
    for (const q of recap.unanswered) lines.push(`- ${style.text(q.text)} (${asker(q, style)})`);
    lines.push('');
  }
  if (recap.takeaways.length > 0) {
    lines.push('## Key takeaways');
    for (const t of recap.takeaways) lines.push(`- ★ ${note(t, recap, style)}`);
    lines.push('');
  }
  if (recap.speakers.length > 0) {
    const voice = recap.speakerSource === 'voice';
    lines.push(voice ? '## Speaker timeline (who spoke when, from the voice channel)' : '## Speaker timeline');
    for (const s of recap.speakers) {
      const spans = s.segments.map((seg) => span(seg.from, seg.to, style)).join(', ');
      lines.push(
        `- ${style.person(s.userId)}: ${spans} (${voice ? talkLabel(s.totalMs) : durationLabel(s.totalMs)} in all)`,
      );
    }
    if (recap.talkByPaper.length > 0) {
      lines.push('', '**Talk time by paper**');
      const titles = new Map(recap.covered.map((p) => [p.id, p.title]));
      for (const { paperId, talk } of recap.talkByPaper) {
        const label = paperId ? style.text(titles.get(paperId) ?? 'a paper') : 'Before the first paper';
        lines.push(`- ${label}: ${talk.map((t) => `${style.person(t.userId)} ${talkLabel(t.totalMs)}`).join(', ')}`);
      }
    }
    if (recap.voiceGaps.length > 0) {
      const gaps = recap.voiceGaps.map((g) => span(g.from, g.to, style)).join(', ');
      lines.push('', `Not heard (the voice connection was down): ${gaps}`);
    }
    lines.push('');
  }
  return lines;
}
