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

const MISSING_PERMISSIONS = 50013;

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
    if (!(error instanceof DiscordAPIError && error.code === MISSING_PERMISSIONS)) throw error;
    deps.logger.warn({ guildId, paperId: paper.id }, 'no thread for this paper: the bot may not create threads there');
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
    if (early.length === 0) return;
    let joined = 0;
    for (const { id, text, anonymous, askerId, askedAt } of early) {
      const asked = await deps.questions.ask(
        guildId,
        { id, sessionId, text, anonymous, askedAt, ...(askerId && { askerId }) },
        { paperId, now: deps.now() },
      );
      if (asked.outcome !== 'asked') break; // the session ended: they wait for the next one
      joined++;
    }
    await deps.papers.dropEarly(guildId, paperId, joined);
    if (joined > 0) await deps.jobs.enqueueAll([newCardsRun(guildId, sessionId), boardEdit(guildId, sessionId)]);
  };
}
