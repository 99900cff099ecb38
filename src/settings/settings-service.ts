import type { RedisClient } from '../store/redis.js';
import { exportGuildData } from '../store/guild-export.js';
import type { SettingsStore } from '../store/settings-store.js';

export class SettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly redis: RedisClient,
  ) {}

  get(guildId: string) {
    return this.store.get(guildId);
  }

  update(...change: Parameters<SettingsStore['update']>) {
    return this.store.update(...change);
  }

  exportData(guildId: string) {
    return exportGuildData(this.redis, guildId);
  }
}
