import { createHash } from 'node:crypto';
import type { RedisClient } from '../../store/redis.js';
import { isUnknownMessage, type DiscordMessages } from '../../discord/messages.js';
import { paperCard } from '../../discord/render/paper.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { GuildSettings } from '../../domain/settings.js';
import type { Logger } from '../../logger.js';
import { claimPost } from '../../store/claims.js';
import type { PaperStore } from '../../store/paper-store.js';
import type { SettingsStore } from '../../store/settings-store.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';

export interface PaperCardDeps {
  redis: RedisClient;
  papers: PaperStore;
  settings: SettingsStore;
  messages: DiscordMessages;
  logger: Logger;
}

/**
 * Posts a paper's card once, then keeps it matching the paper. The message id
 * is stored on the paper; a rerun after a crash finds the claim (same job) or
 * Discord's nonce (same message) and never posts twice. `known`: the paper
 * and settings as the caller has just read or written them, so they are not
 * read again. Returns false when the paper is not stored (removed, or not written yet).
 */
export async function syncPaperCard(
  deps: PaperCardDeps,
  guildId: string,
  paperId: string,
  jobId: string,
  known: { paper?: Paper; settings?: GuildSettings } = {},
): Promise<boolean> {
  const [paper, settings] = await Promise.all([
    known.paper ?? deps.papers.get(guildId, paperId),
    known.settings ?? deps.settings.get(guildId),
  ]);
  if (!paper) return false;
  const body = paperCard(paper);
  if (paper.card) {
    try {
      await deps.messages.edit(paper.card.channelId, paper.card.messageId, body);
      return true;
    } catch (error) {
      if (!isUnknownMessage(error)) throw error;
      deps.logger.info({ guildId, paperId }, 'paper card was deleted; posting it again');
    }
  }
  const channelId = settings.announceChannelId;
  if (!channelId) return true;
  if (!(await claimPost(deps.redis, guildId, `card:${paperId}:${paper.card?.messageId ?? 'new'}`, jobId))) {
    throw new Error('another run is posting this card');
  }
  const nonce = createHash('sha256')
    .update(`card:${guildId}:${paperId}:${paper.card?.messageId ?? ''}`)
    .digest('base64url')
    .slice(0, 25);
  const message = await deps.messages.create(channelId, { ...body, nonce, enforce_nonce: true });
  await deps.papers.setCard(guildId, paperId, { channelId, messageId: message.id });
  return true;
}

export function paperCardHandler(deps: PaperCardDeps): JobHandlers['paper.card'] {
  return async ({ guildId, paperId }, job) => {
    const found = await syncPaperCard(deps, guildId, paperId, job.id);
    if (!found && Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS)
      throw new NotYetStoredError(`paper ${paperId} not stored yet`);
  };
}
