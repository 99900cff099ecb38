import type { DiscordMessages } from '../../discord/messages.js';
import { paperCard } from '../../discord/render/paper.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { GuildSettings } from '../../domain/settings.js';
import type { Logger } from '../../logger.js';
import { claimPost } from '../../store/claims.js';
import type { Stores } from '../../store/stores.js';
import { retryIfJustAdded, type JobHandlers } from '../contract.js';
import { editIfExists, nonceOf } from './post-once.js';
import { openPaperThread, type PaperThreadDeps } from './paper-thread.js';

export interface PaperCardDeps extends Pick<Stores, 'redis' | 'papers' | 'settings'>, PaperThreadDeps {
  messages: DiscordMessages;
  logger: Logger;
}

/** `known`: the paper and settings as the caller just read or wrote them. False when the paper is not stored. */
export async function syncPaperCard(
  deps: PaperCardDeps,
  guildId: string,
  paperId: string,
  jobId: string,
  known: { paper?: Paper; settings?: GuildSettings } = {},
) {
  const [paper, settings] = await Promise.all([
    known.paper ?? deps.papers.get(guildId, paperId),
    known.settings ?? deps.settings.get(guildId),
  ]);
  if (!paper) return false;
  const body = paperCard(paper);
  if (paper.card) {
    if (await editIfExists(deps, paper.card, body)) {
      await openPaperThread(deps, guildId, paper, paper.card, settings, jobId);
      return true;
    }
    deps.logger.info({ guildId, paperId }, 'paper card was deleted; posting it again');
  }
  const channelId = settings.announceChannelId;
  if (!channelId) return true;
  if (!(await claimPost(deps.redis, guildId, `card:${paperId}:${paper.card?.messageId ?? 'new'}`, jobId))) {
    throw new Error('another run is posting this card');
  }
  const nonce = nonceOf(`card:${guildId}:${paperId}:${paper.card?.messageId ?? ''}`);
  const message = await deps.messages.create(channelId, { ...body, nonce, enforce_nonce: true });
  await deps.papers.setCard(guildId, paperId, { channelId, messageId: message.id });
  await openPaperThread(deps, guildId, paper, { channelId, messageId: message.id }, settings, jobId);
  return true;
}

export function paperCardHandler(deps: PaperCardDeps): JobHandlers['paper.card'] {
  return async ({ guildId, paperId }, job) => {
    if (!(await syncPaperCard(deps, guildId, paperId, job.id))) retryIfJustAdded(job, `paper ${paperId}`);
  };
}
