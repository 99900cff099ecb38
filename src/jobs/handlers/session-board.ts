import type { DiscordMessages } from '../../discord/messages.js';
import { BOARD_HANDS, BOARD_QUESTIONS, BOARD_UP_NEXT, renderBoard } from '../../discord/render/board.js';
import type { DiscordChannels } from '../../discord/threads.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { retryIfJustAdded, type JobHandlers } from '../contract.js';
import type { Stores } from '../../store/stores.js';
import { editIfExists, postOnce } from './post-once.js';

export interface SessionBoardDeps extends Stores {
  messages: DiscordMessages;
  channels: DiscordChannels;
}

export function sessionBoardHandler(deps: SessionBoardDeps): JobHandlers['session.board'] {
  return async ({ guildId, sessionId }, job) => {
    await deps.sessions.clean(guildId, 'board');
    const session = await deps.sessions.get(guildId, sessionId);
    if (!session) return retryIfJustAdded(job, `session ${sessionId}`);
    const settings = await deps.settings.get(guildId);
    const channelId = settings.announceChannelId;
    if (!channelId) return;
    // Only what the board shows, so its cost does not grow with the session.
    const [papers, speakers, top] = await Promise.all([
      deps.papers.upcoming(guildId, BOARD_UP_NEXT),
      deps.speakers.speakers(guildId, sessionId, BOARD_HANDS),
      deps.questions.topQuestions(guildId, sessionId, { status: 'open', limit: BOARD_QUESTIONS }),
    ]);
    const body = renderBoard({ session, papers, speakers, questions: top.questions });
    let board = session.board;
    if (board && !(await editIfExists(deps, board, body))) board = undefined;
    if (!board) {
      const message = await postOnce(deps, guildId, `board:${sessionId}`, job.id, channelId, body);
      board = { channelId, messageId: message.id };
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
      const topicPaper = papers.current ?? papers.next[0];
      const topic = topicPaper ? paperLabel(topicPaper) : 'Paper reading';
      if (session.status !== 'live') await deps.channels.closeStage(settings.stageChannelId);
      // Only when it changes: Discord allows 2 topic edits per 10 minutes.
      else if (session.stageTopic !== topic) {
        await deps.channels.stageTopic(settings.stageChannelId, topic);
        await deps.sessions.setStageTopic(guildId, sessionId, topic);
      }
    }
  };
}
