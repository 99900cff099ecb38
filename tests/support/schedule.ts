import type { Queue } from 'bullmq';
import { WEEKDAYS } from '../../src/domain/schedule/weekly.js';
import type { Emulator } from '../emulator/emulator.js';
import type { WorldGuild } from '../emulator/world.js';
import { eventually } from './harness.js';

/** The next whole UTC minute at least `minLeadMs` after `now`, as /schedule set takes it. */
export function slotAhead(now: number, minLeadMs = 15_000): { start: number; weekday: string; time: string } {
  let start = Math.ceil(now / 60_000) * 60_000;
  while (start - now < minLeadMs) start += 60_000;
  const date = new Date(start);
  return { start, weekday: WEEKDAYS[date.getUTCDay()]!, time: date.toISOString().slice(11, 16) };
}

/** Reminder offsets (whole seconds before `start`) that fall `secondsFromNow` after `now`. */
export function offsetsFor(
  start: number,
  now: number,
  secondsFromNow: number[],
): { text: string; seconds: number[]; targets: number[] } {
  const lead = Math.floor((start - now) / 1000);
  const offsets = secondsFromNow.map((s) => lead - s);
  return {
    text: offsets.map((o) => `${o}s`).join(','),
    seconds: offsets,
    targets: offsets.map((o) => start - o * 1000),
  };
}

/** The agenda and reminder messages in the announce channel (not paper cards or boards). */
export function schedulePosts(emu: Emulator, guild: WorldGuild) {
  const announce = emu.world.channelByName(guild, 'announcements').id;
  const created = emu.posts.filter((p) => p.action === 'create' && p.channelId === announce);
  return {
    agendas: created.filter((p) => p.message.embeds[0]?.title?.startsWith('Agenda')),
    reminders: created.filter((p) => p.message.content.includes('Paper reading starts in')),
  };
}

/**
 * Waits until no `schedule.post` job of the session at `start` is left to run (waiting, running, delayed or in a
 * retry's backoff): every agenda, reminder and DM of it has gone out, so what the emulator holds now is final.
 */
export async function postsSettled(queue: Queue, guildId: string, start: number, timeoutMs = 20_000): Promise<void> {
  const isPost = (job: { name: string; data: { guildId?: string; start?: number } }) =>
    job.name === 'schedule.post' && job.data.guildId === guildId && job.data.start === start;
  await eventually(
    async () => !(await queue.getJobs(['wait', 'prioritized', 'active', 'delayed'])).some(isPost),
    timeoutMs,
    "the session's posts to be done",
  );
}
