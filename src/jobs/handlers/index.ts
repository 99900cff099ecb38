import type { JobHandlers } from '../contract.js';
import { paperCardHandler, type PaperCardDeps } from './paper-card.js';
import { paperMetadataHandler, type PaperMetadataDeps } from './paper-metadata.js';
import { sessionBoardHandler, type SessionBoardDeps } from './session-board.js';
import { memberDmHandler, questionCardHandler, threadPostHandler } from './session-posts.js';
import { sessionRecapHandler } from './session-recap.js';

export type HandlerDeps = PaperCardDeps & PaperMetadataDeps & SessionBoardDeps;

/** Every job's handler; JobQueue.startWorker refuses to start if one is missing. */
export function jobHandlers(deps: HandlerDeps): JobHandlers {
  return {
    'paper.card': paperCardHandler(deps),
    'paper.metadata': paperMetadataHandler(deps),
    'session.board': sessionBoardHandler(deps),
    'question.card': questionCardHandler(deps),
    'thread.post': threadPostHandler(deps),
    'member.dm': memberDmHandler(deps),
    'session.recap': sessionRecapHandler(deps),
  };
}
