import type { Logger } from '../../logger.js';
import { isUnknownMessage } from '../../discord/messages.js';
import { questionCard } from '../../discord/render/question.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';
import { UnrecoverableError } from '../job-queue.js';
import { postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

/** Posts a question's card in the session thread once, then edits it as votes and the answer change. */
export function questionCardHandler(deps: SessionBoardDeps): JobHandlers['question.card'] {
  return async ({ guildId, questionId }, job) => {
    await deps.sessions.clean(guildId, `question:${questionId}`);
    const question = await deps.sessions.question(guildId, questionId);
    if (!question) {
      if (Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS) throw new NotYetStoredError(`question ${questionId} not stored yet`);
      return;
    }
    const [session, paper] = await Promise.all([
      deps.sessions.get(guildId, question.sessionId),
      question.paperId ? deps.papers.get(guildId, question.paperId) : undefined,
    ]);
    const threadId = session?.board?.threadId;
    if (!threadId) throw new NotYetStoredError('the session thread is not up yet');
    const body = questionCard(question, paper ? paperLabel(paper) : undefined);
    if (question.card) {
      try {
        return await deps.messages.edit(question.card.channelId, question.card.messageId, body);
      } catch (error) {
        if (!isUnknownMessage(error)) throw error;
      }
    }
    const message = await postOnce(deps, guildId, `question:${questionId}:${question.card?.messageId ?? ''}`, job.id, threadId, body);
    await deps.sessions.setQuestionCard(guildId, questionId, { channelId: threadId, messageId: message.id });
  };
}

/** Posts a highlight or takeaway in the session thread, once. */
export function threadPostHandler(deps: SessionBoardDeps): JobHandlers['thread.post'] {
  return async ({ guildId, sessionId, postId, content }, job) => {
    const session = await deps.sessions.get(guildId, sessionId);
    const threadId = session?.board?.threadId;
    if (!threadId) {
      if (Date.now() - job.enqueuedAt < 10 * NOT_YET_WINDOW_MS) throw new NotYetStoredError('the session thread is not up yet');
      return;
    }
    await postOnce(deps, guildId, `post:${postId}`, job.id, threadId, { content });
  };
}

/** The DM a member gets when a host calls them to speak and they are not in the channel. */
export function memberDmHandler(deps: SessionBoardDeps & { logger: Logger }): JobHandlers['member.dm'] {
  return async ({ guildId, userId, channelId }) => {
    const link = `https://discord.com/channels/${guildId}/${channelId}`;
    const delivered = await deps.channels.dm(userId, `A host has called you up to speak. Join the stage to talk: ${link}`);
    if (!delivered) {
      deps.logger.info({ guildId }, 'member does not accept DMs; the host was already told in the reply');
      throw new UnrecoverableError('member does not accept DMs');
    }
  };
}
