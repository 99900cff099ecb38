import { UserError, quoteInput } from '../domain/errors.js';
import { cleanText } from '../domain/papers/metadata.js';
import { MAX_NOTE, MAX_QUEUE, paperLabel, type Paper, type QueueOrder } from '../domain/papers/paper.js';
import { dedupKey, parseArxivId, parsePaperRef } from '../domain/papers/paper-ref.js';
import { cardCoalesceKey } from '../jobs/contract.js';
import type { JobQueue, JobRequest } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { EarlyQuestion, PaperStore } from '../store/paper-store.js';
import type { ScheduleService } from '../schedule/schedule-service.js';
import type { MetadataService } from './metadata-service.js';

interface AddRequest {
  input: string;
  presenterId?: string;
  presenterName?: string;
  note?: string | null;
  suggestedById: string;
  now: number;
}

/** Questions a paper keeps for its session, asked in its thread before it. */
export const MAX_EARLY_QUESTIONS = 50;

function announceNote(guildId: string, noteId: string, content: string, pingRoleId?: string): JobRequest {
  return { name: 'announce.note', data: { guildId, noteId, content, ...(pingRoleId && { pingRoleId }) } };
}

export class PaperService {
  constructor(
    private readonly papers: PaperStore,
    private readonly jobs: JobQueue,
    private readonly metadata: MetadataService,
    private readonly schedule: Pick<ScheduleService, 'agendaChanged'>,
  ) {}

  queuePage(guildId: string, offset: number, count: number) {
    return this.papers.queuePage(guildId, offset, count);
  }

  history(guildId: string) {
    return this.papers.history(guildId);
  }

  order(guildId: string) {
    return this.papers.order(guildId);
  }

  async setOrder(guildId: string, order: QueueOrder) {
    await Promise.all([this.papers.setOrder(guildId, order), this.schedule.agendaChanged(guildId)]);
  }

  vote(guildId: string, paperId: string, userId: string) {
    return this.papers.vote(guildId, paperId, userId);
  }

  async volunteer(guildId: string, paperId: string, userId: string, name: string, mode: 'volunteer' | 'assign') {
    return this.papers.volunteer(guildId, paperId, userId, cleanText(name, 100), mode);
  }

  confirm(guildId: string, paperId: string, userId: string, answer: 'yes' | 'no', start: number) {
    return this.papers.confirm(guildId, paperId, userId, answer, start);
  }

  get(guildId: string, paperId: string) {
    return this.papers.get(guildId, paperId);
  }

  /** Paper id → its label, for the papers these items name (a paper removed since is left out). */
  async titles(guildId: string, items: Iterable<{ paperId?: string | undefined }>) {
    const ids = [...new Set([...items].flatMap(({ paperId }) => (paperId ? [paperId] : [])))];
    const papers = await Promise.all(ids.map((id) => this.papers.get(guildId, id)));
    return new Map(papers.flatMap((paper) => (paper ? [[paper.id, paperLabel(paper)] as const] : [])));
  }

  /** After a vote or a presenter: the card (edits coalesced per card), and the agenda, which lists the queue. */
  cardChanged(guildId: string, paperId: string) {
    return Promise.all([
      this.jobs.enqueue('paper.card', { guildId, paperId }, { coalesceKey: cardCoalesceKey(guildId, paperId) }),
      this.schedule.agendaChanged(guildId),
    ]);
  }

  /** A presenter said "I can't": the hosts are told in the announce channel (once), the card and agenda follow. */
  async presenterWithdrew(
    guildId: string,
    paperId: string,
    start: number,
    note: string | undefined,
    hostRoleId: string | undefined,
  ) {
    await Promise.all([
      this.jobs.enqueueAll([
        note ? announceNote(guildId, `withdrew:${paperId}:${start}`, note, hostRoleId) : undefined,
        {
          name: 'paper.card',
          data: { guildId, paperId },
          options: { coalesceKey: cardCoalesceKey(guildId, paperId) },
        },
      ]),
      this.schedule.agendaChanged(guildId),
    ]);
  }

  /** The paper whose thread this is, if any. */
  async paperOfThread(guildId: string, threadId: string) {
    const paperId = await this.papers.paperOfThread(guildId, threadId);
    return paperId ? this.papers.get(guildId, paperId) : undefined;
  }

  /** A question in a queued paper's thread before the session: it joins the session when the paper is presented. */
  async askEarly(guildId: string, paperId: string, question: Omit<EarlyQuestion, 'id'>) {
    const id = newId();
    const { outcome } = await this.papers.askEarly(guildId, paperId, { id, ...question }, MAX_EARLY_QUESTIONS);
    if (outcome === 'full')
      throw new UserError(
        'early-full',
        `This paper already has ${MAX_EARLY_QUESTIONS} questions waiting for its session; upvote those when it is on.`,
      );
    if (outcome === 'missing') throw new UserError('paper-not-queued', 'That paper is no longer in the queue.');
    if (outcome !== 'asked')
      throw new UserError(
        `paper-${outcome}`,
        outcome === 'current'
          ? 'This paper is being presented now, but no session is live: a host starts one with /session start.'
          : 'This paper has been covered; its questions were taken at its session.',
      );
    return id;
  }

  /** A moderator deleted a paper's thread: the paper goes on without one, and the hosts are told once. */
  async threadDeleted(guildId: string, threadId: string, note: (paper: Paper) => string) {
    const paper = await this.paperOfThread(guildId, threadId);
    if (!paper) return;
    await this.papers.setThread(guildId, paper.id, null);
    // A covered paper's thread has done its work: nothing to tell.
    if (paper.status === 'queued')
      await this.jobs.enqueueAll([announceNote(guildId, `thread-gone:${paper.id}`, note(paper))]);
  }

  /** The agenda refresh can be queued alongside: it reads the queue when it runs, 2 s later. */
  async remove(guildId: string, paperId: string) {
    const [outcome] = await Promise.all([this.papers.remove(guildId, paperId), this.schedule.agendaChanged(guildId)]);
    return outcome;
  }

  async move(guildId: string, paperId: string, position: number) {
    const [moved] = await Promise.all([
      this.papers.move(guildId, paperId, position),
      this.schedule.agendaChanged(guildId),
    ]);
    return moved;
  }

  /** The caller runs `announce` once the member has their answer. */
  async add(guildId: string, request: AddRequest): Promise<{ paper: Paper; position: number; lastReadAt?: number }> {
    const ref = parsePaperRef(request.input);
    const note = request.note ? cleanText(request.note, MAX_NOTE + 1) : '';
    if (note.length > MAX_NOTE) throw new UserError('note-too-long', `Keep the note to ${MAX_NOTE} characters.`);
    const result = await this.papers.add(
      guildId,
      {
        id: newId(),
        ref,
        dedupKey: dedupKey(ref),
        addedAt: request.now,
        suggestedById: request.suggestedById,
        metadataStatus: this.metadata.sourceFor(ref) ? 'pending' : 'none',
        title: ref.kind === 'url' ? ref.url : ref.id,
        ...(request.presenterId && {
          presenterId: request.presenterId,
          presenterName: cleanText(request.presenterName ?? '', 100),
        }),
        ...(note && { note }),
      },
      MAX_QUEUE,
    );
    if (result.outcome === 'full')
      throw new UserError(
        'queue-full',
        `The queue already holds ${MAX_QUEUE} papers; remove some with /paper remove first.`,
      );
    if (result.outcome === 'duplicate') {
      const existing = await this.papers.get(guildId, result.paperId);
      const label = existing ? ` (${quoteInput(paperLabel(existing), 80)})` : '';
      throw new UserError(
        'paper-duplicate',
        `That paper is already queued for this session, at position ${result.position}${label}.`,
      );
    }
    return result;
  }

  /** The metadata job posts the card too. */
  announce(guildId: string, paper: Paper) {
    const ids = { guildId, paperId: paper.id };
    return paper.metadataStatus === 'pending'
      ? this.jobs.enqueue('paper.metadata', ids)
      : this.jobs.enqueue('paper.card', ids, { coalesceKey: cardCoalesceKey(guildId, paper.id) });
  }

  async findQueued(guildId: string, value: string) {
    const text = value.trim();
    const arxivId = parseArxivId(text.replace(/v\d+$/, ''));
    const queue = await this.papers.queue(guildId);
    const byId = queue.findIndex((p) => p.id === text || (arxivId !== null && p.ref.id === arxivId));
    const matches =
      byId >= 0
        ? [{ id: queue[byId]!.id, position: byId + 1 }]
        : text.length >= 3
          ? (await this.papers.search(guildId, text, 2)).map(({ paper, position }) => ({ id: paper.id, position }))
          : [];
    const paper = matches.length === 1 ? await this.papers.get(guildId, matches[0]!.id) : undefined;
    if (matches.length > 1)
      throw new UserError(
        'paper-ambiguous',
        `${quoteInput(text)} matches more than one paper; pick one from the list as you type.`,
      );
    if (!paper)
      throw new UserError(
        'paper-not-queued',
        `No queued paper matches ${quoteInput(text)}; pick one from the list as you type.`,
      );
    return { paper, position: matches[0]!.position };
  }

  /** Discord takes at most 25 choices, each named in at most 100 characters. */
  async choices(guildId: string, typed: string) {
    return (await this.papers.search(guildId, typed, MAX_QUEUE))
      .filter(({ paper }) => paper.status !== 'covered')
      .slice(0, 25)
      .map(({ paper, position }) => {
        const head = `${position}. `;
        const votes = paper.votes ? ` · ▲ ${paper.votes}` : '';
        const tail = `${paper.presenterName ? ` — ${cleanText(paper.presenterName, 30)}` : ''}${votes}`;
        return {
          name: `${head}${cleanText(paperLabel(paper), 100 - head.length - tail.length)}${tail}`,
          value: paper.id,
        };
      });
  }
}
