import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../logger.js';
import type { MetadataService } from '../../papers/metadata-service.js';
import { SourceError } from '../../papers/safe-fetch.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { GuildSettings } from '../../domain/settings.js';
import type { PaperStore } from '../../store/paper-store.js';
import { NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';
import { syncPaperCard, type PaperCardDeps } from './paper-card.js';
import type { JobQueue } from '../job-queue.js';

export interface PaperMetadataDeps extends PaperCardDeps {
  papers: PaperStore;
  metadata: MetadataService;
  jobs: JobQueue;
  logger: Logger;
}

/**
 * The one job a newly queued paper needs: its card goes up ("details
 * pending"), then the details are fetched and the card edited (details
 * already in the cache go up with the card). A source that
 * fails is retried with backoff (the card is already up); a 404, a malformed
 * answer, a refused request or the last attempt marks the details unavailable.
 */
export function paperMetadataHandler(deps: PaperMetadataDeps): JobHandlers['paper.metadata'] {
  return async ({ guildId, paperId }, job) => {
    const [paper, settings] = await Promise.all([deps.papers.get(guildId, paperId), deps.settings.get(guildId)]);
    if (!paper && Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS)
      throw new NotYetStoredError(`paper ${paperId} not stored yet`);
    if (!paper || paper.metadataStatus !== 'pending') return;
    // The card is synced from the paper each write returns, so it is not read again. Settings read before a
    // fetch (which may take seconds) are read again after it.
    const show = async (updated: Paper | undefined, known: { settings?: GuildSettings } = {}) => {
      if (updated) await syncPaperCard(deps, guildId, paperId, job.id, { paper: updated, ...known });
    };
    // Details already fetched for another guild: the card goes up with them, in one post.
    const cached = paper.card ? null : await deps.metadata.cached(paper.ref);
    if (cached) return show(await deps.papers.setMetadata(guildId, paperId, 'ready', cached), { settings });
    if (!paper.card) await syncPaperCard(deps, guildId, paperId, job.id, { paper, settings });
    try {
      await show(await deps.papers.setMetadata(guildId, paperId, 'ready', await deps.metadata.resolve(paper.ref)));
    } catch (error) {
      const retryable = error instanceof SourceError && error.retryable;
      if (retryable && !job.finalAttempt) throw error;
      deps.logger.warn({ err: error, guildId, paperId, ref: paper.ref.id }, 'paper details unavailable');
      await show(await deps.papers.setMetadata(guildId, paperId, 'failed'));
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  };
}
