import { UserError, overLimit, quoteInput } from '../domain/errors.js';
import { cleanText } from '../domain/papers/metadata.js';
import { MAX_NOTE, MAX_QUEUE, matchesQuery, paperLabel, type Paper } from '../domain/papers/paper.js';
import { dedupKey, parseArxivId, parsePaperRef } from '../domain/papers/paper-ref.js';
import { cardCoalesceKey } from '../jobs/contract.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { newId } from '../store/ids.js';
import type { PaperStore } from '../store/paper-store.js';
import type { RateCount } from '../store/rate-limit-store.js';
import type { MetadataService } from './metadata-service.js';

export interface AddRequest {
  input: string;
  presenterId?: string | undefined;
  presenterName?: string | undefined;
  note?: string | null | undefined;
  suggestedById: string;
  now: number;
}

/** The paper queue as hosts and members use it: validation, storage and the jobs that follow. */
export class PaperService {
  constructor(
    private readonly papers: PaperStore,
    private readonly jobs: JobQueue,
    private readonly metadata: MetadataService,
  ) {}

  /**
   * Queues a paper at once; its card and details follow from `announce`, which
   * the caller runs once the member has their answer. Throws UserError for a
   * bad input, a duplicate, a full queue or a member over `limit` (counted
   * in the same step as the write).
   */
  async add(
    guildId: string,
    request: AddRequest,
    limit?: RateCount,
  ): Promise<{ paper: Paper; position: number; lastReadAt?: number }> {
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
        ...(request.presenterId
          ? { presenterId: request.presenterId, presenterName: cleanText(request.presenterName ?? '', 100) }
          : {}),
        ...(note ? { note } : {}),
      },
      MAX_QUEUE,
      limit,
    );
    if (result.outcome === 'limited') throw overLimit(limit!, result.retryAfterMs);
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

  /** A newly queued paper's one job: the metadata job posts the card first, then fills it; a plain link only needs its card. */
  async announce(guildId: string, paper: Paper): Promise<void> {
    const ids = { guildId, paperId: paper.id };
    await (paper.metadataStatus === 'pending'
      ? this.jobs.enqueue('paper.metadata', ids)
      : this.jobs.enqueue('paper.card', ids, { coalesceKey: cardCoalesceKey(guildId, paper.id) }));
  }

  /** Finds a queued paper from an autocomplete value (its id), an arXiv id, or a piece of its title. */
  async findQueued(guildId: string, value: string): Promise<{ paper: Paper; position: number }> {
    const queue = await this.papers.list(guildId);
    const text = value.trim();
    const arxivId = parseArxivId(text.replace(/v\d+$/, ''));
    const byId = queue.findIndex((p) => p.id === text || (arxivId !== null && p.ref.id === arxivId));
    const matches =
      byId >= 0
        ? [byId]
        : queue.flatMap((p, i) => (text.length >= 3 && matchesQuery(p, text, p.presenterName) ? [i] : []));
    if (matches.length !== 1) {
      throw new UserError(
        matches.length === 0 ? 'paper-not-queued' : 'paper-ambiguous',
        matches.length === 0
          ? `No queued paper matches ${quoteInput(text)}; pick one from the list as you type.`
          : `${quoteInput(text)} matches ${matches.length} papers; pick one from the list as you type.`,
      );
    }
    return { paper: queue[matches[0]!]!, position: matches[0]! + 1 };
  }

  /** Autocomplete choices: queued papers matching what was typed, at most 25. */
  async choices(guildId: string, typed: string): Promise<Array<{ name: string; value: string }>> {
    const queue = await this.papers.list(guildId);
    return queue
      .map((paper, i) => ({ paper, position: i + 1 }))
      .filter(({ paper }) => paper.status !== 'covered' && matchesQuery(paper, typed, paper.presenterName))
      .slice(0, 25)
      .map(({ paper, position }) => {
        const head = `${position}. `;
        const tail = paper.presenterName ? ` — ${cleanText(paper.presenterName, 30)}` : '';
        return {
          name: `${head}${cleanText(paperLabel(paper), 100 - head.length - tail.length)}${tail}`,
          value: paper.id,
        };
      });
  }
}
