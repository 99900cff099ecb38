import { time, TimestampStyles, type TimestampStylesString } from '@discordjs/formatters';
import { cleanText } from '../../domain/papers/metadata.js';

// Inline markdown, and quotes, headings and lists at the start.
const INLINE_MARKDOWN = /[\\*_~`|[\]]/g;
const LEADING_MARKDOWN = /^(\s*)([>#-]|\d+\.)(?=\s)/;

/** Markdown escaped and mentions defused (zero-width joiner): shows as typed, pings nobody. */
export function safeText(text: string, max: number) {
  const safe = cleanText(text, max)
    .replace(INLINE_MARKDOWN, '\\$&')
    .replace(
      LEADING_MARKDOWN,
      (_all, space: string, marker: string) =>
        `${space}${marker.endsWith('.') ? `${marker.slice(0, -1)}\\.` : `\\${marker}`}`,
    )
    .replace(/@/g, '@\u200d')
    .replace(/<(?=[@#&:]|t:)/g, '<\u200d');
  // Escapes add characters: cut again, without a dangling backslash.
  return safe.length <= max ? safe : `${safe.slice(0, max - 1).replace(/\\+$/, '')}…`;
}

export function discordTime(ms: number, style: TimestampStylesString = TimestampStyles.LongDateShortTime): string {
  return time(Math.floor(ms / 1000), style);
}

/** Never cuts an item. `total`: all items, when `items` holds only the first. */
export function boundedList(items: string[], max: number, separator = '\n', total = items.length) {
  const more = (left: number) => `${separator}…and ${left} more`;
  let size = 0;
  for (const [i, item] of items.entries()) {
    if (size + item.length + separator.length + (i < total - 1 ? more(total - i).length : 0) > max) {
      return i > 0 ? items.slice(0, i).join(separator) + more(total - i) : `${total} in all`;
    }
    size += item.length + separator.length;
  }
  return items.join(separator) + (total > items.length ? more(total - items.length) : '');
}
