import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../logger.js';
import { CARD_GROUP, LIST_GROUP, questionCards } from '../../discord/render/question.js';
import { paperLabel, type Paper } from '../../domain/papers/paper.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, retryIfJustAdded, type JobHandlers } from '../contract.js';
import { editIfExists, postClaimed, postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

export function questionCardHandler(deps: SessionBoardDeps): JobHandlers['question.card'] {
  return async ({ guildId, questionId }, job) => {
    await deps.sessions.clean(guildId, `question:${questionId}`);
    if (!(await showQuestion(deps, guildId, questionId, job.id))) retryIfJustAdded(job, `question ${questionId}`);
  };
}

const CARDS_PER_READ = LIST_GROUP;
/** More waiting than one window of the channel's bucket holds on grouped cards: list cards, so fewer windows. */
const FLOOD = CARD_GROUP * 5;

/** Posts the cards of the questions asked since the last run, oldest first; a retry starts at the one that failed. */
export function newCardsHandler(deps: SessionBoardDeps): JobHandlers['question.cards'] {
  return async ({ guildId, sessionId }, job) => {
    for (;;) {
      const due = await deps.questions.cardsDue(guildId, sessionId, job.id, CARDS_PER_READ);
      if (due.threadId === undefined) {
        if (due.waiting > 0) throw new NotYetStoredError('the session thread is not up yet');
        return;
      }
      const size = due.waiting > FLOOD ? LIST_GROUP : CARD_GROUP;
      for (let i = 0; i < due.cards.length; i += size) {
        const group = due.cards.slice(i, i + size);
        const taken = group.find((card) => !card.claimed);
        if (taken) throw new Error(`another run is posting the card of question ${taken.question.id}`);
        const body = questionCards(group.map(({ question, paper }) => ({ question, paperLabel: labelOf(paper) })));
        const message = await postClaimed(deps, guildId, `question:${group[0]!.question.id}:`, due.threadId, body);
        const questions = group.map((card) => card.question);
        await deps.questions.setQuestionCard(guildId, questions, { channelId: due.threadId, messageId: message.id });
      }
      if (due.cards.length < CARDS_PER_READ) return;
    }
  };
}

/** Edits the card showing the question (with the others of a grouped card); false if the question is not stored. */
async function showQuestion(deps: SessionBoardDeps, guildId: string, questionId: string, jobId: string) {
  const question = await deps.questions.question(guildId, questionId);
  if (!question) return false;
  const others = question.card?.group?.filter((id) => id !== questionId) ?? [];
  // Their edits ride on this one: clear their marks before reading them, so a later vote queues another edit.
  await Promise.all(others.map((id) => deps.sessions.clean(guildId, `question:${id}`)));
  const group = others.length > 0 ? await deps.questions.questionsById(guildId, question.card!.group!) : [question];
  const paperIds = [...new Set(group.flatMap((q) => (q.paperId ? [q.paperId] : [])))];
  const [session, ...papers] = await Promise.all([
    deps.sessions.get(guildId, question.sessionId),
    ...paperIds.map((id) => deps.papers.get(guildId, id)),
  ]);
  const threadId = session?.board?.threadId;
  if (!threadId) throw new NotYetStoredError('the session thread is not up yet');
  const paperOf = new Map(paperIds.map((id, i) => [id, papers[i]]));
  const body = questionCards(group.map((q) => ({ question: q, paperLabel: labelOf(paperOf.get(q.paperId ?? '')) })));
  if (question.card && (await editIfExists(deps, question.card, body))) return true;
  const what = `question:${group[0]!.id}:${question.card?.messageId ?? ''}`;
  const message = await postOnce(deps, guildId, what, jobId, threadId, body);
  await deps.questions.setQuestionCard(guildId, group, { channelId: threadId, messageId: message.id });
  return true;
}

const labelOf = (paper: Paper | undefined) => (paper ? paperLabel(paper) : undefined);

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

export function memberDmHandler(deps: SessionBoardDeps & { logger: Logger }): JobHandlers['member.dm'] {
  return async ({ guildId, userId, channelId }) => {
    const delivered = await deps.channels.dm(
      userId,
      `A host has called you up to speak. Join the stage to talk: https://discord.com/channels/${guildId}/${channelId}`,
    );
    if (!delivered) {
      deps.logger.info({ guildId }, 'member does not accept DMs; the host was already told in the reply');
      throw new UnrecoverableError('member does not accept DMs');
    }
  };
}
