export type QuestionStatus = 'open' | 'answered' | 'dismissed';

/** An anonymous question never stores its asker, so it cannot leak anywhere. */
export interface Question {
  id: string;
  sessionId: string;
  paperId?: string;
  /** Asked in the paper's thread before the session. */
  early?: boolean;
  text: string;
  askerId?: string;
  anonymous: boolean;
  status: QuestionStatus;
  answer?: string;
  askedAt: number;
  votes: number;
  /** `group`: the questions sharing the message (a burst's grouped card), in order; absent for a card of its own. */
  card?: { channelId: string; messageId: string; group?: string[] };
}
