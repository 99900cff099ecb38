import { DiscordAPIError } from 'discord.js';
import type { DiscordChannels } from '../../discord/threads.js';
import { paperIntro, threadName } from '../../discord/render/paper.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { GuildSettings } from '../../domain/settings.js';
import { claimPost } from '../../store/claims.js';
import type { JobQueue } from '../job-queue.js';
import type { Logger } from '../../logger.js';
import { boardEdit, newCardsRun } from '../../sessions/live-service.js';
import type { Stores } from '../../store/stores.js';
import type { JobHandlers } from '../contract.js';
import { postClaimed } from './post-once.js';
import type { DiscordMessages } from '../../discord/messages.js';

export interface PaperThreadDeps extends Pick<Stores, 'redis' | 'papers' | 'questions'> {
  messages: DiscordMessages;
  channels: DiscordChannels;
  logger: Logger;
}

/**
 * Opens a queued paper's discussion thread from its card, once its details are in (the thread is named after its
 * title), with the abstract's first sentences; a bot that may not create threads there goes on without one.
 */
export async function openPaperThread(
  deps: PaperThreadDeps,
  guildId: string,
  paper: Paper,
  card: { channelId: string; messageId: string },
  settings: Pick<GuildSettings, 'papersForumId' | 'queuedTagId'>,
  jobId: string,
) {
  if (paper.threadId || paper.noThread || paper.status !== 'queued' || paper.metadataStatus === 'pending') return;
  let threadId: string;
  try {
    if (settings.papersForumId) {
      // One post a paper: the claim keeps a second job out (a post has no nonce).
      if (!(await claimPost(deps.redis, guildId, `forum-post:${paper.id}`, jobId)))
        throw new Error('another run is opening this paper’s forum post');
      threadId = await deps.channels.forumPost(settings.papersForumId, threadName(paper), paperIntro(paper), [
        ...(settings.queuedTagId ? [settings.queuedTagId] : []),
      ]);
    } else {
      threadId = await deps.channels.threadFromMessage(card.channelId, card.messageId, threadName(paper));
      // The nonce keeps a rerun from posting it twice; the thread is noted after, so a rerun reaches this post again.
      await postClaimed(deps, guildId, `paper-intro:${paper.id}`, threadId, paperIntro(paper));
    }
  } catch (error) {
    // Discord refused for good (no permission or access, the forum or a tag gone, too many threads): go on
    // without a thread rather than fail every card edit of the paper. A 5xx or a rate limit is retried.
    if (!(error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429))
      throw error;
    deps.logger.warn(
      { guildId, paperId: paper.id, code: error.code },
      'no thread for this paper: Discord refused to open one',
    );
    await deps.papers.setThread(guildId, paper.id, null);
    return;
  }
  await deps.papers.setThread(guildId, paper.id, threadId);
}

/** A paper being presented takes the questions asked in its thread before the session into the session. */
export function paperEarlyHandler(
  deps: PaperThreadDeps & { jobs: JobQueue; now(): number },
): JobHandlers['paper.early'] {
  return async ({ guildId, sessionId, paperId }) => {
    const early = await deps.papers.earlyQuestions(guildId, paperId);
    let joined = 0;
    // Oldest first, one at a time, each dropped from the paper once it is the session's (a rerun skips those in).
    for (const { id, text, anonymous, askerId, askedAt } of early) {
      const asked = await deps.questions.ask(
        guildId,
        { id, sessionId, text, anonymous, askedAt, ...(askerId && { askerId }) },
        { paperId, now: deps.now() },
      );
      // The session ended first: the rest stay with the paper (stored, and in /setup export), not shown.
      if (asked.outcome === 'not-live') break;
      await deps.papers.dropEarly(guildId, paperId, 1);
      joined++; // `exists` too: the run before may have died before queueing the cards
    }
    if (joined > 0) await deps.jobs.enqueueAll([newCardsRun(guildId, sessionId), boardEdit(guildId, sessionId)]);
  };
}
