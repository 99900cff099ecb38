import { time, TimestampStyles, type TimestampStylesString } from '@discordjs/formatters';
import { cleanText } from '../../domain/papers/metadata.js';

// Inline markdown (bold, italics, strike, code, spoilers, masked links) and, at the start, quotes, headings and lists.
const INLINE_MARKDOWN = /[\\*_~`|[\]]/g;
const LEADING_MARKDOWN = /^(\s*)([>#-]|\d+\.)(?=\s)/;

/**
 * User or source text made safe to show inline: one line, bounded, markdown
 * escaped, and mention syntax defused (a zero-width joiner after every @ and
 * before a `<@`, `<#`, `<t:`), so it shows as the words typed and pings nobody.
 */
export function safeText(text: string, max: number): string {
  const safe = cleanText(text, max)
    .replace(INLINE_MARKDOWN, '\\$&')
    .replace(
      LEADING_MARKDOWN,
      (_all, space: string, marker: string) =>
        `${space}${marker.endsWith('.') ? `${marker.slice(0, -1)}\\.` : `\\${marker}`}`,
    )
    .replace(/@/g, '@\u200d')
    .replace(/<(?=[@#&:]|t:)/g, '<\u200d');
  // Escapes add characters: cut again, never leaving a dangling backslash.
  return safe.length <= max ? safe : `${safe.slice(0, max - 1).replace(/\\+$/, '')}…`;
}

/** A Discord timestamp every reader sees in their own time zone. */
export function discordTime(ms: number, style: TimestampStylesString = TimestampStyles.LongDateShortTime): string {
  return time(Math.floor(ms / 1000), style);
}

/**
 * Joins items until `max` characters, then says how many more there are; never
 * cuts an item. `total`: how many there are in all, when `items` holds only the first of them.
 */
export function boundedList(items: string[], max: number, separator = '\n', total = items.length): string {
  const shown: string[] = [];
  let size = 0;
  for (const [i, item] of items.entries()) {
    const more = `${separator}…and ${total - i} more`;
    if (size + item.length + separator.length + (i < total - 1 ? more.length : 0) > max) {
      return shown.length > 0 ? `${shown.join(separator)}${separator}…and ${total - i} more` : `${total} in all`;
    }
    shown.push(item);
    size += item.length + separator.length;
  }
  return total > items.length
    ? `${shown.join(separator)}${separator}…and ${total - items.length} more`
    : shown.join(separator);
}
