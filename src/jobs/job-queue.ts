import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions, type MinimalJob } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  jobLanes,
  LANE_CONCURRENCY,
  type SideLane,
  jobOptions,
  jobPayloads,
  RetryLaterError,
  type JobData,
  type JobHandlers,
  type JobInfo,
  type JobName,
} from './contract.js';

/** One hash tag keeps BullMQ's keys on one Cluster slot, as it requires; the app id keeps two bots apart. */
export const jobPrefix = (applicationId: string) => `{lectern-jobs:${applicationId}}`;
export const QUEUE = 'lectern';

interface EnqueueOptions {
  coalesceKey?: string;
  delayMs?: number;
  /** When the job falls due, on the app clock (ms). */
  runAt?: number;
  /** Adding a job whose id exists (waiting, delayed or kept after completion) does nothing. */
  jobId?: string;
}

/** A lane's limits: `concurrency` at once across every worker; retries given here replace the contract's. */
export interface LaneOptions {
  concurrency: number;
  attempts?: number;
  backoffMs?: number;
}
type Lane = 'main' | SideLane;

export type JobRequest = { [N in JobName]: { name: N; data: JobData<N>; options?: EnqueueOptions } }[JobName];

/** The one owner of BullMQ objects. */
export class JobQueue {
  private readonly queues: Record<Lane, Queue>;
  private readonly workers: Worker[] = [];
  private workerConnections: Array<Redis | Cluster> = [];
  private readonly prefix: string;

  /** `producer` is not owned here; `connectWorker` needs `maxRetriesPerRequest: null`; `clock` is the app's "now". */
  constructor(
    producer: Redis | Cluster,
    private readonly connectWorker: () => Redis | Cluster,
    applicationId: string,
    private readonly logger: Logger,
    private readonly clock: () => number,
    private readonly lanes: Partial<Record<SideLane, LaneOptions>> = {},
  ) {
    this.prefix = jobPrefix(applicationId);
    this.queues = {
      main: new Queue(QUEUE, { connection: producer, prefix: this.prefix }),
      stt: new Queue(`${QUEUE}-stt`, { connection: producer, prefix: this.prefix }),
      llm: new Queue(`${QUEUE}-llm`, { connection: producer, prefix: this.prefix }),
    };
  }

  private get queue() {
    return this.queues.main;
  }

  private laneOf(name: JobName): Lane {
    return jobLanes[name] ?? 'main';
  }

  /** `coalesceKey`: at most one waiting job per key; an add while one runs is kept to run after it. */
  async enqueue<N extends JobName>(name: N, data: JobData<N>, options: EnqueueOptions = {}) {
    await this.queues[this.laneOf(name)].add(name, data, this.optionsFor(name, options));
  }

  /** One round trip: BullMQ's addBulk pipelines the adds. */
  async enqueueAll(jobs: Array<JobRequest | undefined>) {
    const wanted = jobs.filter((job) => job !== undefined);
    for (const lane of Object.keys(this.queues) as Lane[]) {
      const inLane = wanted.filter(({ name }) => this.laneOf(name) === lane);
      if (inLane.length > 0)
        await this.queues[lane].addBulk(
          inLane.map(({ name, data, options }) => ({ name, data, opts: this.optionsFor(name, options) })),
        );
    }
  }

  private optionsFor(name: JobName, options: EnqueueOptions = {}): JobsOptions {
    const lane = this.laneOf(name);
    const given = lane === 'main' ? undefined : this.lanes[lane];
    const attempts = given?.attempts ?? jobOptions[name].attempts;
    const backoffMs = given?.backoffMs ?? jobOptions[name].backoffMs;
    return {
      ...(options.runAt === undefined ? {} : this.dueAt(options.runAt)),
      attempts,
      // Exponential, unless the failure said when to try again (see the workers' backoffStrategy).
      backoff: { type: 'provider', delay: backoffMs },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...(options.coalesceKey && { deduplication: { id: options.coalesceKey, keepLastIfActive: true } }),
      ...(options.delayMs && { delay: options.delayMs }),
      ...(options.jobId && { jobId: options.jobId }),
    };
  }

  private dueAt(runAt: number): Pick<JobsOptions, 'timestamp' | 'delay'> {
    const timestamp = Date.now();
    // On the real clock one reading serves both: a tick between two would make the job a millisecond early.
    const delay = runAt - (this.clock === Date.now ? timestamp : this.clock());
    return delay > 0 ? { timestamp, delay } : { timestamp };
  }

  /** A running job is left to finish (its handler checks it is still wanted). */
  async remove(jobIds: string[]) {
    await Promise.all(jobIds.map((id) => this.queue.remove(id)));
  }

  /** Whether the job is still to run or running (not finished, failed for good, or unknown). */
  async isQueued(lane: SideLane, jobId: string) {
    const state = await this.queues[lane].getJobState(jobId);
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** Jobs of a lane not yet done (waiting, delayed, running): how far behind a provider is. */
  async backlog(lane: SideLane) {
    const counts = await this.queues[lane].getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async removeScheduler(schedulerId: string) {
    await this.queue.removeJobScheduler(schedulerId);
  }

  /** For a compressed clock: re-times delayed jobs that have an `at`; returns how many were due. */
  async realign(now: number) {
    let due = 0;
    for (const job of await this.queue.getDelayed()) {
      const { at } = job.data as { at?: unknown };
      if (typeof at !== 'number') continue;
      try {
        if (at <= now) {
          await job.promote();
          due++;
        } else {
          await job.changeDelay(at - now);
        }
      } catch (error) {
        // Taken or removed meanwhile.
        this.logger.debug({ err: error, jobId: job.id }, 'job not re-timed');
      }
    }
    return due;
  }

  /** Resolves once every lane's concurrency limit is set, so no lane worker runs before its limit holds. */
  async startWorker(handlers: JobHandlers, concurrency = 5) {
    const missing = (Object.keys(jobPayloads) as JobName[]).filter((name) => typeof handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`no handler for jobs: ${missing.join(', ')}`);
    this.startLane('main', handlers, concurrency);
    for (const lane of Object.keys(LANE_CONCURRENCY) as SideLane[]) {
      const limit = this.lanes[lane]?.concurrency ?? LANE_CONCURRENCY[lane];
      // Global: two worker processes together still send a provider at most `limit` requests at once.
      await this.queues[lane].setGlobalConcurrency(limit);
      this.startLane(lane, handlers, limit);
    }
  }

  private startLane(lane: Lane, handlers: JobHandlers, concurrency: number) {
    const connection = this.connectWorker();
    this.workerConnections.push(connection);
    connection.on('error', (err) => this.logger.warn({ err, lane }, 'worker connection error'));
    const worker = new Worker(this.queues[lane].name, (job) => this.process(job, handlers), {
      connection,
      prefix: this.prefix,
      concurrency,
      // A killed worker's job is taken over within ~15 s (BullMQ's default: 60 s).
      lockDuration: 10_000,
      // A delayed job's wake-up can be lost in a Cluster outage: polling every 1 s (not 5) keeps it from being late.
      drainDelay: 1,
      stalledInterval: 5_000,
      settings: { backoffStrategy: retryDelay },
    });
    worker.on('failed', (job, err) => {
      // A job that raced its own data retries quietly.
      const level = err.name === 'NotYetStoredError' ? 'debug' : 'warn';
      this.logger[level]({ err, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed');
    });
    worker.on('error', (err) => this.logger.error({ err, lane }, 'worker error'));
    this.workers.push(worker);
  }

  private async process(job: Job, handlers: JobHandlers) {
    const name = job.name as JobName;
    const schema = jobPayloads[name];
    if (!schema) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.message}`);
    await (handlers[name] as (data: unknown, info: JobInfo) => Promise<void>)(parsed.data, {
      id: job.id ?? '',
      attemptsMade: job.attemptsMade,
      finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      enqueuedAt: job.timestamp,
    });
  }

  /** Summed over every lane. */
  async counts(): Promise<Record<string, number>> {
    const all = await Promise.all(
      Object.values(this.queues).map((queue) =>
        queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
      ),
    );
    const total: Record<string, number> = {};
    for (const counts of all) for (const [state, n] of Object.entries(counts)) total[state] = (total[state] ?? 0) + n;
    return total;
  }

  /** Waits (up to `timeoutMs`) for running jobs, then closes every connection, even if Redis is gone. */
  async close(timeoutMs = 5_000) {
    let timer: NodeJS.Timeout | undefined;
    const graceful = (async () => {
      await Promise.all(this.workers.map((worker) => worker.close()));
      await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
      return true;
    })().catch(() => true);
    const finished = await Promise.race([
      graceful,
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn('jobs did not stop in time; their locks will lapse and another worker will take them over');
      for (const worker of this.workers) void worker.close(true).catch(() => {});
    }
    for (const connection of this.workerConnections) connection.disconnect();
  }
}

/** Doubling from the job's delay; a failure that names its own wait (429 Retry-After) gets at least that. */
function retryDelay(attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) {
  const base = typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1_000) : 1_000;
  const doubling = base * 2 ** Math.max(0, attemptsMade - 1);
  return err instanceof RetryLaterError ? Math.max(doubling, err.retryAfterMs) : doubling;
}
