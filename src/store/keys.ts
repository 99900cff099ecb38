/**
 * Every Redis key Lectern writes. A guild's keys share the hash tag `{guildId}`
 * so that multi-key scripts stay on one slot of a Redis Cluster.
 */
export const PREFIX = 'lectern';

export const keys = {
  guildPattern: (guildId: string) => `${PREFIX}:{${guildId}}:*`,
  settings: (guildId: string) => `${PREFIX}:{${guildId}}:settings`,
  /** Rate-limit counters live outside the guild namespace: they are not guild data and never exported. */
  rateLimit: (guildId: string, userId: string, bucket: string) => `${PREFIX}:rl:{${guildId}}:${userId}:${bucket}`,
  commandsHash: (applicationId: string, scope: string) => `${PREFIX}:meta:commands:${applicationId}:${scope}`,
};
