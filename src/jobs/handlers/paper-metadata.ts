import { UnrecoverableError } from 'bullmq';
import type { Logger } from '../../logger.js';
import type { MetadataService } from '../../papers/metadata-service.js';
import { SourceError } from '../../papers/safe-fetch.js';
import type { PaperStore } from '../../store/paper-store.js';
import { cardCoalesceKey, NOT_YET_WINDOW_MS, NotYetStoredError, type JobHandlers } from '../contract.js';
import type { JobQueue } from '../job-queue.js';

export interface PaperMetadataDeps {
  papers: PaperStore;
  metadata: MetadataService;
  jobs: JobQueue;
  logger: Logger;
}

/**
 * Fills a pending paper from its source, then has its card edited. A source
 * that fails is retried with backoff; a 404, a malformed answer, a refused
 * request or the last attempt marks the details unavailable instead.
 */
export function paperMetadataHandler(deps: PaperMetadataDeps): JobHandlers['paper.metadata'] {
  return async ({ guildId, paperId }, job) => {
    const paper = await deps.papers.get(guildId, paperId);
    if (!paper && Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS) throw new NotYetStoredError(`paper ${paperId} not stored yet`);
    if (!paper || paper.metadataStatus !== 'pending') return;
    try {
      const metadata = await deps.metadata.resolve(paper.ref);
      if (await deps.papers.setMetadata(guildId, paperId, 'ready', metadata)) {
        await deps.jobs.enqueue('paper.card', { guildId, paperId }, { coalesceKey: cardCoalesceKey(guildId, paperId) });
      }
    } catch (error) {
      const retryable = error instanceof SourceError && error.retryable;
      if (retryable && !job.finalAttempt) throw error;
      deps.logger.warn({ err: error, guildId, paperId, ref: paper.ref.id }, 'paper details unavailable');
      await deps.papers.setMetadata(guildId, paperId, 'failed');
      await deps.jobs.enqueue('paper.card', { guildId, paperId }, { coalesceKey: cardCoalesceKey(guildId, paperId) });
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  };
}
