import { UserError } from '../domain/errors.js';
import { AUTO_END_AFTER_MS, nextSession, parseSkipDate, planPosts, type Schedule } from '../domain/schedule/plan.js';
import { localDate } from '../domain/schedule/weekly.js';
import { agendaCoalesceKey, scheduleJobIds } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import type { OccurrenceRecord } from '../domain/schedule/plan.js';
import type { ScheduleStore, StoredSchedule } from '../store/schedule-store.js';
import type { SettingsStore } from '../store/settings-store.js';

/** A /session start within this long of a scheduled start belongs to that session. */
const SESSION_MATCH_MS = 3 * 3600_000;

/**
 * The weekly schedule: /schedule changes, and the opening of each week's
 * session (its agenda, reminders, auto-end and the job that opens the next
 * one, as delayed jobs with deterministic ids, and its Discord Scheduled
 * Event). Every change bumps the schedule's generation; jobs planned under an
 * older one are removed, and their handlers drop them if they run anyway.
 */
export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly settings: SettingsStore,
    private readonly jobs: JobQueue,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  schedule(guildId: string): Promise<StoredSchedule | undefined> {
    return this.store.schedule(guildId);
  }

  /** The session the schedule has opened (the next one), with what has gone out for it. */
  openSession(guildId: string): Promise<OccurrenceRecord | undefined> {
    return this.store.open(guildId);
  }

  /** Sets the weekly slot (un-pausing it) and opens the next session; skips still ahead are kept. */
  async set(
    guildId: string,
    slot: Pick<Schedule, 'weekday' | 'time' | 'timeZone' | 'durationMin'>,
  ): Promise<OccurrenceRecord | undefined> {
    const previous = await this.store.schedule(guildId);
    const today = localDate(slot.timeZone, this.now());
    const schedule: Schedule = {
      ...slot,
      paused: false,
      skips: (previous?.skips ?? []).filter((date) => date >= today),
    };
    await this.store.saveSchedule(guildId, schedule);
    await this.settings.update(guildId, { timeZone: slot.timeZone });
    return this.open(guildId);
  }

  async skip(guildId: string, dateInput: string): Promise<{ date: string; next: OccurrenceRecord | undefined }> {
    const schedule = await this.required(guildId);
    const date = parseSkipDate(dateInput, schedule, this.now());
    if (schedule.skips.includes(date))
      throw new UserError('skip-already', `The session of ${date} is already skipped.`);
    await this.store.saveSchedule(guildId, { ...schedule, skips: [...schedule.skips, date].sort() });
    return { date, next: await this.open(guildId) };
  }

  async pause(guildId: string): Promise<void> {
    const schedule = await this.required(guildId);
    if (schedule.paused)
      throw new UserError('schedule-paused', 'The schedule is already paused; /schedule resume starts it again.');
    await this.store.saveSchedule(guildId, { ...schedule, paused: true });
    await this.open(guildId);
  }

  async resume(guildId: string): Promise<OccurrenceRecord | undefined> {
    const schedule = await this.required(guildId);
    if (!schedule.paused) throw new UserError('schedule-running', 'The schedule is not paused.');
    await this.store.saveSchedule(guildId, { ...schedule, paused: false });
    return this.open(guildId);
  }

  /** Plans the open session again (the reminder offsets changed). */
  async replan(guildId: string): Promise<void> {
    const schedule = await this.store.schedule(guildId);
    if (!schedule) return;
    await this.store.saveSchedule(guildId, schedule);
    await this.open(guildId);
  }

  /**
   * Opens the next session after now (or after `after`, the start an open job
   * was planned for: a job run a moment early still opens the one after it).
   * Cancels a different one still ahead (rescheduled, skipped or paused), and
   * plans this one's jobs unless they are already planned under the current
   * generation. Safe to run twice.
   */
  async open(guildId: string, after?: number): Promise<OccurrenceRecord | undefined> {
    const now = this.now();
    const from = Math.max(now, after ?? now);
    const schedule = await this.store.schedule(guildId);
    const next = schedule ? nextSession(schedule, from) : undefined;
    const previous = await this.store.open(guildId);
    if (previous && previous.status === 'open' && previous.start !== next?.start && previous.start > from)
      await this.cancel(guildId, previous);
    if (!schedule || !next) {
      if (previous) await this.store.clearOpen(guildId);
      return undefined;
    }
    const existing = previous?.start === next.start ? previous : await this.store.occurrence(guildId, next.start);
    if (existing && existing.status === 'open' && existing.generation === schedule.generation) {
      if (previous?.start !== next.start)
        await this.store.markOpen(guildId, next, schedule.generation, existing.jobIds);
      return existing;
    }
    if (existing) await this.jobs.remove(existing.jobIds);

    const { reminderOffsets } = await this.settings.get(guildId);
    const generation = schedule.generation;
    const posts = planPosts(next, reminderOffsets, now).map((post) => ({
      id: scheduleJobIds.post(guildId, next.start, post.offset, generation),
      data: { guildId, start: next.start, kind: post.kind, offset: post.offset, at: post.at, generation },
    }));
    const autoEndAt = next.end + AUTO_END_AFTER_MS;
    const autoEndId = scheduleJobIds.autoend(guildId, next.start, generation);
    const openId = scheduleJobIds.open(guildId, next.start);
    // Stored before the jobs are added, so no job runs before the session it is for.
    await this.store.markOpen(guildId, next, generation, [...posts.map((p) => p.id), autoEndId, openId]);
    await Promise.all([
      ...posts.map((post) => this.jobs.enqueue('schedule.post', post.data, { jobId: post.id, runAt: post.data.at })),
      this.jobs.enqueue(
        'schedule.autoend',
        { guildId, start: next.start, at: autoEndAt, generation },
        { jobId: autoEndId, runAt: autoEndAt },
      ),
      // At this session's start, the next one opens: the one chain of jobs that carries the schedule week to week.
      this.jobs.enqueue('schedule.open', { guildId, at: next.start }, { jobId: openId, runAt: next.start }),
      this.jobs.enqueue(
        'schedule.event',
        { guildId, start: next.start, action: 'sync' },
        { jobId: scheduleJobIds.event(guildId, next.start, 'sync', generation) },
      ),
    ]);
    this.logger.info(
      { guildId, start: new Date(next.start).toISOString(), posts: posts.length, generation },
      'session opened',
    );
    return this.store.occurrence(guildId, next.start);
  }

  /** Removes the weekly cron an older Lectern opened sessions with: open jobs do it now. */
  async dropLegacyScheduler(guildId: string): Promise<void> {
    await this.jobs.removeScheduler(scheduleJobIds.legacyScheduler(guildId));
  }

  /**
   * The posted agenda follows the queue until its session starts: an edit a
   * moment after a change (coalesced). Nothing before it is posted, nothing after the start.
   */
  async agendaChanged(guildId: string): Promise<void> {
    const open = await this.store.open(guildId);
    if (open?.agenda && open.status === 'open' && !open.sessionId && open.start > this.now())
      await this.jobs.enqueue(
        'agenda.refresh',
        { guildId },
        { coalesceKey: agendaCoalesceKey(guildId), delayMs: 2_000 },
      );
  }

  /** Links a live session to the scheduled one it runs (if any) and marks its event active. */
  async sessionStarted(guildId: string, sessionId: string, at: number): Promise<void> {
    const occurrence = await this.store.latestBetween(guildId, at - SESSION_MATCH_MS, at + SESSION_MATCH_MS);
    if (
      !occurrence ||
      occurrence.status !== 'open' ||
      occurrence.sessionId ||
      Math.abs(occurrence.start - at) > SESSION_MATCH_MS
    )
      return;
    if (!(await this.store.setOnce(guildId, occurrence.start, 'sessionId', sessionId))) return;
    await this.jobs.enqueue(
      'schedule.event',
      { guildId, start: occurrence.start, action: 'active' },
      { jobId: scheduleJobIds.event(guildId, occurrence.start, 'active', occurrence.generation) },
    );
  }

  /**
   * Marks the event of the scheduled session a live session ran as completed,
   * and has the worker open the next one: the queue (and what was left
   * unanswered) belongs to it now.
   */
  async sessionEnded(guildId: string, sessionId: string, at: number): Promise<void> {
    const occurrence = await this.store.latestBetween(
      guildId,
      at - 2 * SESSION_MATCH_MS - AUTO_END_AFTER_MS,
      at + SESSION_MATCH_MS,
    );
    await Promise.all([
      occurrence?.sessionId === sessionId
        ? this.jobs.enqueue(
            'schedule.event',
            { guildId, start: occurrence.start, action: 'completed' },
            { jobId: scheduleJobIds.event(guildId, occurrence.start, 'completed', occurrence.generation) },
          )
        : undefined,
      this.jobs.enqueue('schedule.open', { guildId }),
    ]);
  }

  private async cancel(guildId: string, occurrence: OccurrenceRecord): Promise<void> {
    await this.store.cancel(guildId, occurrence.start);
    await this.jobs.remove(occurrence.jobIds);
    await this.jobs.enqueue(
      'schedule.event',
      { guildId, start: occurrence.start, action: 'cancel' },
      { jobId: scheduleJobIds.event(guildId, occurrence.start, 'cancel', occurrence.generation) },
    );
    this.logger.info({ guildId, start: new Date(occurrence.start).toISOString() }, 'scheduled session cancelled');
  }

  private async required(guildId: string): Promise<StoredSchedule> {
    const schedule = await this.store.schedule(guildId);
    if (!schedule) throw new UserError('no-schedule', 'There is no schedule yet: set one with /schedule set.');
    return schedule;
  }
}
