import { isUnknownMessage, type DiscordMessages } from '../../discord/messages.js';
import { BOARD_HANDS, BOARD_QUESTIONS, BOARD_UP_NEXT, renderBoard } from '../../discord/render/board.js';
import type { DiscordChannels } from '../../discord/threads.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';
import type { Stores } from '../../store/stores.js';
import { postOnce } from './post-once.js';

export interface SessionBoardDeps extends Omit<Stores, 'schedules'> {
  messages: DiscordMessages;
  channels: DiscordChannels;
}

/**
 * Brings the live board up to date: posts it (and the session thread) the
 * first time, edits it after, and keeps the Stage topic on the current paper.
 * Runs coalesced, so a busy session edits it at most once per BOARD_INTERVAL_MS.
 */
export function sessionBoardHandler(deps: SessionBoardDeps): JobHandlers['session.board'] {
  return async ({ guildId, sessionId }, job) => {
    await deps.sessions.clean(guildId, 'board');
    const session = await deps.sessions.get(guildId, sessionId);
    if (!session) {
      if (Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS)
        throw new NotYetStoredError(`session ${sessionId} not stored yet`);
      return;
    }
    const settings = await deps.settings.get(guildId);
    if (!settings.announceChannelId) return;
    // Only what the board shows: its cost stays the same however large the session grows.
    const [papers, speakers, top] = await Promise.all([
      deps.papers.upcoming(guildId, BOARD_UP_NEXT),
      deps.speakers.speakers(guildId, sessionId, BOARD_HANDS),
      deps.questions.topQuestions(guildId, sessionId, { status: 'open', limit: BOARD_QUESTIONS }),
    ]);
    const body = renderBoard({ session, papers, speakers, questions: top.questions });
    let board = session.board;
    if (board) {
      try {
        await deps.messages.edit(board.channelId, board.messageId, body);
      } catch (error) {
        if (!isUnknownMessage(error)) throw error;
        board = undefined;
      }
    }
    if (!board) {
      const message = await postOnce(deps, guildId, `board:${sessionId}`, job.id, settings.announceChannelId, body);
      board = { channelId: settings.announceChannelId, messageId: message.id };
      await deps.sessions.setBoard(guildId, sessionId, board);
    }
    if (!board.threadId && session.status === 'live') {
      const threadId = await deps.channels.threadFromMessage(
        board.channelId,
        board.messageId,
        `Session ${new Date(session.startedAt).toISOString().slice(0, 10)}: questions and highlights`,
      );
      await deps.sessions.setBoard(guildId, sessionId, { ...board, threadId });
    }
    if (settings.stageKind === 'stage' && settings.stageChannelId) {
      // The paper on now, or before the first one starts, the one coming up.
      const topicPaper = papers.current ?? papers.next[0];
      const topic = topicPaper ? paperLabel(topicPaper) : 'Paper reading';
      if (session.status !== 'live') await deps.channels.closeStage(settings.stageChannelId);
      // Only when it changes: a board refreshed every 2 s must not spend the topic's 2-per-10-minutes budget.
      else if (session.stageTopic !== topic) {
        await deps.channels.stageTopic(settings.stageChannelId, topic);
        await deps.sessions.setStageTopic(guildId, sessionId, topic);
      }
    }
  };
}
