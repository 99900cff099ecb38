import { GuildScheduledEventStatus, type GuildScheduledEvent, type PartialGuildScheduledEvent } from 'discord.js';
import type { Services } from '../services.js';
import type { ScheduleStore } from '../store/schedule-store.js';

export async function onScheduledEventUpdate(
  services: Services,
  schedules: ScheduleStore,
  _before: GuildScheduledEvent | PartialGuildScheduledEvent | null,
  after: GuildScheduledEvent | PartialGuildScheduledEvent,
) {
  if (after.status !== GuildScheduledEventStatus.Completed || !after.guildId) return;
  const occurrence = await schedules.byEvent(after.guildId, after.id);
  const session = await services.live.current(after.guildId);
  if (!occurrence?.sessionId || session?.id !== occurrence.sessionId || session.status !== 'live') return;
  const at = services.now();
  await services.voice?.stop(after.guildId, at);
  await services.live.end(after.guildId, session, 'schedule', at).catch((error: unknown) => {
    // Ended meanwhile by a host.
    if (!(error instanceof Error && error.name === 'UserError')) throw error;
  });
}
