import { time, TimestampStyles } from '@discordjs/formatters';
import { noLiveSession, UserError } from '../domain/errors.js';
import { paperLabel } from '../domain/papers/paper.js';
import type { Session, TimelineEvent } from '../domain/session/session.js';
import { BOARD_INTERVAL_MS, boardCoalesceKey, cardCoalesceKey, newCardsCoalesceKey } from '../jobs/contract.js';
import type { JobQueue, JobRequest } from '../jobs/job-queue.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import { newId } from '../store/ids.js';
import type { PaperStore } from '../store/paper-store.js';
import type { SessionStore } from '../store/session-store.js';

/** Coalesced: one edit within BOARD_INTERVAL_MS shows every change since the last. */
export function boardEdit(guildId: string, sessionId: string, immediately = false): JobRequest {
  return {
    name: 'session.board',
    data: { guildId, sessionId },
    options: { coalesceKey: boardCoalesceKey(guildId), delayMs: immediately ? 0 : BOARD_INTERVAL_MS },
  };
}

/** Posts the cards of every question still without one. */
export function newCardsRun(guildId: string, sessionId: string): JobRequest {
  return {
    name: 'question.cards',
    data: { guildId, sessionId },
    options: { coalesceKey: newCardsCoalesceKey(guildId) },
  };
}

export class LiveService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly papers: PaperStore,
    private readonly jobs: JobQueue,
    private readonly schedule: ScheduleService,
  ) {}

  boardChanged(guildId: string, sessionId: string, immediately = false) {
    return this.jobs.enqueueAll([boardEdit(guildId, sessionId, immediately)]);
  }

  /** A board run at `at` (app clock) for what had to wait, apart from the coalesced edits so it holds none back. */
  boardAt(guildId: string, sessionId: string, at: number, why: string) {
    return this.jobs.enqueue(
      'session.board',
      { guildId, sessionId },
      { runAt: at, jobId: `board-${why}:${sessionId}:${at}` },
    );
  }

  current(guildId: string) {
    return this.sessions.current(guildId);
  }

  status(guildId: string, sessionId: string) {
    return this.sessions.status(guildId, sessionId);
  }

  log(guildId: string, sessionId: string, event: TimelineEvent) {
    return this.sessions.log(guildId, sessionId, event);
  }

  async start(guildId: string, by: string, at: number) {
    const { outcome, sessionId } = await this.sessions.start(guildId, by, at);
    if (outcome === 'live')
      throw new UserError(
        'session-live',
        'A session is already live. End it with /session end before starting another.',
      );
    await Promise.all([
      this.boardChanged(guildId, sessionId, true),
      this.schedule.sessionStarted(guildId, sessionId, at),
    ]);
    return sessionId;
  }

  /** Without a live session, completes the last one's end, which a dying process may have left unfinished. */
  async end(guildId: string, session: Session | undefined, by: string, at: number, recording?: string) {
    const sessionId = session?.id ?? (await this.sessions.lastEnded(guildId))?.id;
    if (!sessionId) throw noLiveSession();
    const ended = await this.sessions.end(guildId, { sessionId, by, at, recording });
    if (ended.outcome === 'not-live')
      throw session ? new UserError('session-ended', 'This session has already ended.') : noLiveSession();
    await Promise.all([
      this.jobs.enqueueAll([
        boardEdit(guildId, sessionId, true),
        // Cards whose job died with a process go up now.
        newCardsRun(guildId, sessionId),
        { name: 'session.recap', data: { guildId, sessionId, edition: 'first' } },
      ]),
      this.schedule.sessionEnded(guildId, sessionId, at),
    ]);
    await this.sessions.endFollowedUp(guildId, sessionId);
    return ended.outcome;
  }

  async startPaper(guildId: string, session: Session, by: string, at: number, paperId?: string) {
    const result = paperId ? await this.papers.start(guildId, paperId, at) : await this.papers.next(guildId, at);
    if (result.outcome !== 'started') {
      const messages = {
        missing: 'That paper is no longer in the queue.',
        'already-current': 'That paper is already being presented.',
        covered: 'That paper was already covered in this session.',
        'none-left': 'No paper is left in the queue after this one.',
      } as const;
      throw new UserError(`paper-${result.outcome}`, messages[result.outcome]);
    }
    if (result.previousId)
      await this.sessions.log(guildId, session.id, { type: 'paper.covered', paperId: result.previousId, at });
    await this.sessions.log(guildId, session.id, { type: 'paper.started', paperId: result.paperId, by, at });
    await this.jobs.enqueueAll([
      boardEdit(guildId, session.id, true),
      {
        name: 'paper.card',
        data: { guildId, paperId: result.paperId },
        options: { coalesceKey: cardCoalesceKey(guildId, result.paperId) },
      },
      // Questions asked in its thread before the session join it now.
      { name: 'paper.early', data: { guildId, sessionId: session.id, paperId: result.paperId } },
    ]);
    return (await this.papers.get(guildId, result.paperId))!;
  }

  async note(guildId: string, session: Session, kind: 'highlight' | 'takeaway', text: string, by: string, at: number) {
    const paper = await this.papers.current(guildId);
    const logged = await this.sessions.log(guildId, session.id, { type: kind, text, by, at, paperId: paper?.id });
    if (!logged) throw new UserError('session-ended', 'This session has ended.');
    const label = kind === 'highlight' ? '✦ Highlight' : '★ Key takeaway';
    const about = paper ? ` (${paperLabel(paper).slice(0, 80)})` : '';
    await this.jobs.enqueue('thread.post', {
      guildId,
      sessionId: session.id,
      postId: newId(),
      content: `**${label}**${about} ${time(Math.floor(at / 1000), TimestampStyles.LongTime)}\n${text}`.slice(0, 2000),
    });
    return paper;
  }
}
