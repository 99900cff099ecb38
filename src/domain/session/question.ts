export type QuestionStatus = 'open' | 'answered' | 'dismissed';

/**
 * A question asked during a session. An anonymous question has no asker at
 * all: the id is never stored, so it cannot leak through the board, the
 * recap, an export or a log.
 */
export interface Question {
  id: string;
  sessionId: string;
  paperId?: string;
  text: string;
  askerId?: string;
  anonymous: boolean;
  status: QuestionStatus;
  answer?: string;
  askedAt: number;
  votes: number;
  card?: { channelId: string; messageId: string };
}

/** Top questions for the board: open ones by votes, then oldest first. */
export function topQuestions(questions: Question[], count: number): Question[] {
  return questions
    .filter((q) => q.status === 'open')
    .sort((a, b) => b.votes - a.votes || a.askedAt - b.askedAt)
    .slice(0, count);
}
