import type { JobHandlers } from '../contract.js';
import { paperCardHandler } from './paper-card.js';
import { paperMetadataHandler, type PaperMetadataDeps } from './paper-metadata.js';
import { sessionBoardHandler } from './session-board.js';
import { memberDmHandler, newCardsHandler, questionCardHandler, threadPostHandler } from './session-posts.js';
import { pollHandlers, type PollDeps } from './paper-poll.js';
import { paperEarlyHandler } from './paper-thread.js';
import type { JobQueue } from '../job-queue.js';
import { scheduleHandlers, type ScheduleDeps } from './schedule.js';
import { sessionRecapHandler, type RecapDeps } from './session-recap.js';
import { transcribeHandler, type TranscribeDeps } from './transcribe.js';
import { transcriptSummaryHandler, type SummaryDeps } from './transcript-summary.js';

export function jobHandlers(
  deps: PaperMetadataDeps & ScheduleDeps & PollDeps & RecapDeps & TranscribeDeps & SummaryDeps & { jobs: JobQueue },
): JobHandlers {
  return {
    // A paper's card changing may change a posted agenda too.
    'paper.card': async (data, job) => {
      await paperCardHandler(deps)(data, job);
      await deps.schedule.agendaChanged(data.guildId);
    },
    'paper.metadata': async (data, job) => {
      await paperMetadataHandler(deps)(data, job);
      await deps.schedule.agendaChanged(data.guildId);
    },
    'paper.early': paperEarlyHandler(deps),
    'session.board': sessionBoardHandler(deps),
    'question.card': questionCardHandler(deps),
    'question.cards': newCardsHandler(deps),
    'thread.post': threadPostHandler(deps),
    'member.dm': memberDmHandler(deps),
    'session.recap': sessionRecapHandler(deps),
    transcribe: transcribeHandler(deps),
    'transcript.summary': transcriptSummaryHandler(deps),
    ...scheduleHandlers(deps),
    ...pollHandlers(deps),
  };
}
