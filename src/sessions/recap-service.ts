import type { JobQueue } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { SessionStore } from '../store/session-store.js';

export class RecapService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly jobs: JobQueue,
  ) {}

  endedSessions(guildId: string) {
    return this.sessions.endedSessions(guildId);
  }

  recap(guildId: string, sessionId: string) {
    return this.sessions.recap(guildId, sessionId);
  }

  /** A new edition: the first one's posts are left as they are. */
  repost(guildId: string, sessionId: string) {
    return this.jobs.enqueue('session.recap', { guildId, sessionId, edition: newId() });
  }
}
