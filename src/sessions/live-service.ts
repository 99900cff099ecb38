import { noLiveSession, overLimit, UserError } from '../domain/errors.js';
import { paperLabel, type Paper } from '../domain/papers/paper.js';
import type { Question } from '../domain/session/question.js';
import type { Session } from '../domain/session/session.js';
import {
  BOARD_INTERVAL_MS,
  boardCoalesceKey,
  cardCoalesceKey,
  newCardsCoalesceKey,
  questionCoalesceKey,
} from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import { newId } from '../store/ids.js';
import type { PaperStore, StartResult } from '../store/paper-store.js';
import type { RateCount } from '../store/rate-limit-store.js';
import type { SessionStore } from '../store/session-store.js';

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

  /** The board shows this change within BOARD_INTERVAL_MS, together with every other change since its last edit. */
  boardChanged(guildId: string, sessionId: string, immediately = false): Promise<void> {
    return this.jobs.enqueue(
      'session.board',
      { guildId, sessionId },
      { coalesceKey: boardCoalesceKey(guildId), ...(immediately ? {} : { delayMs: BOARD_INTERVAL_MS }) },
    );
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

  /** Ends the session: the current paper counts as covered, covered papers go to history, the rest roll over. */
  async end(guildId: string, session: Session, by: string, at: number, recording?: string): Promise<void> {
    if (!(await this.sessions.end(guildId, session.id, by, at, recording)))
      throw new UserError('session-ended', 'This session has already ended.');
    const current = await this.papers.current(guildId);
    if (current) await this.sessions.logEnded(guildId, session.id, { type: 'paper.covered', paperId: current.id, at });
    await this.papers.closeSession(guildId, at);
    await Promise.all([
      this.boardChanged(guildId, session.id, true),
      // Any card still unposted (its job lost with a process that died) goes up now.
      this.newCards(guildId, session.id),
      this.jobs.enqueue('session.recap', { guildId, sessionId: session.id, edition: 'first' }),
      this.schedule.sessionEnded(guildId, session.id, at),
    ]);
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

  /**
   * Logs a question in the live session. Its card and the board follow from
   * `questionAsked`, which the caller runs once the member has their answer.
   */
  async ask(
    guildId: string,
    question: Omit<Question, 'id' | 'sessionId' | 'status' | 'votes' | 'paperId'>,
    limit?: RateCount,
  ): Promise<{ question: Question; boardDirty: boolean; cardsDirty: boolean; threadId?: string }> {
    const result = await this.sessions.ask(guildId, { ...question, id: newId() }, limit);
    if (result.outcome === 'not-live') throw noLiveSession();
    if (result.outcome === 'limited') throw overLimit(limit!, result.retryAfterMs);
    return result;
  }

  /**
   * After a question is logged: its card and the board follow. In a busy
   * session a card posting and a board edit are already waiting, and the
   * question rides along with them (one job posts every new card, oldest first).
   */
  async questionAsked(
    guildId: string,
    { question, boardDirty, cardsDirty }: { question: Question; boardDirty: boolean; cardsDirty: boolean },
  ): Promise<void> {
    await Promise.all([
      cardsDirty ? this.newCards(guildId, question.sessionId) : undefined,
      boardDirty ? this.boardChanged(guildId, question.sessionId) : undefined,
    ]);
  }

  newCards(guildId: string, sessionId: string): Promise<void> {
    return this.jobs.enqueue('question.cards', { guildId, sessionId }, { coalesceKey: newCardsCoalesceKey(guildId) });
  }

  questionChanged(guildId: string, questionId: string, immediately = false): Promise<void> {
    return this.jobs.enqueue(
      'question.card',
      { guildId, questionId },
      { coalesceKey: questionCoalesceKey(guildId, questionId), ...(immediately ? {} : { delayMs: 1_000 }) },
    );
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
      content: `**${label}**${about} <t:${Math.floor(at / 1000)}:T>\n${text}`.slice(0, 2000),
    });
    return paper;
  }
}
