import type { Logger } from '../../logger.js';
import { isUnknownMessage } from '../../discord/messages.js';
import { questionCard } from '../../discord/render/question.js';
import { paperLabel, type Paper } from '../../domain/papers/paper.js';
import type { Question } from '../../domain/session/question.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';
import { UnrecoverableError } from '../job-queue.js';
import { postClaimed, postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

/** Posts a question's card in the session thread once, then edits it as votes and the answer change. */
export function questionCardHandler(deps: SessionBoardDeps): JobHandlers['question.card'] {
  return async ({ guildId, questionId }, job) => {
    await deps.sessions.clean(guildId, `question:${questionId}`);
    if (!(await showQuestion(deps, guildId, questionId, job.id)) && Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS) {
      throw new NotYetStoredError(`question ${questionId} not stored yet`);
    }
  };
}

/** How many cards one read brings (a run loops until none are left). */
const CARDS_PER_READ = 25;

/**
 * Posts the cards of the questions asked since the last run, oldest first; a
 * failure retries from the one that failed. One script reads what the cards
 * show and claims them, so a card costs that read, its post and its write.
 */
export function newCardsHandler(deps: SessionBoardDeps): JobHandlers['question.cards'] {
  return async ({ guildId, sessionId }, job) => {
    for (;;) {
      const due = await deps.questions.cardsDue(guildId, sessionId, job.id, CARDS_PER_READ);
      if (due.threadId === undefined) {
        if (due.waiting > 0) throw new NotYetStoredError('the session thread is not up yet');
        return;
      }
      for (const { question, paper, claimed } of due.cards) {
        if (!claimed) throw new Error(`another run is posting the card of question ${question.id}`);
        const message = await postClaimed(
          deps,
          guildId,
          `question:${question.id}:`,
          due.threadId,
          cardOf(question, paper),
        );
        await deps.questions.setQuestionCard(guildId, question, { channelId: due.threadId, messageId: message.id });
      }
      if (due.cards.length < CARDS_PER_READ) return;
    }
  };
}

/** Edits a question's card, or posts it (once) if it has none; false if the question is not stored. */
async function showQuestion(
  deps: SessionBoardDeps,
  guildId: string,
  questionId: string,
  jobId: string,
): Promise<boolean> {
  const question = await deps.questions.question(guildId, questionId);
  if (!question) return false;
  const [session, paper] = await Promise.all([
    deps.sessions.get(guildId, question.sessionId),
    question.paperId ? deps.papers.get(guildId, question.paperId) : undefined,
  ]);
  const threadId = session?.board?.threadId;
  if (!threadId) throw new NotYetStoredError('the session thread is not up yet');
  const body = cardOf(question, paper);
  if (question.card) {
    try {
      await deps.messages.edit(question.card.channelId, question.card.messageId, body);
      return true;
    } catch (error) {
      if (!isUnknownMessage(error)) throw error;
    }
  }
  const message = await postOnce(
    deps,
    guildId,
    `question:${questionId}:${question.card?.messageId ?? ''}`,
    jobId,
    threadId,
    body,
  );
  await deps.questions.setQuestionCard(guildId, question, { channelId: threadId, messageId: message.id });
  return true;
}

function cardOf(question: Question, paper: Paper | undefined) {
  return questionCard(question, paper ? paperLabel(paper) : undefined);
}

/** Posts a highlight or takeaway in the session thread, once. */
export function threadPostHandler(deps: SessionBoardDeps): JobHandlers['thread.post'] {
  return async ({ guildId, sessionId, postId, content }, job) => {
    const session = await deps.sessions.get(guildId, sessionId);
    const threadId = session?.board?.threadId;
    if (!threadId) {
      if (Date.now() - job.enqueuedAt < 10 * NOT_YET_WINDOW_MS)
        throw new NotYetStoredError('the session thread is not up yet');
      return;
    }
    await postOnce(deps, guildId, `post:${postId}`, job.id, threadId, { content });
  };
}

/** The DM a member gets when a host calls them to speak and they are not in the channel. */
export function memberDmHandler(deps: SessionBoardDeps & { logger: Logger }): JobHandlers['member.dm'] {
  return async ({ guildId, userId, channelId }) => {
    const link = `https://discord.com/channels/${guildId}/${channelId}`;
    const delivered = await deps.channels.dm(
      userId,
      `A host has called you up to speak. Join the stage to talk: ${link}`,
    );
    if (!delivered) {
      deps.logger.info({ guildId }, 'member does not accept DMs; the host was already told in the reply');
      throw new UnrecoverableError('member does not accept DMs');
    }
  };
}
