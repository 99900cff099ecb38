/** A guild's keys share the hash tag `{guildId}` so that multi-key scripts stay on one Redis Cluster slot. */
export const PREFIX = 'lectern';

export const RANKED_STATUSES = ['open', 'answered', 'dismissed', 'all'] as const;
export type RankedStatus = (typeof RANKED_STATUSES)[number];

const guild = (guildId: string) => `${PREFIX}:{${guildId}}`;
const inSession = (guildId: string, sessionId: string) => `${guild(guildId)}:session:${sessionId}`;
const inGuild = (suffix: string) => (guildId: string) => `${guild(guildId)}:${suffix}`;
const ofSession = (suffix: string) => (guildId: string, sessionId: string) =>
  `${inSession(guildId, sessionId)}:${suffix}`;

export const keys = {
  guildPattern: inGuild('*'),
  settings: inGuild('settings'),
  paperQueue: inGuild('papers:queue'),
  paper: (guildId: string, paperId: string) => `${guild(guildId)}:paper:${paperId}`,
  paperVoters: (guildId: string, paperId: string) => `${guild(guildId)}:paper:${paperId}:voters`,
  // Questions asked in the paper's thread before its session (JSON each), until it is presented.
  paperEarly: (guildId: string, paperId: string) => `${guild(guildId)}:paper:${paperId}:early`,
  // Thread id → paper id: which paper a thread discusses.
  paperThreads: inGuild('papers:threads'),
  // 'votes' when the queue is ordered by votes; absent: as hosts placed it.
  paperOrder: inGuild('papers:order'),
  paperHistory: inGuild('papers:history'),
  // The open poll (JSON), one at a time.
  paperPoll: inGuild('papers:poll'),
  currentPaper: inGuild('papers:current'),
  paperDedup: inGuild('papers:dedup'),
  paperRead: inGuild('papers:read'),
  currentSession: inGuild('session:current'),
  session: inSession,
  timeline: ofSession('timeline'),
  talk: ofSession('talk'),
  hands: ofSession('hands'),
  handTopics: ofSession('hands:topics'),
  // A sorted set with every score 0, so it reads in member id order.
  stage: ofSession('stage'),
  questions: ofSession('questions'),
  // Score: minus the votes; member: the question's `rank` (asked at, 15 digits, `:`, id), so ties go to the earliest.
  ranked: (guildId: string, sessionId: string, status: RankedStatus) =>
    `${inSession(guildId, sessionId)}:rank:${status}`,
  openTexts: ofSession('open:texts'),
  uncarded: ofSession('uncarded'),
  recap: ofSession('recap'),
  recapPosts: (guildId: string, sessionId: string, edition: string) =>
    `${inSession(guildId, sessionId)}:posts:${edition}`,
  sessions: inGuild('sessions'),
  // The web archive: session id → its summary (JSON), member id → the name shown, a counter bumped on each change.
  archiveIndex: inGuild('archive:index'),
  archiveNames: inGuild('archive:names'),
  archiveVersion: inGuild('archive:version'),
  // Outside the guild namespace, an index only (the guild's settings are the truth): link token or slug → guild id.
  archiveLinks: () => `${PREFIX}:archive:links`,
  archiveSlugs: () => `${PREFIX}:archive:slugs`,
  // The transcript. Members who opted in: member id → when (ms); a new join drops lines of speech from before it.
  transcriptMembers: inGuild('transcript:members'),
  // Utterance id → its line or gap (JSON); the ids still waiting for their text; `on`, `stoppedAt`, the summary.
  transcript: ofSession('transcript'),
  transcriptPending: ofSession('transcript:pending'),
  transcriptState: ofSession('transcript:state'),
  // One utterance's WAV, only until its text is back (or its job gives up); it expires if everything else fails.
  transcriptAudio: (guildId: string, utteranceId: string) => `${guild(guildId)}:transcript:audio:${utteranceId}`,
  schedule: inGuild('schedule'),
  openOccurrence: inGuild('occurrence:open'),
  occurrence: (guildId: string, start: number) => `${guild(guildId)}:occurrence:${start}`,
  occurrences: inGuild('occurrences'),
  question: (guildId: string, questionId: string) => `${guild(guildId)}:question:${questionId}`,
  voters: (guildId: string, questionId: string) => `${guild(guildId)}:question:${questionId}:voters`,
  dirty: (guildId: string, what: string) => `${guild(guildId)}:dirty:${what}`,
  metadataCache: (source: string, id: string) => `${PREFIX}:cache:metadata:${source}:${id}`,
  // Outside the guild namespace, never exported: one /privacy delete at a time in a guild (see privacy-store.ts).
  privacyLock: (guildId: string) => `${PREFIX}:lock:{${guildId}}:privacy`,
  // Outside the guild namespace: rate-limit counters are not guild data and are never exported.
  rateLimit: (guildId: string, userId: string, bucket: string) => `${PREFIX}:rl:{${guildId}}:${userId}:${bucket}`,
  commandsHash: (applicationId: string, scope: string) => `${PREFIX}:meta:commands:${applicationId}:${scope}`,
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
