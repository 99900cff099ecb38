import type { DiscordMessages } from '../../discord/messages.js';
import { BOARD_HANDS, BOARD_QUESTIONS, BOARD_UP_NEXT, renderBoard } from '../../discord/render/board.js';
import type { DiscordChannels } from '../../discord/threads.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { nextTopicEditAt } from '../../domain/session/session.js';
import type { LiveService } from '../../sessions/live-service.js';
import { retryIfJustAdded, type JobHandlers } from '../contract.js';
import type { Stores } from '../../store/stores.js';
import { editIfExists, postOnce } from './post-once.js';

export interface SessionBoardDeps extends Stores {
  messages: DiscordMessages;
  channels: DiscordChannels;
  live: Pick<LiveService, 'boardAt'>;
  now(): number;
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
      else if (session.stageTopic !== topic) {
        // A third change within 10 minutes would wait minutes in discord.js's queue: a later run sets it instead.
        const [now, edits] = [deps.now(), session.stageTopicEdits ?? []];
        const at = nextTopicEditAt(edits, now);
        if (at > now) await deps.live.boardAt(guildId, sessionId, at, 'topic');
        else {
          await deps.channels.stageTopic(settings.stageChannelId, topic, session.stageTopic !== undefined);
          await deps.sessions.setStageTopic(guildId, sessionId, topic, [...edits.slice(-1), now]);
        }
      }
    }
  };
}
