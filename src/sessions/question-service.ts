import { noLiveSession } from '../domain/errors.js';
import type { Question, QuestionStatus } from '../domain/session/question.js';
import { newCardsCoalesceKey, questionCoalesceKey } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { QuestionStore } from '../store/question-store.js';
import { queueBoardEdit } from './live-service.js';

/** A question just logged; `boardDirty` / `cardsDirty`: no board edit / card posting is waiting yet. */
export interface Asked {
  question: Question;
  boardDirty: boolean;
  cardsDirty: boolean;
  /** The session thread its card goes to, once it is up. */
  threadId?: string;
}

/**
 * Questions of the live session: asked, upvoted, answered or dismissed, each
 * one store script. Reads are bounded: they fetch what a reply shows, however
 * many questions the session has.
 */
export class QuestionService {
  constructor(
    private readonly sessions: QuestionStore,
    private readonly jobs: JobQueue,
  ) {}

  /** Logs a question; its card and the board follow from `asked`, run once the member has their answer. */
  async ask(
    guildId: string,
    sessionId: string,
    question: Omit<Question, 'id' | 'sessionId' | 'status' | 'votes' | 'paperId'>,
  ): Promise<Asked> {
    const result = await this.sessions.ask(guildId, { ...question, sessionId, id: newId() });
    if (result.outcome === 'not-live') throw noLiveSession();
    return result;
  }

  /**
   * After a question is logged: in a busy session a card posting and a board
   * edit are already waiting, and the question rides along with them (one
   * job posts every new card, oldest first).
   */
  async asked(guildId: string, { question, boardDirty, cardsDirty }: Asked): Promise<void> {
    await Promise.all([
      cardsDirty ? this.newCards(guildId, question.sessionId) : undefined,
      boardDirty ? queueBoardEdit(this.jobs, guildId, question.sessionId) : undefined,
    ]);
  }

  /** One vote per member: a second press takes it back. The script checks the question's session is still live. */
  vote(guildId: string, questionId: string, userId: string) {
    return this.sessions.vote(guildId, questionId, userId);
  }

  resolve(guildId: string, questionId: string, status: 'answered' | 'dismissed', at: number, answer?: string) {
    return this.sessions.resolveQuestion(guildId, questionId, status, at, answer);
  }

  question(guildId: string, questionId: string): Promise<Question | undefined> {
    return this.sessions.question(guildId, questionId);
  }

  /** The most upvoted questions with this status (ties: asked first), and how many there are. */
  top(guildId: string, sessionId: string, status: QuestionStatus | 'all', limit: number) {
    return this.sessions.topQuestions(guildId, sessionId, { status, limit });
  }

  /** Open questions whose text contains `typed`, from a bounded number of candidates. */
  search(guildId: string, sessionId: string, typed: string, limit: number): Promise<Question[]> {
    return this.sessions.searchQuestions(guildId, sessionId, typed, limit);
  }

  /** Autocomplete choices: open questions containing `typed`, their id and text only. */
  choices(
    guildId: string,
    sessionId: string,
    typed: string,
    limit: number,
  ): Promise<Array<{ id: string; text: string }>> {
    return this.sessions.questionChoices(guildId, sessionId, typed, limit);
  }

  newCards(guildId: string, sessionId: string): Promise<void> {
    return this.jobs.enqueue('question.cards', { guildId, sessionId }, { coalesceKey: newCardsCoalesceKey(guildId) });
  }

  /** The question's card shows its votes, answer or dismissal. */
  changed(guildId: string, questionId: string, immediately = false): Promise<void> {
    return this.jobs.enqueue(
      'question.card',
      { guildId, questionId },
      { coalesceKey: questionCoalesceKey(guildId, questionId), ...(immediately ? {} : { delayMs: 1_000 }) },
    );
  }
}
