import { UserError } from '../domain/errors.js';
import { paperLabel } from '../domain/papers/paper.js';
import { pollAnswerText, pollCandidates, rankByPoll, type PollRecord } from '../domain/papers/poll.js';
import { pollJobIds } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import type { PaperStore } from '../store/paper-store.js';
import type { PollStore } from '../store/poll-store.js';

interface PollRequest {
  id: string;
  channelId: string;
  closesAt: number;
  hours: number;
  now: number;
}

/** A poll an hour past its close is taken to be abandoned. */
const STALE_AFTER_MS = 3_600_000;

/**
 * A Discord poll on the queue (docs/design/polls.md): deciding it here (who is on it, that it is the only one),
 * posting and closing it in jobs. The results are read once, finalized, from the message at its end.
 */
export class PollService {
  constructor(
    private readonly papers: PaperStore,
    private readonly polls: PollStore,
    private readonly jobs: JobQueue,
    private readonly schedule: Pick<ScheduleService, 'agendaChanged'>,
  ) {}

  current(guildId: string) {
    return this.polls.get(guildId);
  }

  /** `too-few`: fewer than 2 queued papers; `open`: another poll is still open (returned). */
  async start(guildId: string, request: PollRequest) {
    const { on, leftOff } = pollCandidates(await this.papers.queue(guildId));
    if (on.length < 2) return { outcome: 'too-few' as const, queued: on.length };
    const { now: _now, ...fields } = request;
    const poll: PollRecord = {
      ...fields,
      paperIds: on.map((p) => p.id),
      answers: on.map(pollAnswerText),
      leftOff: leftOff.map((p) => paperLabel(p)),
    };
    let opened = await this.polls.open(guildId, poll);
    // One whose close never finished (its job gave up or was lost) does not block the next for good.
    if (!opened.opened && opened.poll.closesAt + STALE_AFTER_MS < request.now) {
      await this.polls.clear(guildId, opened.poll.id);
      opened = await this.polls.open(guildId, poll);
    }
    if (!opened.opened) return { outcome: 'open' as const, poll: opened.poll };
    await this.jobs.enqueueAll([
      { name: 'poll.post', data: { guildId, pollId: poll.id }, options: { jobId: pollJobIds.post(guildId, poll.id) } },
      {
        name: 'poll.close',
        data: { guildId, pollId: poll.id, at: poll.closesAt },
        options: { jobId: pollJobIds.close(guildId, poll.id), runAt: poll.closesAt },
      },
    ]);
    return { outcome: 'started' as const, poll, papers: on };
  }

  /** For `/paper poll`: a refusal the host can act on. */
  async startForHost(guildId: string, request: PollRequest) {
    const started = await this.start(guildId, request);
    if (started.outcome === 'too-few')
      throw new UserError(
        'poll-too-few',
        `A poll needs at least 2 queued papers; the queue has ${started.queued}. Add papers with /paper add.`,
      );
    if (started.outcome === 'open') {
      const where = started.poll.messageId
        ? `https://discord.com/channels/${guildId}/${started.poll.channelId}/${started.poll.messageId}`
        : `<#${started.poll.channelId}>`;
      throw new UserError(
        'poll-open',
        `A poll is already open (${where}); it closes <t:${Math.floor(started.poll.closesAt / 1000)}:R>. ` +
          'One poll at a time.',
      );
    }
    return started;
  }

  /**
   * Applies final counts: ordered by votes, the polled papers still queued lead the queue in the poll's order (each
   * placed, so button votes no longer move them); in the hosts' order, nothing moves. Returns what to report.
   */
  async apply(guildId: string, poll: PollRecord, counts: ReadonlyMap<number, number>) {
    const ranked = rankByPoll(poll.paperIds, counts);
    const order = await this.papers.order(guildId);
    const queue = await this.papers.queue(guildId);
    const queued = new Set(queue.filter((p) => p.status === 'queued').map((p) => p.id));
    const standing = ranked.filter((r) => queued.has(r.paperId));
    if (order === 'votes') {
      // After the paper being presented and those covered before it (a poll can close during a session): they
      // keep their places in either order, so their count is where the queued papers start.
      const start = queue.findLastIndex((p) => p.status !== 'queued') + 1;
      for (const [i, { paperId }] of standing.entries()) await this.papers.move(guildId, paperId, start + i + 1);
      await this.schedule.agendaChanged(guildId);
    }
    const papers = await Promise.all(
      standing.map(async (r) => ({ ...r, paper: await this.papers.get(guildId, r.paperId) })),
    );
    return { order, ranked: papers.filter((p) => p.paper !== undefined) };
  }

  clear(guildId: string, pollId: string) {
    return this.polls.clear(guildId, pollId);
  }

  setMessage(guildId: string, pollId: string, messageId: string) {
    return this.polls.setMessage(guildId, pollId, messageId);
  }
}
