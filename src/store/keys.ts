/**
 * Every Redis key Lectern writes. A guild's keys share the hash tag `{guildId}`
 * so that multi-key scripts stay on one slot of a Redis Cluster.
 */
export const PREFIX = 'lectern';

/** Question statuses a session keeps a ranking of, and `all` for every question. */
export type RankedStatus = 'open' | 'answered' | 'dismissed' | 'all';

const guild = (guildId: string) => `${PREFIX}:{${guildId}}`;
const inSession = (guildId: string, sessionId: string) => `${guild(guildId)}:session:${sessionId}`;

export const keys = {
  guildPattern: (guildId: string) => `${guild(guildId)}:*`,
  settings: (guildId: string) => `${guild(guildId)}:settings`,
  paperQueue: (guildId: string) => `${guild(guildId)}:papers:queue`,
  paper: (guildId: string, paperId: string) => `${guild(guildId)}:paper:${paperId}`,
  paperHistory: (guildId: string) => `${guild(guildId)}:papers:history`,
  /** The id of the paper being presented. */
  currentPaper: (guildId: string) => `${guild(guildId)}:papers:current`,
  /** Dedup key → id of the queued paper. */
  paperDedup: (guildId: string) => `${guild(guildId)}:papers:dedup`,
  /** Dedup key → when that paper was last read here (ms). */
  paperRead: (guildId: string) => `${guild(guildId)}:papers:read`,
  /** The live session: a hash of its id, status, startedAt and startedBy; absent when none is live. */
  currentSession: (guildId: string) => `${guild(guildId)}:session:current`,
  session: inSession,
  timeline: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:timeline`,
  /** Talk time per member (ms) heard in the voice channel. */
  talk: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:talk`,
  /** Raised hands, first in line first, and the topic each gave. */
  hands: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:hands`,
  handTopics: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:hands:topics`,
  /** Members on stage: a sorted set, every score 0, so it reads in id order. */
  stage: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:stage`,
  /** Every question of the session (score: asked at). */
  questions: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:questions`,
  /**
   * Questions by votes: score is minus the votes and the member is the question's `rank` field (asked at,
   * 15 digits, `:`, id), so ZRANGE reads most votes first and, among equal votes, the earliest asked first.
   */
  ranked: (guildId: string, sessionId: string, status: RankedStatus) =>
    `${inSession(guildId, sessionId)}:rank:${status}`,
  /** Open question (its rank member) → its text in lower case, for a search that reads no question hash. */
  openTexts: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:open:texts`,
  /** Questions whose card is not posted yet (score: asked at). */
  uncarded: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:uncarded`,
  recap: (guildId: string, sessionId: string) => `${inSession(guildId, sessionId)}:recap`,
  recapPosts: (guildId: string, sessionId: string, edition: string) =>
    `${inSession(guildId, sessionId)}:posts:${edition}`,
  sessions: (guildId: string) => `${guild(guildId)}:sessions`,
  schedule: (guildId: string) => `${guild(guildId)}:schedule`,
  /** The session the schedule has opened next (its start, ms). */
  openOccurrence: (guildId: string) => `${guild(guildId)}:occurrence:open`,
  occurrence: (guildId: string, start: number) => `${guild(guildId)}:occurrence:${start}`,
  /** Every opened occurrence by start, to find the one a /session start belongs to. */
  occurrences: (guildId: string) => `${guild(guildId)}:occurrences`,
  question: (guildId: string, questionId: string) => `${guild(guildId)}:question:${questionId}`,
  voters: (guildId: string, questionId: string) => `${guild(guildId)}:question:${questionId}:voters`,
  /** Set while a post (board, cards, a question's card) has a job waiting; see session scripts' markDirty. */
  dirty: (guildId: string, what: string) => `${guild(guildId)}:dirty:${what}`,
  /** Fetched paper metadata, shared by all guilds. */
  metadataCache: (source: string, id: string) => `${PREFIX}:cache:metadata:${source}:${id}`,
  /** Rate-limit counters live outside the guild namespace: they are not guild data and never exported. */
  rateLimit: (guildId: string, userId: string, bucket: string) => `${PREFIX}:rl:{${guildId}}:${userId}:${bucket}`,
  commandsHash: (applicationId: string, scope: string) => `${PREFIX}:meta:commands:${applicationId}:${scope}`,
  /** The data's schema version (src/store/migrations.ts), and the lock one process holds while it migrates. */
  schemaVersion: () => `${PREFIX}:meta:schema`,
  schemaLock: () => `${PREFIX}:meta:schema:lock`,
};

/** One session's keys by the role its scripts give them (each script's header lists its KEYS by these roles). */
export function sessionKeys(guildId: string, sessionId: string) {
  return {
    live: keys.currentSession(guildId),
    session: keys.session(guildId, sessionId),
    timeline: keys.timeline(guildId, sessionId),
    hands: keys.hands(guildId, sessionId),
    topics: keys.handTopics(guildId, sessionId),
    stage: keys.stage(guildId, sessionId),
    questions: keys.questions(guildId, sessionId),
    rank: (status: RankedStatus) => keys.ranked(guildId, sessionId, status),
    openTexts: keys.openTexts(guildId, sessionId),
    uncarded: keys.uncarded(guildId, sessionId),
    currentPaper: keys.currentPaper(guildId),
    boardDirty: keys.dirty(guildId, 'board'),
    cardsDirty: keys.dirty(guildId, 'cards'),
  };
}
