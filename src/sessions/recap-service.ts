import type { Recap } from '../domain/recap/recap.js';
import type { Session } from '../domain/session/session.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { SessionStore } from '../store/session-store.js';

/** Past sessions and their recaps, as /recap reads them. */
export class RecapService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly jobs: JobQueue,
  ) {}

  /** Ended sessions, newest first. */
  endedSessions(guildId: string): Promise<Session[]> {
    return this.sessions.endedSessions(guildId);
  }

  recap(guildId: string, sessionId: string): Promise<Recap | undefined> {
    return this.sessions.recap(guildId, sessionId);
  }

  /** Posts the recap again, as a new edition (the first one's posts are left as they are). */
  repost(guildId: string, sessionId: string): Promise<void> {
    return this.jobs.enqueue('session.recap', { guildId, sessionId, edition: newId() });
  }
}
