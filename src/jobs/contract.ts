import { z } from 'zod';

const snowflake = z.string().regex(/^\d{17,20}$/);

/** Every job Lectern runs: its name and its payload, validated when the worker takes it. */
export const jobPayloads = {
  /** Fetch a queued paper's title, authors and abstract from its source. */
  'paper.metadata': z.object({ guildId: snowflake, paperId: z.string().min(1).max(20) }),
  /** Post a paper's card in the announce channel, or edit it to match the paper now. */
  'paper.card': z.object({ guildId: snowflake, paperId: z.string().min(1).max(20) }),
  /** Post the live board (and its thread, and the Stage topic), or bring them up to date. */
  'session.board': z.object({ guildId: snowflake, sessionId: z.string().min(1).max(20) }),
  /** Post a question's card in the session thread, or edit it (votes, answer). */
  'question.card': z.object({ guildId: snowflake, questionId: z.string().min(1).max(20) }),
  /** Post the cards of a session's new questions, oldest first: one run for every question asked meanwhile. */
  'question.cards': z.object({ guildId: snowflake, sessionId: z.string().min(1).max(20) }),
  /** Post a running note (a highlight, a takeaway) in the session thread, once. */
  'thread.post': z.object({
    guildId: snowflake,
    sessionId: z.string().min(1).max(20),
    postId: z.string().min(1).max(40),
    content: z.string().min(1).max(2000),
  }),
  /** Compile an ended session's recap, keep it, and post it (edition: a new one posts again). */
  'session.recap': z.object({
    guildId: snowflake,
    sessionId: z.string().min(1).max(20),
    edition: z.string().min(1).max(20),
  }),
  /**
   * Open the schedule's next session: plan its agenda, reminders, auto-end and its own open job. Planned to run at
   * each session's start (`at`), so it opens the one after; /schedule changes and /session end open at once.
   */
  'schedule.open': z.object({ guildId: snowflake, at: z.number().int().optional() }),
  /** Post a session's agenda (with presenter DMs) or a reminder, once, if still on time and still wanted. */
  'schedule.post': z.object({
    guildId: snowflake,
    start: z.number().int(),
    kind: z.enum(['agenda', 'reminder']),
    offset: z.number().int().positive(),
    at: z.number().int(),
    generation: z.number().int(),
  }),
  /** Bring a session's Discord Scheduled Event in line: create or update it, or move it on (active, done, canceled). */
  'schedule.event': z.object({
    guildId: snowflake,
    start: z.number().int(),
    action: z.enum(['sync', 'active', 'completed', 'cancel']),
  }),
  /** End a session nobody ended, an hour after its scheduled end. */
  'schedule.autoend': z.object({
    guildId: snowflake,
    start: z.number().int(),
    at: z.number().int(),
    generation: z.number().int(),
  }),
  /** Edit the posted agenda to match the queue now. */
  'agenda.refresh': z.object({ guildId: snowflake }),
  /** DM a member a link to the stage when a host calls them and they are not there. */
  'member.dm': z.object({ guildId: snowflake, userId: snowflake, channelId: snowflake }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobData<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;

export interface JobInfo {
  id: string;
  attemptsMade: number;
  /** True on the last attempt BullMQ will make. */
  finalAttempt: boolean;
  /** When the job was added (ms since epoch). */
  enqueuedAt: number;
}

/**
 * A job about a paper that is not (yet) stored: right after the add it may be
 * a write still in flight (retry shortly); later, the paper was removed or
 * was a duplicate (nothing to do).
 */
export class NotYetStoredError extends Error {
  override name = 'NotYetStoredError';
}
export const NOT_YET_WINDOW_MS = 5_000;

/** The handlers a worker needs: one per job name, plain functions of the payload. */
export type JobHandlers = { [N in JobName]: (data: JobData<N>, job: JobInfo) => Promise<void> };

/** Retry policy per job; a job's post is idempotent, so retries are safe. */
export const jobOptions: Record<JobName, { attempts: number; backoffMs: number }> = {
  'paper.metadata': { attempts: 6, backoffMs: 1_000 },
  'paper.card': { attempts: 8, backoffMs: 500 },
  'session.board': { attempts: 8, backoffMs: 500 },
  'question.card': { attempts: 8, backoffMs: 500 },
  'question.cards': { attempts: 8, backoffMs: 500 },
  'thread.post': { attempts: 8, backoffMs: 500 },
  'member.dm': { attempts: 3, backoffMs: 1_000 },
  'session.recap': { attempts: 8, backoffMs: 1_000 },
  'schedule.open': { attempts: 8, backoffMs: 1_000 },
  'schedule.post': { attempts: 6, backoffMs: 500 },
  'schedule.event': { attempts: 8, backoffMs: 1_000 },
  'schedule.autoend': { attempts: 8, backoffMs: 1_000 },
  'agenda.refresh': { attempts: 5, backoffMs: 1_000 },
};

/** Deterministic job ids: planning the same session twice adds each job once. */
export const scheduleJobIds = {
  post: (guildId: string, start: number, offset: number, generation: number) =>
    `post-${guildId}-${start}-${offset}-${generation}`,
  autoend: (guildId: string, start: number, generation: number) => `autoend-${guildId}-${start}-${generation}`,
  event: (guildId: string, start: number, action: string, generation: number) =>
    `event-${guildId}-${start}-${action}-${generation}`,
  /** The job that runs at a session's start and opens the next one. */
  open: (guildId: string, start: number) => `open-${guildId}-${start}`,
  /** The weekly cron that opened sessions before open jobs did; removed when it next runs. */
  legacyScheduler: (guildId: string) => `open-${guildId}`,
};
export const agendaCoalesceKey = (guildId: string) => `agenda:${guildId}`;

/** The board is edited at most once per this interval per guild, with every change since included. */
export const BOARD_INTERVAL_MS = 2_000;
export const boardCoalesceKey = (guildId: string) => `board:${guildId}`;
export const questionCoalesceKey = (guildId: string, questionId: string) => `question:${guildId}:${questionId}`;
export const newCardsCoalesceKey = (guildId: string) => `cards:${guildId}`;

/** One waiting card job per paper: edits requested while one waits are absorbed into it. */
export const cardCoalesceKey = (guildId: string, paperId: string) => `card:${guildId}:${paperId}`;
