import { escapeMarkdown } from 'discord.js';
import { cleanText } from '../../domain/papers/metadata.js';

/**
 * User or source text made safe to show: one line, bounded, markdown escaped,
 * and mention syntax defused (a zero-width joiner after every @), so that even
 * where Discord would render a mention it shows as plain text.
 */
export function safeText(text: string, max: number): string {
  const escaped = escapeMarkdown(cleanText(text, max), { heading: true, maskedLink: true });
  return cleanText(escaped, max).replace(/@/g, '@\u200d').replace(/<(?=[@#&:]|t:)/g, '<\u200d');
}

/** A Discord timestamp every reader sees in their own time zone. */
export function discordTime(ms: number, style: 'f' | 'F' | 'R' | 'D' | 't' = 'f'): string {
  return `<t:${Math.floor(ms / 1000)}:${style}>`;
}
