import { offsetLabel } from '../../domain/session/session.js';
import { isLine, type TranscriptEntry } from '../../domain/transcript/transcript.js';
import { discordTime, safeText } from './text.js';

/** One line per entry, with a heading each time the paper changes: `+0:12:03 @member: what they said`. */
export function transcriptLines(entries: TranscriptEntry[], startedAt: number, titles: ReadonlyMap<string, string>) {
  const lines: string[] = [];
  let paper: string | undefined | null = null;
  for (const entry of entries) {
    if (entry.paperId !== paper) {
      paper = entry.paperId;
      const title = paper ? titles.get(paper) : undefined;
      lines.push(`**${title ? safeText(title, 200) : paper ? 'A paper since removed' : 'Before the first paper'}**`);
    }
    const at = `\`${offsetLabel(startedAt, entry.from)}\``;
    lines.push(
      isLine(entry)
        ? `${at} <@${entry.userId}>: ${safeText(entry.text, 1_500)}`
        : `${at} <@${entry.userId}>: *not transcribed, ${discordTime(entry.from, 'T')}–${discordTime(entry.to, 'T')}*`,
    );
  }
  return lines;
}
