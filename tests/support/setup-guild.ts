import { expect } from 'vitest';
import type { Harness } from './harness.js';

/** The seed's setup steps, as Tanishq runs them. */
export async function configureSeedGuild(h: Harness): Promise<void> {
  const tanishq = { guild: h.guild, user: 'Tanishq', channel: 'general' };
  for (const [sub, options] of [
    ['channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }],
    ['roles', { host: '@hosts', ping: '@paper-club' }],
    ['reminders', { offsets: '24h,1h,10m' }],
  ] as const) {
    expect((await h.emu.command(tanishq, 'setup', sub, options).answer()).content).toMatch(/^Saved/);
  }
}
