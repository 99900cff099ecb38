import { noLiveSession } from '../domain/errors.js';
import type { Question, QuestionStatus } from '../domain/session/question.js';
import { questionCoalesceKey } from '../jobs/contract.js';
import type { JobQueue, JobRequest } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { AskResult, QuestionStore, VoteResult } from '../store/question-store.js';
import { boardEdit, newCardsRun } from './live-service.js';

type Asked = Extract<AskResult, { outcome: 'asked' }>;

/** An edit of the card showing the question, coalesced per card message. */
export function cardEdit(guildId: string, questionId: string, immediately: boolean, messageId?: string): JobRequest {
  return {
    name: 'question.card',
    data: { guildId, questionId },
    options: { coalesceKey: questionCoalesceKey(guildId, messageId ?? questionId), delayMs: immediately ? 0 : 1_000 },
  };
}

export class QuestionService {
  constructor(
    private readonly sessions: QuestionStore,
    private readonly jobs: JobQueue,
  ) {}

  /** The caller runs `asked` once the member has their answer. */
  async ask(
    guildId: string,
    sessionId: string,
    question: Omit<Question, 'id' | 'sessionId' | 'status' | 'votes' | 'paperId'>,
  ) {
    const result = await this.sessions.ask(guildId, { ...question, sessionId, id: newId() });
    if (result.outcome === 'not-live') throw noLiveSession();
    // Only a question asked before the session, joining it again, can already exist; a new id never does.
    if (result.outcome === 'exists') throw new Error('a new question id was already taken');
    return result;
  }

  async asked(guildId: string, { question: { sessionId }, boardDirty, cardsDirty }: Asked) {
    await this.jobs.enqueueAll([
      cardsDirty ? newCardsRun(guildId, sessionId) : undefined,
      boardDirty ? boardEdit(guildId, sessionId) : undefined,
    ]);
  }

  vote(guildId: string, questionId: string, userId: string, liveSessionId?: string) {
    return this.sessions.vote(guildId, questionId, userId, liveSessionId);
  }

  resolve(guildId: string, questionId: string, status: 'answered' | 'dismissed', at: number, answer?: string) {
    return this.sessions.resolveQuestion(guildId, questionId, status, at, answer);
  }

  question(guildId: string, questionId: string) {
    return this.sessions.question(guildId, questionId);
  }

  top(guildId: string, sessionId: string, status: QuestionStatus | 'all', limit: number) {
    return this.sessions.topQuestions(guildId, sessionId, { status, limit });
  }

  search(...query: Parameters<QuestionStore['searchQuestions']>) {
    return this.sessions.searchQuestions(...query);
  }

  choices(...query: Parameters<QuestionStore['questionChoices']>) {
    return this.sessions.questionChoices(...query);
  }

  /** An answered or dismissed question's card and the board, in one round trip. */
  resolved(guildId: string, { id, card }: Question, sessionId: string) {
    return this.jobs.enqueueAll([cardEdit(guildId, id, true, card?.messageId), boardEdit(guildId, sessionId)]);
  }

  voted(guildId: string, questionId: string, { sessionId, cardDirty, boardDirty, cardMessageId }: VoteResult) {
    return this.jobs.enqueueAll([
      cardDirty ? cardEdit(guildId, questionId, false, cardMessageId) : undefined,
      boardDirty ? boardEdit(guildId, sessionId) : undefined,
    ]);
  }
}
