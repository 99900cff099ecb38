import { expect } from 'vitest';
import type { Invoker } from '../emulator/emulator.js';
import type { Harness } from './harness.js';

/** `as(h, 'Charlie')`: an invoker for the harness guild, in #general unless a channel is given. */
export function as(h: Harness, user: string, channel = 'general'): Invoker {
  return { guild: h.guild, user, channel };
}

/** Every message the bot sent in this run that could ping someone it did not mean to. */
export function mentionLeaks(h: Harness, intended: { roles?: string[]; users?: string[] } = {}) {
  return h.emu.posts.filter(
    (p) =>
      p.pings.everyone ||
      p.pings.roles.some((r) => !(intended.roles ?? []).includes(r)) ||
      p.pings.users.some((u) => !(intended.users ?? []).includes(u)),
  );
}

/** What every e2e test ends on: Discord accepted every request, and no message pinged anyone unintended. */
export function expectCleanDiscord(h: Harness, intended: { roles?: string[]; users?: string[] } = {}): void {
  expect(h.emu.violations).toEqual([]);
  expect(mentionLeaks(h, intended)).toEqual([]);
}
