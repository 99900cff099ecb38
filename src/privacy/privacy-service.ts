import { UserError } from '../domain/errors.js';
import type { Forgotten } from '../domain/privacy/forget.js';
import { memberRecords, type MemberExport } from '../domain/privacy/member-export.js';
import { cardCoalesceKey } from '../jobs/contract.js';
import type { JobQueue, JobRequest } from '../jobs/job-queue.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import { boardEdit } from '../sessions/live-service.js';
import { cardEdit } from '../sessions/question-service.js';
import type { PrivacyStore } from '../store/privacy-store.js';

/** The file /privacy export attaches. */
export interface MemberExportFile extends MemberExport {
  format: 'lectern-member-export/1';
  guildId: string;
  userId: string;
  exportedAt: string;
  about: string[];
}

const ABOUT = [
  'records: every record Lectern stores in this server that names you, under its storage key. A record that is ' +
    'yours is whole, with any other member shown as "(another member)"; from shared records (a vote count, a ' +
    "session's speaking times) only your part is kept.",
  'context: what makes your records readable, such as the text of a question you upvoted or the title of a paper.',
  'Questions you asked anonymously are stored without your name, so nothing links them to you and they are not here.',
  'Not here: messages in Discord itself, and per-member rate-limit counters (kept an hour at most).',
];

/** /privacy: a member's data in one server, exported or forgotten. */
export class PrivacyService {
  constructor(
    private readonly store: PrivacyStore,
    private readonly jobs: JobQueue,
    private readonly schedule: Pick<ScheduleService, 'agendaChanged'>,
    private readonly now: () => number,
  ) {}

  async export(guildId: string, userId: string): Promise<MemberExportFile> {
    const picked = memberRecords(await this.store.guildData(guildId), userId);
    const exportedAt = new Date(this.now()).toISOString();
    return { format: 'lectern-member-export/1', guildId, userId, exportedAt, about: ABOUT, ...picked };
  }

  /** Removes the member's data, then brings what Discord shows of it up to date: board, question and paper cards. */
  async forget(guildId: string, userId: string): Promise<Forgotten> {
    const result = await this.store.forget(guildId, userId);
    if (result === 'busy')
      throw new UserError('privacy-busy', "Another member's data is being deleted here; try again in a minute.");
    const { forgotten, live, papers, presenterFreed } = result;
    const edits: JobRequest[] = papers.map((paperId) => ({
      name: 'paper.card',
      data: { guildId, paperId },
      options: { coalesceKey: cardCoalesceKey(guildId, paperId) },
    }));
    if (live?.changed) edits.push(boardEdit(guildId, live.sessionId, true));
    // A question still without a card gets one, showing the change, from the job that posts new cards.
    for (const { questionId, messageId } of live?.cards ?? [])
      if (messageId) edits.push(cardEdit(guildId, questionId, true, messageId));
    await Promise.all([this.jobs.enqueueAll(edits), presenterFreed ? this.schedule.agendaChanged(guildId) : undefined]);
    return forgotten;
  }
}
