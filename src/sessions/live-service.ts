import { time, TimestampStyles } from '@discordjs/formatters';
import { noLiveSession, UserError } from '../domain/errors.js';
import { paperLabel, type Paper } from '../domain/papers/paper.js';
import type { Session, SessionStatus, TimelineEvent } from '../domain/session/session.js';
import { BOARD_INTERVAL_MS, boardCoalesceKey, cardCoalesceKey, newCardsCoalesceKey } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import { newId } from '../store/ids.js';
import type { PaperStore, StartResult } from '../store/paper-store.js';
import type { SessionStore } from '../store/session-store.js';

/** The board shows a change within BOARD_INTERVAL_MS, together with every other change since its last edit. */
export function queueBoardEdit(jobs: JobQueue, guildId: string, sessionId: string, immediately = false) {
  return jobs.enqueue(
    'session.board',
    { guildId, sessionId },
    { coalesceKey: boardCoalesceKey(guildId), ...(immediately ? {} : { delayMs: BOARD_INTERVAL_MS }) },
  );
}

/**
 * The live session as commands and buttons drive it: each action is one
 * store script, then the posts it implies (board, cards, thread notes) go
 * out as coalesced jobs, so a busy hour never floods Discord.
 */
export class LiveService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly papers: PaperStore,
    private readonly jobs: JobQueue,
    private readonly schedule: ScheduleService,
  ) {}

  boardChanged(guildId: string, sessionId: string, immediately = false): Promise<void> {
    return queueBoardEdit(this.jobs, guildId, sessionId, immediately);
  }

  /** The live session, if one is. */
  current(guildId: string): Promise<Session | undefined> {
    return this.sessions.current(guildId);
  }

  /** What /session status shows: bounded however large the session. */
  status(guildId: string, sessionId: string): Promise<SessionStatus | undefined> {
    return this.sessions.status(guildId, sessionId);
  }

  /** A timeline event the gateway saw (a member joined or left the channel). */
  log(guildId: string, sessionId: string, event: TimelineEvent): Promise<boolean> {
    return this.sessions.log(guildId, sessionId, event);
  }

  async start(guildId: string, by: string, at: number): Promise<string> {
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

  /**
   * Ends the session in one store script (the current paper counts as covered,
   * covered papers go to history, the rest roll over), then runs what follows
   * an end: the board, any unposted cards, the recap, next week's session.
   * A process that dies in between leaves the end marked unfinished; running
   * this again (without a live session: on the last one) completes it.
   */
  async end(guildId: string, session: Session | undefined, by: string, at: number, recording?: string) {
    const sessionId = session?.id ?? (await this.sessions.lastEnded(guildId))?.id;
    if (!sessionId) throw noLiveSession();
    const ended = await this.sessions.end(guildId, { sessionId, by, at, ...(recording ? { recording } : {}) });
    if (ended.outcome === 'not-live')
      throw session ? new UserError('session-ended', 'This session has already ended.') : noLiveSession();
    await Promise.all([
      this.boardChanged(guildId, sessionId, true),
      // Any card still unposted (its job lost with a process that died) goes up now.
      this.jobs.enqueue('question.cards', { guildId, sessionId }, { coalesceKey: newCardsCoalesceKey(guildId) }),
      this.jobs.enqueue('session.recap', { guildId, sessionId, edition: 'first' }),
      this.schedule.sessionEnded(guildId, sessionId, at),
    ]);
    await this.sessions.endFollowedUp(guildId, sessionId);
    return ended.outcome;
  }

  /** Starts a paper (or the next one in queue order) and records the one it replaces as covered. */
  async startPaper(guildId: string, session: Session, by: string, at: number, paperId?: string): Promise<Paper> {
    const result: StartResult = paperId
      ? await this.papers.start(guildId, paperId, at)
      : await this.papers.next(guildId, at);
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
    await Promise.all([
      this.boardChanged(guildId, session.id, true),
      this.jobs.enqueue(
        'paper.card',
        { guildId, paperId: result.paperId },
        { coalesceKey: cardCoalesceKey(guildId, result.paperId) },
      ),
    ]);
    const paper = await this.papers.get(guildId, result.paperId);
    return paper!;
  }

  currentPaper(guildId: string): Promise<Paper | undefined> {
    return this.papers.current(guildId);
  }

  /** A highlight or takeaway: kept on the timeline, tied to the current paper, and posted in the session thread. */
  async note(
    guildId: string,
    session: Session,
    kind: 'highlight' | 'takeaway',
    text: string,
    by: string,
    at: number,
  ): Promise<Paper | undefined> {
    const paper = await this.currentPaper(guildId);
    const logged = await this.sessions.log(guildId, session.id, {
      type: kind,
      text,
      by,
      at,
      ...(paper ? { paperId: paper.id } : {}),
    });
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
