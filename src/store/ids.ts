import { randomBytes } from 'node:crypto';

/** A short unique id (time, then randomness), known before anything is stored. */
export function newId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
