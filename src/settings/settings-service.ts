import type { GuildSettings } from '../domain/settings.js';
import type { RedisClient } from '../store/redis.js';
import { exportGuildData } from '../store/guild-export.js';
import type { SettingsStore } from '../store/settings-store.js';

export class SettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly redis: RedisClient,
  ) {}

  get(guildId: string): Promise<GuildSettings> {
    return this.store.get(guildId);
  }

  update(guildId: string, patch: Parameters<SettingsStore['update']>[1]): Promise<void> {
    return this.store.update(guildId, patch);
  }

  exportData(guildId: string): Promise<Record<string, unknown>> {
    return exportGuildData(this.redis, guildId);
  }
}
