import { UserError } from './errors.js';
import { cleanText } from './papers/metadata.js';

/** Not blank once invisible characters are gone, and within `max`. */
export function requireText(text: string | null | undefined, field: string, max: number) {
  const cleaned = cleanText(text ?? '', Number.POSITIVE_INFINITY);
  if (cleaned.length === 0) throw new UserError('text-empty', `The ${field} is empty: write some words.`);
  if (cleaned.length > max)
    throw new UserError('text-too-long', `The ${field} is ${[...(text ?? '')].length} characters; keep it to ${max}.`);
  return cleaned;
}
