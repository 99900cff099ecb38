import { UnrecoverableError } from 'bullmq';
import type { MetadataService } from '../../papers/metadata-service.js';
import { SourceError } from '../../papers/safe-fetch.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { GuildSettings } from '../../domain/settings.js';
import { retryIfJustAdded, type JobHandlers } from '../contract.js';
import { syncPaperCard, type PaperCardDeps } from './paper-card.js';

export interface PaperMetadataDeps extends PaperCardDeps {
  metadata: MetadataService;
}

export function paperMetadataHandler(deps: PaperMetadataDeps): JobHandlers['paper.metadata'] {
  return async ({ guildId, paperId }, job) => {
    const [paper, settings] = await Promise.all([deps.papers.get(guildId, paperId), deps.settings.get(guildId)]);
    if (!paper) retryIfJustAdded(job, `paper ${paperId}`);
    if (!paper || paper.metadataStatus !== 'pending') return;
    // Settings read before a fetch (which may take seconds) are read again after it.
    const show = async (updated: Paper | undefined, settings?: GuildSettings) => {
      if (updated) await syncPaperCard(deps, guildId, paperId, job.id, { paper: updated, settings });
    };
    const cached = paper.card ? null : await deps.metadata.cached(paper.ref);
    if (cached) return show(await deps.papers.setMetadata(guildId, paperId, 'ready', cached), settings);
    if (!paper.card) await syncPaperCard(deps, guildId, paperId, job.id, { paper, settings });
    // Only the fetch is judged here: a card or thread failing after it is retried, not called a failed fetch.
    let metadata;
    try {
      metadata = await deps.metadata.resolve(paper.ref);
    } catch (error) {
      if (error instanceof SourceError && error.retryable && !job.finalAttempt) throw error;
      deps.logger.warn({ err: error, guildId, paperId, ref: paper.ref.id }, 'paper details unavailable');
      await show(await deps.papers.setMetadata(guildId, paperId, 'failed'));
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
    await show(await deps.papers.setMetadata(guildId, paperId, 'ready', metadata));
  };
}
