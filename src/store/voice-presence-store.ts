import type { Redis } from 'ioredis';
import { keys } from './keys.js';

/**
 * The gateway's view of who is in which voice channel, kept in Redis so that
 * a script can check "is the first raised hand in the stage channel?" in the
 * same step as it calls them, without the caller sending the channel's
 * member list. Written only by the gateway process that owns the guild.
 */
export class VoicePresenceStore {
  constructor(private readonly redis: Redis) {}

  /** A member joined, moved or left (`channelId` null) voice. */
  async moved(guildId: string, userId: string, channelId: string | null): Promise<void> {
    const key = keys.voicePresence(guildId);
    await (channelId ? this.redis.hset(key, userId, channelId) : this.redis.hdel(key, userId));
  }

  /** Replaces the guild's whole mirror in one step, with `members` as user id → channel id. */
  async replace(guildId: string, members: Iterable<readonly [string, string]>): Promise<void> {
    const key = keys.voicePresence(guildId);
    const flat: string[] = [];
    for (const [userId, channelId] of members) flat.push(userId, channelId);
    const multi = this.redis.multi().del(key);
    if (flat.length > 0) multi.hset(key, ...flat);
    await multi.exec();
  }
}
