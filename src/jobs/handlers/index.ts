import type { JobHandlers } from '../contract.js';
import { paperCardHandler, type PaperCardDeps } from './paper-card.js';
import { paperMetadataHandler, type PaperMetadataDeps } from './paper-metadata.js';

export type HandlerDeps = PaperCardDeps & PaperMetadataDeps;

/** Every job's handler; JobQueue.startWorker refuses to start if one is missing. */
export function jobHandlers(deps: HandlerDeps): JobHandlers {
  return {
    'paper.card': paperCardHandler(deps),
    'paper.metadata': paperMetadataHandler(deps),
  };
}
