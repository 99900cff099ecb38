import { UserError } from '../domain/errors.js';
import {
  AUTO_END_AFTER_MS,
  nextSession,
  parseSkipDate,
  planExtras,
  planPosts,
  type OccurrenceRecord,
  type Schedule,
} from '../domain/schedule/plan.js';
import { localDate } from '../domain/schedule/weekly.js';
import { agendaCoalesceKey, scheduleJobIds, type JobData } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import type { SettingsStore } from '../store/settings-store.js';

/** A /session start within this long of a scheduled start belongs to that session. */
const SESSION_MATCH_MS = 3 * 3600_000;

/** The weekly schedule and the opening of each session (docs/design/jobs.md). */
export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly settings: SettingsStore,
    private readonly jobs: JobQueue,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  schedule(guildId: string) {
    return this.store.schedule(guildId);
  }

  /** The next session, with what has gone out for it. */
  openSession(guildId: string) {
    return this.store.open(guildId);
  }

  /** Un-pauses, and keeps the skips still ahead. */
  async set(guildId: string, slot: Pick<Schedule, 'weekday' | 'time' | 'timeZone' | 'durationMin'>) {
    const previous = await this.store.schedule(guildId);
    const today = localDate(slot.timeZone, this.now());
    await this.store.saveSchedule(guildId, {
      ...slot,
      paused: false,
      skips: (previous?.skips ?? []).filter((date) => date >= today),
    });
    await this.settings.update(guildId, { timeZone: slot.timeZone });
    return this.open(guildId);
  }

  async skip(guildId: string, dateInput: string) {
    const schedule = await this.required(guildId);
    const date = parseSkipDate(dateInput, schedule, this.now());
    if (schedule.skips.includes(date))
      throw new UserError('skip-already', `The session of ${date} is already skipped.`);
    await this.store.saveSchedule(guildId, { ...schedule, skips: [...schedule.skips, date].sort() });
    return { date, next: await this.open(guildId) };
  }

  async pause(guildId: string) {
    const schedule = await this.required(guildId);
    if (schedule.paused)
      throw new UserError('schedule-paused', 'The schedule is already paused; /schedule resume starts it again.');
    await this.store.saveSchedule(guildId, { ...schedule, paused: true });
    await this.open(guildId);
  }

  async resume(guildId: string) {
    const schedule = await this.required(guildId);
    if (!schedule.paused) throw new UserError('schedule-running', 'The schedule is not paused.');
    await this.store.saveSchedule(guildId, { ...schedule, paused: false });
    return this.open(guildId);
  }

  /** For changed reminder offsets: saving bumps the generation. */
  async replan(guildId: string) {
    const schedule = await this.store.schedule(guildId);
    if (!schedule) return;
    await this.store.saveSchedule(guildId, schedule);
    await this.open(guildId);
  }

  /** Opens the next session after now or `after` (an early open job opens the one after); cancels any other. */
  async open(guildId: string, after?: number) {
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
    const { start } = next;
    const { generation } = schedule;
    const existing = previous?.start === start ? previous : await this.store.occurrence(guildId, start);
    if (existing && existing.status === 'open' && existing.generation === generation) {
      if (previous?.start !== start) await this.store.markOpen(guildId, next, generation, existing.jobIds);
      return existing;
    }
    if (existing) await this.jobs.remove(existing.jobIds);

    const settings = await this.settings.get(guildId);
    const posts = planPosts(next, settings.reminderOffsets, now).map(({ kind, offset, at }) => ({
      id: scheduleJobIds.post(guildId, start, offset, generation),
      data: { guildId, start, kind, offset, at, generation },
    }));
    const extras = planExtras(next, settings, now);
    const pollId = extras.poll && scheduleJobIds.poll(guildId, start, generation);
    const confirmId = extras.confirm && scheduleJobIds.confirm(guildId, start, generation);
    const autoEndAt = next.end + AUTO_END_AFTER_MS;
    const autoEndId = scheduleJobIds.autoend(guildId, start, generation);
    const openId = scheduleJobIds.open(guildId, start);
    // Stored before the jobs are added, so no job runs before the session it is for.
    const extraIds = [pollId, confirmId].filter((id) => id !== undefined);
    await this.store.markOpen(guildId, next, generation, [...posts.map((p) => p.id), ...extraIds, autoEndId, openId]);
    await Promise.all([
      extras.poll &&
        this.jobs.enqueue(
          'schedule.poll',
          { guildId, start, generation, ...extras.poll },
          { jobId: pollId, runAt: extras.poll.at },
        ),
      extras.confirm &&
        this.jobs.enqueue(
          'schedule.confirm',
          { guildId, start, generation, at: extras.confirm.at },
          { jobId: confirmId, runAt: extras.confirm.at },
        ),
      ...posts.map(({ id, data }) => this.jobs.enqueue('schedule.post', data, { jobId: id, runAt: data.at })),
      this.jobs.enqueue(
        'schedule.autoend',
        { guildId, start, at: autoEndAt, generation },
        { jobId: autoEndId, runAt: autoEndAt },
      ),
      // The chain that carries the schedule week to week: at this session's start, the next one opens.
      this.jobs.enqueue('schedule.open', { guildId, at: start }, { jobId: openId, runAt: start }),
      this.event(guildId, { start, generation }, 'sync'),
    ]);
    this.logger.info(
      { guildId, start: new Date(start).toISOString(), posts: posts.length, generation },
      'session opened',
    );
    return this.store.occurrence(guildId, start);
  }

  async dropLegacyScheduler(guildId: string) {
    await this.jobs.removeScheduler(scheduleJobIds.legacyScheduler(guildId));
  }

  /** The posted agenda follows the queue (a coalesced edit) until its session starts. */
  async agendaChanged(guildId: string) {
    const open = await this.store.open(guildId);
    if (open?.agenda && open.status === 'open' && !open.sessionId && open.start > this.now())
      await this.jobs.enqueue(
        'agenda.refresh',
        { guildId },
        { coalesceKey: agendaCoalesceKey(guildId), delayMs: 2_000 },
      );
  }

  /** Links a live session to the scheduled one it runs (if any) and marks its event active. */
  async sessionStarted(guildId: string, sessionId: string, at: number) {
    const occurrence = await this.store.latestBetween(guildId, at - SESSION_MATCH_MS, at + SESSION_MATCH_MS);
    if (!occurrence || occurrence.status !== 'open' || occurrence.sessionId) return;
    if (!(await this.store.setOnce(guildId, occurrence.start, 'sessionId', sessionId))) return;
    await this.event(guildId, occurrence, 'active');
  }

  /** Completes the event of the scheduled session it ran, and opens the next: the queue belongs to it now. */
  async sessionEnded(guildId: string, sessionId: string, at: number) {
    const occurrence = await this.store.latestBetween(
      guildId,
      at - 2 * SESSION_MATCH_MS - AUTO_END_AFTER_MS,
      at + SESSION_MATCH_MS,
    );
    await Promise.all([
      occurrence?.sessionId === sessionId ? this.event(guildId, occurrence, 'completed') : undefined,
      this.jobs.enqueue('schedule.open', { guildId }),
    ]);
  }

  private async cancel(guildId: string, occurrence: OccurrenceRecord) {
    await this.store.cancel(guildId, occurrence.start);
    await this.jobs.remove(occurrence.jobIds);
    await this.event(guildId, occurrence, 'cancel');
    this.logger.info({ guildId, start: new Date(occurrence.start).toISOString() }, 'scheduled session cancelled');
  }

  private event(
    guildId: string,
    { start, generation }: Pick<OccurrenceRecord, 'start' | 'generation'>,
    action: JobData<'schedule.event'>['action'],
  ) {
    return this.jobs.enqueue(
      'schedule.event',
      { guildId, start, action },
      { jobId: scheduleJobIds.event(guildId, start, action, generation) },
    );
  }

  private async required(guildId: string) {
    const schedule = await this.store.schedule(guildId);
    if (!schedule) throw new UserError('no-schedule', 'There is no schedule yet: set one with /schedule set.');
    return schedule;
  }
}
