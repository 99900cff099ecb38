import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../logger.js';
import type { MetadataService } from '../../papers/metadata-service.js';
import { SourceError } from '../../papers/safe-fetch.js';
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
    const paper = await deps.papers.get(guildId, paperId);
    if (!paper && Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS) throw new NotYetStoredError(`paper ${paperId} not stored yet`);
    if (!paper || paper.metadataStatus !== 'pending') return;
    // Details already fetched for another guild: the card goes up with them, in one post.
    const cached = paper.card ? null : await deps.metadata.cached(paper.ref);
    if (cached) {
      if (await deps.papers.setMetadata(guildId, paperId, 'ready', cached)) await syncPaperCard(deps, guildId, paperId, job.id);
      return;
    }
    if (!paper.card) await syncPaperCard(deps, guildId, paperId, job.id);
    try {
      const metadata = await deps.metadata.resolve(paper.ref);
      if (await deps.papers.setMetadata(guildId, paperId, 'ready', metadata)) await syncPaperCard(deps, guildId, paperId, job.id);
    } catch (error) {
      const retryable = error instanceof SourceError && error.retryable;
      if (retryable && !job.finalAttempt) throw error;
      deps.logger.warn({ err: error, guildId, paperId, ref: paper.ref.id }, 'paper details unavailable');
      await deps.papers.setMetadata(guildId, paperId, 'failed');
      await syncPaperCard(deps, guildId, paperId, job.id);
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  };
}
