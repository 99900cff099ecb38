import { GuildScheduledEventStatus } from 'discord.js';
import {
  eventDescription,
  presenterDm,
  renderAgenda,
  renderCancelledAgenda,
  renderReminder,
  sessionDay,
} from '../../discord/render/agenda.js';
import { confirmDm } from '../../discord/render/poll.js';
import type { DiscordScheduledEvents } from '../../discord/scheduled-events.js';
import type { Paper } from '../../domain/papers/paper.js';
import type { Logger } from '../../logger.js';
import type { ScheduleService } from '../../schedule/schedule-service.js';
import type { LiveService } from '../../sessions/live-service.js';
import { onTime, type OccurrenceRecord } from '../../domain/schedule/plan.js';
import type { JobHandlers } from '../contract.js';
import { editIfExists, nonceOf, postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

export interface ScheduleDeps extends SessionBoardDeps {
  logger: Logger;
  schedule: ScheduleService;
  live: LiveService;
  events: DiscordScheduledEvents;
  now(): number;
}

async function announcing(deps: ScheduleDeps, guildId: string) {
  const [settings, papers] = await Promise.all([deps.settings.get(guildId), deps.papers.list(guildId)]);
  return { settings, queue: papers.filter((p) => p.status !== 'covered') };
}

async function agendaBody(
  deps: ScheduleDeps,
  guildId: string,
  occurrence: OccurrenceRecord,
  { settings, queue }: Awaited<ReturnType<typeof announcing>>,
) {
  const last = await deps.sessions.lastEnded(guildId);
  // From its ranking: no read of every question.
  const carriedOver = last
    ? (await deps.questions.topQuestions(guildId, last.id, { status: 'open', limit: 10 })).questions
    : [];
  return renderAgenda({
    guildId,
    occurrence,
    timeZone: settings.timeZone ?? 'UTC',
    queue,
    carriedOver,
    eventId: occurrence.eventId,
    pingRoleId: settings.pingRoleId,
  });
}

/** Closed DMs are noted for /schedule show, not retried. */
async function dmPresenters(
  deps: ScheduleDeps,
  guildId: string,
  occurrence: OccurrenceRecord,
  queue: Paper[],
  agendaLink: string,
) {
  const byPresenter = new Map<string, Paper[]>();
  for (const paper of queue)
    if (paper.presenterId) byPresenter.set(paper.presenterId, [...(byPresenter.get(paper.presenterId) ?? []), paper]);
  for (const [userId, papers] of byPresenter) {
    if (occurrence.dms[userId]) continue;
    const delivered = await deps.channels.dm(
      userId,
      presenterDm(occurrence, papers, agendaLink),
      nonceOf(`dm:${guildId}:${occurrence.start}:${userId}`),
    );
    await deps.schedules.setOnce(guildId, occurrence.start, `dm:${userId}`, delivered ? 'sent' : 'closed');
    if (!delivered)
      deps.logger.info({ guildId, userId }, 'presenter does not accept DMs; noted for the hosts in /schedule show');
  }
}

/** "Still presenting?" to each presenter of a queued paper, once per paper; closed DMs are noted for the hosts. */
async function askPresenters(deps: ScheduleDeps, guildId: string, occurrence: OccurrenceRecord) {
  const papers = (await deps.papers.list(guildId)).filter((p) => p.status === 'queued' && p.presenterId);
  for (const paper of papers) {
    if (occurrence.confirms[paper.id]) continue;
    const delivered = await deps.channels.dm(
      paper.presenterId!,
      confirmDm(guildId, occurrence.start, paper),
      nonceOf(`confirm:${guildId}:${occurrence.start}:${paper.id}`),
    );
    await deps.schedules.setOnce(guildId, occurrence.start, `confirm:${paper.id}`, delivered ? 'sent' : 'closed');
    if (!delivered) await deps.schedules.setOnce(guildId, occurrence.start, `dm:${paper.presenterId}`, 'closed');
  }
}

export function scheduleHandlers(
  deps: ScheduleDeps,
): Pick<
  JobHandlers,
  'schedule.open' | 'schedule.post' | 'schedule.event' | 'schedule.autoend' | 'agenda.refresh' | 'schedule.confirm'
> {
  return {
    'schedule.confirm': async ({ guildId, start, at, generation }, job) => {
      const occurrence = await deps.schedules.occurrence(guildId, start);
      if (!occurrence || occurrence.status !== 'open' || occurrence.generation !== generation) return;
      if (!onTime(at, deps.now())) {
        deps.logger.warn({ guildId, jobId: job.id }, 'presenter confirmations dropped: too late (the bot was down)');
        return;
      }
      await askPresenters(deps, guildId, occurrence);
    },

    'schedule.open': async ({ guildId, at }, job) => {
      // A run of an older Lectern's weekly cron, replaced by the open job this run plans.
      if (job.id.startsWith('repeat:')) await deps.schedule.dropLegacyScheduler(guildId);
      await deps.schedule.open(guildId, at);
    },

    'schedule.post': async ({ guildId, start, kind, offset, at, generation }, job) => {
      const occurrence = await deps.schedules.occurrence(guildId, start);
      if (!occurrence || occurrence.status !== 'open' || occurrence.generation !== generation) {
        deps.logger.info({ guildId, jobId: job.id }, 'post for a session that was skipped, paused or moved: not sent');
        return;
      }
      const done = occurrence.posts[String(offset)];
      if (done && (kind === 'reminder' || done === 'dropped')) return;
      const now = deps.now();
      if (!done && !onTime(at, now)) {
        await deps.schedules.setOnce(guildId, start, `post:${offset}`, 'dropped');
        deps.logger.warn(
          { guildId, kind, offset, lateMs: now - at },
          `${kind} dropped: more than 15 minutes late (the bot was down)`,
        );
        return;
      }
      const { settings, queue } = await announcing(deps, guildId);
      const channelId = settings.announceChannelId;
      if (!channelId) {
        deps.logger.warn({ guildId, kind }, 'no announce channel set: nothing posted');
        return;
      }
      if (kind === 'reminder') {
        const message = await postOnce(
          deps,
          guildId,
          `reminder:${start}:${offset}`,
          job.id,
          channelId,
          renderReminder(guildId, occurrence, offset, queue, settings.pingRoleId, occurrence.eventId),
        );
        await deps.schedules.setOnce(guildId, start, `post:${offset}`, message.id);
        return;
      }
      let agenda = occurrence.agenda;
      if (!agenda) {
        const message = await postOnce(
          deps,
          guildId,
          `agenda:${start}`,
          job.id,
          channelId,
          await agendaBody(deps, guildId, occurrence, { settings, queue }),
        );
        agenda = { channelId, messageId: message.id };
        await deps.schedules.setOnce(guildId, start, 'agenda', JSON.stringify(agenda));
        await deps.schedules.setOnce(guildId, start, `post:${offset}`, message.id);
      }
      await dmPresenters(
        deps,
        guildId,
        occurrence,
        queue,
        `https://discord.com/channels/${guildId}/${agenda.channelId}/${agenda.messageId}`,
      );
    },

    'agenda.refresh': async ({ guildId }) => {
      const occurrence = await deps.schedules.open(guildId);
      // Once its session has started, the agenda stays as announced.
      if (!occurrence?.agenda || occurrence.status !== 'open' || occurrence.sessionId || occurrence.start <= deps.now())
        return;
      const body = await agendaBody(deps, guildId, occurrence, await announcing(deps, guildId));
      if (!(await editIfExists(deps, occurrence.agenda, body)))
        deps.logger.info({ guildId }, 'the agenda was deleted; not posted again');
    },

    'schedule.event': async ({ guildId, start, action }) => {
      const occurrence = await deps.schedules.occurrence(guildId, start);
      if (!occurrence) return;
      const settings = await deps.settings.get(guildId);
      if (action === 'cancel') {
        if (occurrence.eventId)
          await deps.events.setStatus(guildId, occurrence.eventId, GuildScheduledEventStatus.Canceled);
        if (occurrence.agenda)
          await editIfExists(deps, occurrence.agenda, renderCancelledAgenda(occurrence, settings.timeZone ?? 'UTC'));
        return;
      }
      if (action === 'active' || action === 'completed') {
        if (!occurrence.eventId) return;
        const status = action === 'active' ? GuildScheduledEventStatus.Active : GuildScheduledEventStatus.Completed;
        if (!(await deps.events.setStatus(guildId, occurrence.eventId, status)))
          deps.logger.info({ guildId, action }, 'scheduled event could not move on (already there, or past it)');
        return;
      }
      if (occurrence.status !== 'open' || !settings.stageChannelId) return;
      const details = {
        name: `Paper reading · ${sessionDay(start, settings.timeZone ?? 'UTC')}`,
        description: eventDescription((await deps.papers.list(guildId)).filter((p) => p.status !== 'covered')),
        start,
        end: occurrence.end,
        channelId: settings.stageChannelId,
        kind: settings.stageKind ?? 'stage',
      } as const;
      if (occurrence.eventId) {
        const event = await deps.events.get(guildId, occurrence.eventId);
        if (event?.status === GuildScheduledEventStatus.Scheduled)
          return deps.events.update(guildId, occurrence.eventId, details);
        if (event?.status === GuildScheduledEventStatus.Active) return;
        await deps.schedules.setField(guildId, start, 'eventId', null);
      }
      // Discord only takes events that start in the future.
      if (start <= deps.now()) return;
      const earlier = await deps.events.find(guildId, settings.stageChannelId, start);
      const eventId = earlier?.id ?? (await deps.events.create(guildId, details));
      await deps.schedules.setField(guildId, start, 'eventId', eventId);
      await deps.schedule.agendaChanged(guildId); // for the event link
    },

    'schedule.autoend': async ({ guildId, start, generation }) => {
      const occurrence = await deps.schedules.occurrence(guildId, start);
      if (!occurrence || occurrence.status !== 'open' || occurrence.generation !== generation) return;
      const session = await deps.sessions.current(guildId);
      if (!session || session.status !== 'live') return;
      // Only the session that ran this slot, or, none linked, one started before its end.
      if (occurrence.sessionId ? occurrence.sessionId !== session.id : session.startedAt > occurrence.end) return;
      // Ending completes a linked session's event; an unlinked one's is completed here.
      await deps.live.end(guildId, session, 'schedule', deps.now());
      if (occurrence.eventId && !occurrence.sessionId)
        await deps.events.setStatus(guildId, occurrence.eventId, GuildScheduledEventStatus.Completed);
      deps.logger.info({ guildId, sessionId: session.id }, 'session ended itself an hour after its scheduled end');
    },
  };
}
