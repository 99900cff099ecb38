import { z } from 'zod';
import {
  matchesQuery,
  nextPaperId,
  type MetadataStatus,
  type Paper,
  type PaperMetadata,
  type QueueEntry,
} from '../domain/papers/paper.js';
import type { PaperRef } from '../domain/papers/paper-ref.js';
import { keys } from './keys.js';
import { execAll, retryWhileStale } from './pipeline.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

export type AddResult =
  | { outcome: 'added'; paper: Paper; position: number; lastReadAt?: number }
  | { outcome: 'duplicate'; paperId: string; position: number }
  | { outcome: 'full' };

export type StartResult =
  | { outcome: 'started'; paperId: string; previousId?: string }
  | { outcome: 'missing' | 'already-current' | 'covered' | 'none-left' };

export interface NewPaper {
  /** From newId() (store/ids.ts). */
  id: string;
  ref: PaperRef;
  dedupKey: string;
  metadataStatus: MetadataStatus;
  title: string;
  authors?: string[];
  abstract?: string;
  presenterId?: string;
  presenterName?: string;
  note?: string;
  suggestedById: string;
  addedAt: number;
}

/** What a search of the queue reads of each paper: its list line, and what else a query may match. */
export type QueuedPaper = QueueEntry & Pick<Paper, 'presenterName' | 'authors'>;

const JSON_FIELDS = new Set(['ref', 'authors']);
const NUMBER_FIELDS = new Set(['addedAt', 'startedAt', 'coveredAt']);
const QUEUE_ENTRY_FIELDS = [
  'id',
  'ref',
  'status',
  'metadataStatus',
  'title',
  'presenterId',
] as const satisfies ReadonlyArray<keyof QueueEntry>;
const SEARCH_FIELDS = [...QUEUE_ENTRY_FIELDS, 'presenterName', 'authors'] as const;

function toHash(paper: Partial<Paper>): string[] {
  const flat: string[] = [];
  for (const [field, value] of Object.entries(paper)) {
    if (value === undefined || field === 'card') continue;
    flat.push(field, JSON_FIELDS.has(field) ? JSON.stringify(value) : String(value));
  }
  if (paper.card) flat.push('cardChannelId', paper.card.channelId, 'cardMessageId', paper.card.messageId);
  return flat;
}

export function fromHash(hash: Record<string, string>): Paper {
  const paper: Record<string, unknown> = { authors: [], abstract: '' };
  for (const [field, value] of Object.entries(hash)) {
    if (field === 'cardChannelId' || field === 'cardMessageId') continue;
    paper[field] = JSON_FIELDS.has(field) ? JSON.parse(value) : NUMBER_FIELDS.has(field) ? Number(value) : value;
  }
  if (hash.cardChannelId && hash.cardMessageId)
    paper.card = { channelId: hash.cardChannelId, messageId: hash.cardMessageId };
  return paper as unknown as Paper;
}

/** HMGET values of `fields` as a paper (missing fields left out). */
function fromFields(fields: readonly string[], values: Array<string | null>): Paper {
  const hash: Record<string, string> = {};
  values.forEach((value, i) => value !== null && (hash[fields[i]!] = value));
  return fromHash(hash);
}

const Outcome = <T extends string>(...outcomes: [T, ...T[]]) => z.object({ outcome: z.enum(outcomes) });

const AddReply = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('added'),
    paperId: z.string(),
    position: z.number(),
    lastReadAt: z.string().optional(),
  }),
  z.object({ outcome: z.literal('duplicate'), paperId: z.string(), position: z.number() }),
  z.object({ outcome: z.literal('full') }),
]);
const StartReply = z.object({
  outcome: z.enum(['started', 'missing', 'already-current', 'covered', 'stale']),
  previousId: z.string().optional(),
});
const PatchReply = z.object({ paper: z.record(z.string(), z.string()).optional() });

/**
 * A guild's paper queue (at most MAX_QUEUE papers, so a read of the whole
 * queue is bounded). Every change is one Lua script, so two hosts editing at
 * once never lose or duplicate a paper and positions stay contiguous.
 */
export class PaperStore {
  constructor(private readonly redis: RedisClient) {}

  /** Queues a paper unless it is already queued or the queue is full. */
  async add(guildId: string, input: NewPaper, maxQueue: number): Promise<AddResult> {
    const { id, ...rest } = input;
    const fields = toHash({ authors: [], abstract: '', ...rest, status: 'queued' });
    const reply = await runScript(
      this.redis,
      'papersAdd',
      [keys.paperQueue(guildId), keys.paper(guildId, id), keys.paperDedup(guildId), keys.paperRead(guildId)],
      [input.dedupKey, maxQueue, id, ...fields],
      AddReply,
    );
    if (reply.outcome !== 'added') return reply;
    const paper: Paper = { authors: [], abstract: '', ...rest, id, status: 'queued' };
    return {
      outcome: 'added',
      paper,
      position: reply.position,
      ...(reply.lastReadAt ? { lastReadAt: Number(reply.lastReadAt) } : {}),
    };
  }

  async get(guildId: string, paperId: string): Promise<Paper | undefined> {
    const hash = await this.redis.hgetall(keys.paper(guildId, paperId));
    return hash.id ? fromHash(hash) : undefined;
  }

  async currentId(guildId: string): Promise<string | undefined> {
    return (await this.redis.get(keys.currentPaper(guildId))) ?? undefined;
  }

  /** The paper being presented, if any. */
  async current(guildId: string): Promise<Paper | undefined> {
    const id = await this.currentId(guildId);
    return id === undefined ? undefined : this.get(guildId, id);
  }

  /** The queue in order, papers whole. */
  async list(guildId: string): Promise<Paper[]> {
    const ids = await this.redis.lrange(keys.paperQueue(guildId), 0, -1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.paper(guildId, id));
    return ((await execAll(pipeline)) as Array<Record<string, string>>).filter((h) => h.id).map(fromHash);
  }

  /** The queue as its lines show it (`/paper list`): no abstracts or authors read. */
  async queue(guildId: string): Promise<QueueEntry[]> {
    return this.entries(guildId, await this.redis.lrange(keys.paperQueue(guildId), 0, -1), QUEUE_ENTRY_FIELDS);
  }

  /** `count` papers of the queue from `offset` (0-based), as their lines show them, and the queue's length. */
  async queuePage(guildId: string, offset: number, count: number): Promise<{ papers: QueueEntry[]; total: number }> {
    const queue = keys.paperQueue(guildId);
    const [ids, total] = (await execAll(
      this.redis
        .pipeline()
        .lrange(queue, offset, offset + count - 1)
        .llen(queue),
    )) as [string[], number];
    return { papers: await this.entries(guildId, ids, QUEUE_ENTRY_FIELDS), total };
  }

  /** The paper being presented and the first `count` papers still queued, in queue order (board, stage topic). */
  async upcoming(guildId: string, count: number): Promise<{ current?: QueueEntry; next: QueueEntry[] }> {
    const queue = await this.queue(guildId);
    const current = queue.find((p) => p.status === 'current');
    return { ...(current ? { current } : {}), next: queue.filter((p) => p.status === 'queued').slice(0, count) };
  }

  /**
   * Papers of the queue (whatever their status) that `typed` matches by title, id, link, author or
   * presenter name, in queue order with their 1-based position, at most `limit`.
   */
  async search(
    guildId: string,
    typed: string,
    limit: number,
  ): Promise<Array<{ paper: QueuedPaper; position: number }>> {
    const ids = await this.redis.lrange(keys.paperQueue(guildId), 0, -1);
    const papers = (await this.entries(guildId, ids, SEARCH_FIELDS)) as QueuedPaper[];
    return papers
      .map((paper, i) => ({ paper, position: i + 1 }))
      .filter(({ paper }) => matchesQuery(paper as Paper, typed, paper.presenterName))
      .slice(0, limit);
  }

  private async entries(guildId: string, ids: string[], fields: readonly string[]): Promise<Paper[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.paper(guildId, id), ...fields);
    return ((await execAll(pipeline)) as Array<Array<string | null>>)
      .filter((values) => values[0] !== null)
      .map((values) => fromFields(fields, values));
  }

  /** Moves a paper to a 1-based position (clamped to the queue): the position it got, or null if it is not queued. */
  async move(guildId: string, paperId: string, position: number): Promise<number | null> {
    const reply = await runScript(
      this.redis,
      'papersMove',
      [keys.paperQueue(guildId)],
      [paperId, position],
      z.object({ position: z.number().optional() }),
    );
    return reply.position ?? null;
  }

  async remove(guildId: string, paperId: string): Promise<'removed' | 'missing' | 'current'> {
    const reply = await runScript(
      this.redis,
      'papersRemove',
      [keys.paperQueue(guildId), keys.paper(guildId, paperId), keys.paperDedup(guildId)],
      [paperId],
      Outcome('removed', 'missing', 'current'),
    );
    return reply.outcome;
  }

  /** Makes a paper current; the paper that was current becomes covered. */
  async start(guildId: string, paperId: string, now: number): Promise<StartResult> {
    return retryWhileStale('paper start', async () =>
      this.startAfter(guildId, paperId, await this.currentId(guildId), now),
    );
  }

  /** Moves to the next queued paper after the current one in queue order (see nextPaperId). */
  async next(guildId: string, now: number): Promise<StartResult> {
    return retryWhileStale('paper next', async () => {
      const ids = await this.redis.lrange(keys.paperQueue(guildId), 0, -1);
      const queue = await this.entries(guildId, ids, ['id', 'status']);
      const nextId = nextPaperId(queue);
      if (nextId === null) return { outcome: 'none-left' as const };
      const started = await this.startAfter(guildId, nextId, queue.find((p) => p.status === 'current')?.id, now);
      // Another host moved the queue on in between: read it again.
      return started?.outcome === 'started' ? started : undefined;
    });
  }

  /** Starts `paperId` if `currentId` is still the paper being presented; undefined when it is not. */
  private async startAfter(
    guildId: string,
    paperId: string,
    currentId: string | undefined,
    now: number,
  ): Promise<StartResult | undefined> {
    const paper = keys.paper(guildId, paperId);
    const reply = await runScript(
      this.redis,
      'papersStart',
      [keys.paperQueue(guildId), keys.currentPaper(guildId), paper, currentId ? keys.paper(guildId, currentId) : paper],
      [paperId, currentId ?? '', now],
      StartReply,
    );
    if (reply.outcome === 'stale') return undefined;
    if (reply.outcome !== 'started') return { outcome: reply.outcome };
    return { outcome: 'started', paperId, ...(reply.previousId ? { previousId: reply.previousId } : {}) };
  }

  /** Covered papers, newest first. */
  async history(guildId: string): Promise<Paper[]> {
    const ids = await this.redis.zrevrange(keys.paperHistory(guildId), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.paper(guildId, id));
    return ((await execAll(pipeline)) as Array<Record<string, string>>).filter((h) => h.id).map(fromHash);
  }

  /** Stores a paper's details (or their status): the paper as it is now, or undefined (nothing written) if removed. */
  async setMetadata(
    guildId: string,
    paperId: string,
    status: MetadataStatus,
    metadata?: PaperMetadata,
  ): Promise<Paper | undefined> {
    return this.patch(guildId, paperId, toHash({ metadataStatus: status, ...metadata }));
  }

  async setCard(guildId: string, paperId: string, card: { channelId: string; messageId: string }): Promise<boolean> {
    return (await this.patch(guildId, paperId, toHash({ card }))) !== undefined;
  }

  private async patch(guildId: string, paperId: string, fields: string[]): Promise<Paper | undefined> {
    const reply = await runScript(this.redis, 'papersPatch', [keys.paper(guildId, paperId)], fields, PatchReply);
    return reply.paper ? fromHash(reply.paper) : undefined;
  }
}
