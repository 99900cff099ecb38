import { noLiveSession } from '../domain/errors.js';
import type { Question, QuestionStatus } from '../domain/session/question.js';
import { newCardsCoalesceKey, questionCoalesceKey } from '../jobs/contract.js';
import type { JobQueue, JobRequest } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { AskResult, QuestionStore, VoteResult } from '../store/question-store.js';
import { boardEdit } from './live-service.js';

type Asked = Extract<AskResult, { outcome: 'asked' }>;

function cardEdit(guildId: string, questionId: string, immediately: boolean, messageId?: string): JobRequest {
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
    return result;
  }

  async asked(guildId: string, { question: { sessionId }, boardDirty, cardsDirty }: Asked) {
    const cards = { guildId, sessionId };
    await this.jobs.enqueueAll([
      cardsDirty
        ? { name: 'question.cards', data: cards, options: { coalesceKey: newCardsCoalesceKey(guildId) } }
        : undefined,
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

  /** `messageId`: the card's message, so the edits of a grouped card's questions coalesce into one. */
  changed(guildId: string, questionId: string, immediately = false, messageId?: string) {
    return this.jobs.enqueueAll([cardEdit(guildId, questionId, immediately, messageId)]);
  }

  voted(guildId: string, questionId: string, { sessionId, cardDirty, boardDirty, cardMessageId }: VoteResult) {
    return this.jobs.enqueueAll([
      cardDirty ? cardEdit(guildId, questionId, false, cardMessageId) : undefined,
      boardDirty ? boardEdit(guildId, sessionId) : undefined,
    ]);
  }
}
