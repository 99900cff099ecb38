/**
 * Every Redis key Lectern writes. A guild's keys share the hash tag `{guildId}`
 * so that multi-key scripts stay on one slot of a Redis Cluster.
 */
export const PREFIX = 'lectern';

export const keys = {
  guildPattern: (guildId: string) => `${PREFIX}:{${guildId}}:*`,
  /** The guild's prefix, for Lua scripts that name the guild's other keys. */
  guildPrefix: (guildId: string) => `${PREFIX}:{${guildId}}:`,
  settings: (guildId: string) => `${PREFIX}:{${guildId}}:settings`,
  paperQueue: (guildId: string) => `${PREFIX}:{${guildId}}:papers:queue`,
  paper: (guildId: string, paperId: string) => `${PREFIX}:{${guildId}}:paper:${paperId}`,
  paperHistory: (guildId: string) => `${PREFIX}:{${guildId}}:papers:history`,
  currentSession: (guildId: string) => `${PREFIX}:{${guildId}}:session:current`,
  session: (guildId: string, sessionId: string) => `${PREFIX}:{${guildId}}:session:${sessionId}`,
  timeline: (guildId: string, sessionId: string) => `${PREFIX}:{${guildId}}:session:${sessionId}:timeline`,
  /** Talk time per member (ms) heard in the voice channel. */
  talk: (guildId: string, sessionId: string) => `${PREFIX}:{${guildId}}:session:${sessionId}:talk`,
  /** Questions whose card is not posted yet (score: asked at). */
  uncarded: (guildId: string, sessionId: string) => `${PREFIX}:{${guildId}}:session:${sessionId}:uncarded`,
  recap: (guildId: string, sessionId: string) => `${PREFIX}:{${guildId}}:session:${sessionId}:recap`,
  recapPosts: (guildId: string, sessionId: string, edition: string) =>
    `${PREFIX}:{${guildId}}:session:${sessionId}:posts:${edition}`,
  sessions: (guildId: string) => `${PREFIX}:{${guildId}}:sessions`,
  schedule: (guildId: string) => `${PREFIX}:{${guildId}}:schedule`,
  /** The session the schedule has opened next (its start, ms). */
  openOccurrence: (guildId: string) => `${PREFIX}:{${guildId}}:occurrence:open`,
  occurrence: (guildId: string, start: number) => `${PREFIX}:{${guildId}}:occurrence:${start}`,
  /** Every opened occurrence by start, to find the one a /session start belongs to. */
  occurrences: (guildId: string) => `${PREFIX}:{${guildId}}:occurrences`,
  question: (guildId: string, questionId: string) => `${PREFIX}:{${guildId}}:question:${questionId}`,
  /** Fetched paper metadata, shared by all guilds. */
  metadataCache: (source: string, id: string) => `${PREFIX}:cache:metadata:${source}:${id}`,
  /** Rate-limit counters live outside the guild namespace: they are not guild data and never exported. */
  rateLimit: (guildId: string, userId: string, bucket: string) => `${PREFIX}:rl:{${guildId}}:${userId}:${bucket}`,
  /**
   * Who is in which voice channel (user id → channel id), as the gateway that owns the guild last saw it.
   * A mirror of Discord's state, not guild data: outside the guild's namespace, so never exported.
   */
  voicePresence: (guildId: string) => `${PREFIX}:voice:{${guildId}}`,
  commandsHash: (applicationId: string, scope: string) => `${PREFIX}:meta:commands:${applicationId}:${scope}`,
};
