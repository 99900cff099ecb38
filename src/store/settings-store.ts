import { z } from 'zod';
import { ARCHIVE_VISIBILITIES } from '../domain/archive/archive.js';
import { defaultSettings, type GuildSettings } from '../domain/settings.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';

const StoredSettings = z.object({
  announceChannelId: z.string().optional(),
  recapChannelId: z.string().optional(),
  stageChannelId: z.string().optional(),
  stageKind: z.enum(['stage', 'voice']).optional(),
  hostRoleId: z.string().optional(),
  pingRoleId: z.string().optional(),
  timeZone: z.string().optional(),
  papersForumId: z.string().optional(),
  queuedTagId: z.string().optional(),
  coveredTagId: z.string().optional(),
  reminderOffsets: z
    .string()
    .transform((s) => z.array(z.number().int().positive()).parse(JSON.parse(s)))
    .optional(),
  voiceEnabled: z
    .enum(['true', 'false'])
    .transform((s) => s === 'true')
    .optional(),
  transcriptEnabled: z
    .enum(['true', 'false'])
    .transform((s) => s === 'true')
    .optional(),
  archiveVisibility: z.enum(ARCHIVE_VISIBILITIES).optional(),
  archiveToken: z.string().optional(),
  archiveSlug: z.string().optional(),
  archiveTitle: z.string().optional(),
  pollOffset: z.coerce.number().int().positive().optional(),
  // 0: the default (48 h) turned off.
  confirmOffset: z.coerce
    .number()
    .int()
    .nonnegative()
    .transform((n) => (n === 0 ? undefined : n))
    .optional(),
});

type SettingsPatch = { [K in keyof GuildSettings]?: GuildSettings[K] | null };

/** Guild settings in one Redis hash; each /setup subcommand writes only its own fields. */
export class SettingsStore {
  constructor(private readonly redis: RedisClient) {}

  async get(guildId: string): Promise<GuildSettings> {
    // Fields absent from the hash are absent from the parsed object, so the defaults stay.
    return { ...defaultSettings(), ...StoredSettings.parse(await this.redis.hgetall(keys.settings(guildId))) };
  }

  /** `null` clears a field. */
  async update(guildId: string, patch: SettingsPatch) {
    const set: Record<string, string> = {};
    const clear: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) clear.push(field);
      else set[field] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    const key = keys.settings(guildId);
    const multi = this.redis.multi();
    if (Object.keys(set).length > 0) multi.hset(key, set);
    if (clear.length > 0) multi.hdel(key, ...clear);
    await multi.exec();
  }
}
