import {
  DiscordAPIError,
  GuildScheduledEventEntityType,
  GuildScheduledEventPrivacyLevel,
  GuildScheduledEventStatus,
  Routes,
  type REST,
} from 'discord.js';

interface EventDetails {
  name: string;
  description: string;
  start: number;
  end: number;
  channelId: string;
  kind: 'stage' | 'voice';
}

interface ApiEvent {
  id: string;
  status: GuildScheduledEventStatus;
  channel_id: string | null;
  scheduled_start_time: string;
}

const UNKNOWN_EVENT = 10070;

export class DiscordScheduledEvents {
  constructor(private readonly rest: REST) {}

  async get(guildId: string, eventId: string) {
    try {
      return (await this.rest.get(Routes.guildScheduledEvent(guildId, eventId))) as ApiEvent;
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === UNKNOWN_EVENT) return undefined;
      throw error;
    }
  }

  /** What an earlier run may have created. */
  async find(guildId: string, channelId: string, start: number) {
    const events = (await this.rest.get(Routes.guildScheduledEvents(guildId))) as ApiEvent[];
    return events.find(
      (e) =>
        e.channel_id === channelId &&
        Date.parse(e.scheduled_start_time) === start &&
        e.status === GuildScheduledEventStatus.Scheduled,
    );
  }

  async create(guildId: string, details: EventDetails) {
    return ((await this.rest.post(Routes.guildScheduledEvents(guildId), { body: this.body(details) })) as ApiEvent).id;
  }

  async update(guildId: string, eventId: string, details: EventDetails) {
    await this.rest.patch(Routes.guildScheduledEvent(guildId, eventId), { body: this.body(details) });
  }

  /** False when Discord refuses (already there, or past it). */
  async setStatus(guildId: string, eventId: string, status: GuildScheduledEventStatus) {
    try {
      await this.rest.patch(Routes.guildScheduledEvent(guildId, eventId), { body: { status } });
      return true;
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === UNKNOWN_EVENT || error.status === 400)) return false;
      throw error;
    }
  }

  private body({ name, description, channelId, kind, start, end }: EventDetails) {
    return {
      name: name.slice(0, 100),
      description: description.slice(0, 1000),
      channel_id: channelId,
      entity_type: kind === 'stage' ? GuildScheduledEventEntityType.StageInstance : GuildScheduledEventEntityType.Voice,
      privacy_level: GuildScheduledEventPrivacyLevel.GuildOnly,
      scheduled_start_time: new Date(start).toISOString(),
      scheduled_end_time: new Date(end).toISOString(),
    };
  }
}
