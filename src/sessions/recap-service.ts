import { quoteInput, UserError } from '../domain/errors.js';
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

  /** The ended session held on `date` (YYYY-MM-DD in the guild's time zone), or the latest one. */
  async endedOn(guildId: string, date: string | null, timeZone = 'UTC') {
    if (date !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))))
      throw new UserError(
        'date-invalid',
        `${quoteInput(date)} is not a date: write it as YYYY-MM-DD, like 2024-08-14.`,
      );
    const sessions = await this.sessions.endedSessions(guildId);
    const localDate = new Intl.DateTimeFormat('en-CA', { timeZone });
    const session = date === null ? sessions[0] : sessions.find((s) => localDate.format(s.startedAt) === date);
    if (!session)
      throw new UserError(
        'recap-none',
        date === null ? 'No session has ended here yet.' : `No session took place on ${date}.`,
      );
    return session;
  }

  recap(guildId: string, sessionId: string) {
    return this.sessions.recap(guildId, sessionId);
  }

  /** A new edition: the first one's posts are left as they are. */
  repost(guildId: string, sessionId: string) {
    return this.jobs.enqueue('session.recap', { guildId, sessionId, edition: newId() });
  }
}
