import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { jobOptions, jobPayloads, type JobData, type JobHandlers, type JobName } from './contract.js';

/**
 * BullMQ keys share one hash tag, so a Redis Cluster keeps them on one slot as
 * BullMQ requires; the application id keeps two bots on one Redis apart.
 */
export const jobPrefix = (applicationId: string) => `{lectern-jobs:${applicationId}}`;
/** The one BullMQ queue every job goes through. */
export const QUEUE = 'lectern';

export interface EnqueueOptions {
  coalesceKey?: string;
  delayMs?: number;
  /** When the job falls due, on the app clock (ms); BullMQ stores it as its add time plus the delay. */
  runAt?: number;
  /** A deterministic id: adding a job whose id exists (waiting, delayed or kept after completion) does nothing. */
  jobId?: string;
}

/** Raised inside a handler when retrying cannot help (a 404, a malformed answer). */
export { UnrecoverableError };

/**
 * The one owner of BullMQ objects. Producers enqueue through `enqueue`;
 * worker processes call `startWorker` with a handler for every job name.
 */
export class JobQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | Cluster | undefined;

  private readonly prefix: string;

  /**
   * `producer` is a fail-fast connection of the app's (not owned here), kept
   * for jobs. Callers add a job once the write it is about has returned; a
   * handler that still finds no data (a write racing its job) retries for a
   * moment (NotYetStoredError). `connectWorker` makes the worker's own
   * blocking connection, with `maxRetriesPerRequest: null` as BullMQ requires.
   * `clock` is the app's "now" (the demo and tests run their own), which `runAt` is read against.
   */
  constructor(
    producer: Redis | Cluster,
    private readonly connectWorker: () => Redis | Cluster,
    applicationId: string,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {
    this.prefix = jobPrefix(applicationId);
    this.queue = new Queue(QUEUE, { connection: producer, prefix: this.prefix });
  }

  /**
   * Adds a job. `coalesceKey` makes it at most one waiting job per key: adds
   * while one waits are absorbed, and an add while one runs is kept to run after it.
   */
  async enqueue<N extends JobName>(name: N, data: JobData<N>, options: EnqueueOptions = {}): Promise<void> {
    await this.queue.add(name, data, this.jobOptions(name, options));
  }

  private jobOptions(name: JobName, options: EnqueueOptions): JobsOptions {
    const { attempts, backoffMs } = jobOptions[name];
    return {
      ...(options.runAt === undefined ? {} : this.dueAt(options.runAt)),
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...(options.coalesceKey ? { deduplication: { id: options.coalesceKey, keepLastIfActive: true } } : {}),
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      ...(options.jobId ? { jobId: options.jobId } : {}),
    };
  }

  /**
   * The add time and delay that make a job fall due when the app clock reads
   * `runAt`: both taken at one instant, so the due time is exact, not a few ms late.
   */
  private dueAt(runAt: number): Pick<JobsOptions, 'timestamp' | 'delay'> {
    const timestamp = Date.now();
    // On the real clock, one reading serves both: a tick between two readings would put the job a millisecond early.
    const delay = runAt - (this.clock === Date.now ? timestamp : this.clock());
    return delay > 0 ? { timestamp, delay } : { timestamp };
  }

  /** Removes jobs by id; a job that is running is left to finish (its handler checks it is still wanted). */
  async remove(jobIds: string[]): Promise<void> {
    await Promise.all(jobIds.map((id) => this.queue.remove(id)));
  }

  /** Removes a BullMQ job scheduler (Lectern adds none now; this clears one an older version added). */
  async removeScheduler(schedulerId: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId);
  }

  /**
   * Re-times delayed jobs whose payload names the time they are for (`at`) to
   * the app clock: those due by `now` run at once, the others wait `at - now`.
   * BullMQ keeps each job's absolute due time, so only a clock that is not the
   * real one (the demo's and the tests' compressed time) needs this.
   */
  async realign(now: number): Promise<number> {
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
        // Taken or removed meanwhile: nothing to re-time.
        this.logger.debug({ err: error, jobId: job.id }, 'job not re-timed');
      }
    }
    return due;
  }

  /** Starts processing. Refuses to start if any job name lacks a handler. */
  startWorker(handlers: JobHandlers, concurrency = 5): void {
    const missing = (Object.keys(jobPayloads) as JobName[]).filter((name) => typeof handlers[name] !== 'function');
    if (missing.length > 0) throw new Error(`no handler for jobs: ${missing.join(', ')}`);
    this.workerConnection = this.connectWorker();
    this.workerConnection.on('error', (err) => this.logger.warn({ err }, 'worker connection error'));
    this.worker = new Worker(QUEUE, (job) => this.process(job, handlers), {
      connection: this.workerConnection,
      prefix: this.prefix,
      concurrency,
      // A killed worker's job is taken over within ~15 s rather than BullMQ's default 60 s.
      lockDuration: 10_000,
      // An idle worker waits at most 1 s per poll (BullMQ: 5 s): after a Redis Cluster outage, a delayed job's
      // wake-up can be lost, and a shorter wait keeps it from going out seconds late.
      drainDelay: 1,
      stalledInterval: 5_000,
    });
    this.worker.on('failed', (job, err) => {
      // A job that raced its own data (see NotYetStoredError) retries quietly.
      const level = err.name === 'NotYetStoredError' ? 'debug' : 'warn';
      this.logger[level]({ err, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade }, 'job failed');
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
  }

  private async process(job: Job, handlers: JobHandlers): Promise<void> {
    const name = job.name as JobName;
    const schema = jobPayloads[name];
    if (!schema) throw new UnrecoverableError(`unknown job ${job.name}`);
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.message}`);
    const info = {
      id: job.id ?? '',
      attemptsMade: job.attemptsMade,
      finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
      enqueuedAt: job.timestamp,
    };
    await (handlers[name] as (data: unknown, info: unknown) => Promise<void>)(parsed.data, info);
  }

  /** Jobs in each state, for tests and health checks. */
  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  /** Waits (up to `timeoutMs`) for running jobs to finish, then closes every connection, even if Redis is gone. */
  async close(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = (async () => {
      await this.worker?.close();
      await this.queue.close();
    })().then(
      () => true,
      () => true,
    );
    const finished = await Promise.race([
      graceful,
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn('jobs did not stop in time; their locks will lapse and another worker will take them over');
      void this.worker?.close(true).catch(() => {});
    }
    this.workerConnection?.disconnect();
  }
}
