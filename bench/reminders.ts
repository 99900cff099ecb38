import type { Emulator, Invoker } from '../tests/emulator/emulator.js';
import type { WorldGuild } from '../tests/emulator/world.js';
import { paperClub } from '../tests/support/guild.js';
import { offsetsFor, slotAhead } from '../tests/support/schedule.js';
import { parseReminderOffsets } from '../src/domain/settings.js';
import { percentile, type Figure } from './stats.js';

const GUILDS = 20;
/** Ten posts per guild (the agenda and nine reminders), one a second: each second, one post per guild falls due. */
const SECONDS_FROM_NOW = Array.from({ length: 10 }, (_, i) => 8 + i);

/** The guilds must exist before the bot connects (they arrive with READY). */
export function reminderGuilds(emu: Emulator): WorldGuild[] {
  return Array.from({ length: GUILDS }, (_, i) => paperClub(emu, { name: `Reminder club ${i}` }));
}

/**
 * Reminder punctuality: 20 guilds schedule the same slot with ten posts each,
 * through the real commands; each post's lateness is when Discord got it
 * minus when it was due.
 */
export async function reminderPunctuality(
  emu: Emulator,
  guilds: WorldGuild[],
): Promise<{ figures: Record<string, Figure>; line: string }> {
  const slot = slotAhead(Date.now(), 40_000);
  const offsets = offsetsFor(slot.start, Date.now() + 5_000, SECONDS_FROM_NOW);
  for (const guild of guilds) {
    const host: Invoker = { guild, user: 'Tanishq', channel: 'general' };
    await emu
      .command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
      .answer();
    await emu.command(host, 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();
    await emu.command(host, 'setup', 'reminders', { offsets: offsets.text }).answer();
    await emu.command(host, 'schedule', 'set', { weekday: slot.weekday, time: slot.time, timezone: 'UTC' }).answer();
  }
  const announce = new Map(guilds.map((g) => [emu.world.channelByName(g, 'announcements').id, g]));
  const expected = guilds.length * SECONDS_FROM_NOW.length;
  const posts = () =>
    emu.posts.filter(
      (p) =>
        p.action === 'create' &&
        announce.has(p.channelId) &&
        (p.message.embeds[0]?.title?.startsWith('Agenda') || p.message.content.includes('Paper reading starts in')),
    );
  const deadline = Math.max(...offsets.targets) + 10_000;
  while (posts().length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const lateness: number[] = [];
  for (const post of posts()) {
    // The agenda is due at the largest offset; a reminder names its own.
    const named = post.message.content.match(/starts in ([\dhms]+)\*\*/)?.[1];
    const offset = named ? parseReminderOffsets(named)[0]! : Math.max(...offsets.seconds);
    lateness.push(post.at - (slot.start - offset * 1000));
  }
  const posted = posts().length;
  const [p50, p99, max] = [percentile(lateness, 50), percentile(lateness, 99), Math.max(...lateness)];
  return {
    figures: {
      reminders_posted: { value: posted, unit: 'count' },
      reminders_expected: { value: expected, unit: 'count' },
      reminder_lateness_p50: { value: p50, unit: 'ms' },
      reminder_lateness_p99: { value: p99, unit: 'ms', target: { op: '<', value: 1_000 } },
      reminder_lateness_max: { value: max, unit: 'ms' },
    },
    line:
      `reminders: ${posted} of ${expected} posted once each (${guilds.length} guilds, ${guilds.length} due each ` +
      `second), lateness p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
  };
}
