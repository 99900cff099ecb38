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
  /** Post a running note (a highlight, a takeaway) in the session thread, once. */
  'thread.post': z.object({ guildId: snowflake, sessionId: z.string().min(1).max(20), postId: z.string().min(1).max(40), content: z.string().min(1).max(2000) }),
  /** Compile an ended session's recap, keep it, and post it (edition: a new one posts again). */
  'session.recap': z.object({ guildId: snowflake, sessionId: z.string().min(1).max(20), edition: z.string().min(1).max(20) }),
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
  'thread.post': { attempts: 8, backoffMs: 500 },
  'member.dm': { attempts: 3, backoffMs: 1_000 },
  'session.recap': { attempts: 8, backoffMs: 1_000 },
};

/** The board is edited at most once per this interval per guild, with every change since included. */
export const BOARD_INTERVAL_MS = 2_000;
export const boardCoalesceKey = (guildId: string) => `board:${guildId}`;
export const questionCoalesceKey = (guildId: string, questionId: string) => `question:${guildId}:${questionId}`;

/** One waiting card job per paper: edits requested while one waits are absorbed into it. */
export const cardCoalesceKey = (guildId: string, paperId: string) => `card:${guildId}:${paperId}`;
