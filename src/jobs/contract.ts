import { z } from 'zod';

const snowflake = z.string().regex(/^\d{17,20}$/);
const id = z.string().min(1).max(20);
const int = z.number().int();
const paperJob = z.object({ guildId: snowflake, paperId: id });
const sessionJob = z.object({ guildId: snowflake, sessionId: id });

export const jobPayloads = {
  'paper.metadata': paperJob,
  'paper.card': paperJob,
  'paper.early': sessionJob.extend({ paperId: id }),
  'session.board': sessionJob,
  'question.card': z.object({ guildId: snowflake, questionId: id }),
  'question.cards': sessionJob,
  'thread.post': sessionJob.extend({ postId: z.string().min(1).max(40), content: z.string().min(1).max(2000) }),
  'session.recap': sessionJob.extend({ edition: id }),
  'schedule.open': z.object({ guildId: snowflake, at: int.optional() }),
  'schedule.post': z.object({
    guildId: snowflake,
    start: int,
    kind: z.enum(['agenda', 'reminder']),
    offset: int.positive(),
    at: int,
    generation: int,
  }),
  'schedule.event': z.object({
    guildId: snowflake,
    start: int,
    action: z.enum(['sync', 'active', 'completed', 'cancel']),
  }),
  'schedule.autoend': z.object({ guildId: snowflake, start: int, at: int, generation: int }),
  'agenda.refresh': z.object({ guildId: snowflake }),
  'schedule.poll': z.object({ guildId: snowflake, start: int, at: int, closesAt: int, generation: int }),
  'schedule.confirm': z.object({ guildId: snowflake, start: int, at: int, generation: int }),
  'poll.post': z.object({ guildId: snowflake, pollId: id }),
  /** `at`: when the poll closes. */
  'poll.close': z.object({ guildId: snowflake, pollId: id, at: int }),
  'announce.note': z.object({
    guildId: snowflake,
    noteId: z.string().min(1).max(80),
    content: z.string().min(1).max(2000),
    /** The one role the note may ping. */
    pingRoleId: snowflake.optional(),
  }),
  'member.dm': z.object({ guildId: snowflake, userId: snowflake, channelId: snowflake }),
  /** One utterance of an opted-in member, whose audio waits in Redis; `prompt`: words the provider should expect. */
  transcribe: sessionJob.extend({
    utteranceId: id,
    userId: snowflake,
    from: int,
    to: int,
    paperId: id.optional(),
    prompt: z.string().max(300).optional(),
  }),
  /** The written summary of an ended session's transcript; then the recap edition goes on. */
  'transcript.summary': sessionJob.extend({ edition: id }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobData<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;

export interface JobInfo {
  id: string;
  attemptsMade: number;
  finalAttempt: boolean;
  /** ms since epoch */
  enqueuedAt: number;
}

export class NotYetStoredError extends Error {
  override name = 'NotYetStoredError';
}
export const NOT_YET_WINDOW_MS = 5_000;

/** For a job whose data is missing: retry if it was added moments ago, else it was removed (nothing to do). */
export function retryIfJustAdded(job: JobInfo, what: string) {
  if (Date.now() - job.enqueuedAt < NOT_YET_WINDOW_MS) throw new NotYetStoredError(`${what} not stored yet`);
}

export type JobHandlers = { [N in JobName]: (data: JobData<N>, job: JobInfo) => Promise<void> };

const retryFast = { attempts: 8, backoffMs: 500 };
const retrySlow = { attempts: 8, backoffMs: 1_000 };
/** Retry policy per job; every job is idempotent, so retries are safe. */
export const jobOptions: Record<JobName, { attempts: number; backoffMs: number }> = {
  'paper.metadata': { attempts: 6, backoffMs: 1_000 },
  'paper.card': retryFast,
  'paper.early': retryFast,
  'session.board': retryFast,
  'question.card': retryFast,
  'question.cards': retryFast,
  'thread.post': retryFast,
  'member.dm': { attempts: 3, backoffMs: 1_000 },
  'session.recap': retrySlow,
  'schedule.open': retrySlow,
  'schedule.post': { attempts: 6, backoffMs: 500 },
  'schedule.event': retrySlow,
  'schedule.autoend': retrySlow,
  'agenda.refresh': { attempts: 5, backoffMs: 1_000 },
  'schedule.poll': { attempts: 6, backoffMs: 500 },
  'schedule.confirm': { attempts: 6, backoffMs: 500 },
  'poll.post': retryFast,
  // Retried while Discord finalizes the counts after the poll ends.
  'poll.close': { attempts: 10, backoffMs: 500 },
  'announce.note': retryFast,
  // The defaults of LECTERN_STT_ATTEMPTS and LECTERN_STT_BACKOFF_MS, which replace them (JobQueue's lane options).
  transcribe: { attempts: 6, backoffMs: 2_000 },
  // A model that cannot be reached is tried again a few times; one that answers badly is retried by the job itself.
  'transcript.summary': { attempts: 4, backoffMs: 5_000 },
};

/**
 * Jobs with a queue of their own, so a slow external provider never holds Discord work back; each lane's
 * concurrency limit holds across every worker process.
 */
export const jobLanes: Partial<Record<JobName, SideLane>> = { transcribe: 'stt', 'transcript.summary': 'llm' };
export type SideLane = 'stt' | 'llm';
/** A lane's jobs at once, across every worker process, unless the configuration says otherwise. */
export const LANE_CONCURRENCY: Record<SideLane, number> = { stt: 4, llm: 2 };

/** A failure that says when to try again (a provider's 429 with Retry-After). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** Deterministic job ids: planning the same session twice adds each job once. */
export const scheduleJobIds = {
  post: (guildId: string, start: number, offset: number, generation: number) =>
    `post-${guildId}-${start}-${offset}-${generation}`,
  autoend: (guildId: string, start: number, generation: number) => `autoend-${guildId}-${start}-${generation}`,
  event: (guildId: string, start: number, action: string, generation: number) =>
    `event-${guildId}-${start}-${action}-${generation}`,
  open: (guildId: string, start: number) => `open-${guildId}-${start}`,
  poll: (guildId: string, start: number, generation: number) => `poll-${guildId}-${start}-${generation}`,
  confirm: (guildId: string, start: number, generation: number) => `confirm-${guildId}-${start}-${generation}`,
  /** The weekly cron that opened sessions before open jobs did. */
  legacyScheduler: (guildId: string) => `open-${guildId}`,
};
/** One per utterance: queuing it twice adds it once. */
export const transcribeJobId = (guildId: string, utteranceId: string) => `stt-${guildId}-${utteranceId}`;
export const pollJobIds = {
  post: (guildId: string, pollId: string) => `poll-post-${guildId}-${pollId}`,
  close: (guildId: string, pollId: string) => `poll-close-${guildId}-${pollId}`,
};
export const agendaCoalesceKey = (guildId: string) => `agenda:${guildId}`;

export const BOARD_INTERVAL_MS = 2_000;
export const boardCoalesceKey = (guildId: string) => `board:${guildId}`;
/** Per card message when the card is posted (a grouped card shows several questions), else per question. */
export const questionCoalesceKey = (guildId: string, cardOrQuestionId: string) =>
  `question:${guildId}:${cardOrQuestionId}`;
export const newCardsCoalesceKey = (guildId: string) => `cards:${guildId}`;
export const cardCoalesceKey = (guildId: string, paperId: string) => `card:${guildId}:${paperId}`;
