import type { Redis } from 'ioredis';
import type { MetadataStatus, Paper, PaperMetadata, QueueEntry } from '../domain/papers/paper.js';
import type { PaperRef } from '../domain/papers/paper-ref.js';
import { keys } from './keys.js';
import { runLua } from './lua.js';
import { paperScripts } from './paper-scripts.js';
import { rateCountArgs, type RateCount } from './rate-limit-store.js';

export type AddResult =
  | { outcome: 'added'; paper: Paper; position: number; lastReadAt?: number }
  | { outcome: 'duplicate'; paperId: string; position: number }
  | { outcome: 'full' }
  | { outcome: 'limited'; retryAfterMs: number };

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

function pairsToHash(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

/**
 * A guild's paper queue. Every change is one Lua script, so two hosts editing
 * at once never lose or duplicate a paper and positions stay contiguous.
 */
export class PaperStore {
  constructor(private readonly redis: Redis) {}

  private run(name: keyof typeof paperScripts, guildId: string, ...args: Array<string | number>): Promise<unknown> {
    return runLua(this.redis, paperScripts[name], [keys.paperQueue(guildId)], [keys.guildPrefix(guildId), ...args]);
  }

  /**
   * Queues a paper unless it is already queued or the queue is full; with
   * `limit`, the member's use is counted in the same step and nothing is
   * written over it.
   */
  async add(guildId: string, input: NewPaper, maxQueue: number, limit?: RateCount): Promise<AddResult> {
    const { id: newId, ...rest } = input;
    const fields = toHash({ authors: [], abstract: '', ...rest, status: 'queued' });
    const [outcome, id, position, readAt] = (await this.run(
      'add',
      guildId,
      ...rateCountArgs(limit),
      input.dedupKey,
      maxQueue,
      newId,
      ...fields,
    )) as [string, string, number, string];
    if (outcome === 'full') return { outcome };
    if (outcome === 'limited') return { outcome, retryAfterMs: Math.max(position, 0) };
    if (outcome === 'duplicate') return { outcome, paperId: id, position };
    const paper: Paper = { authors: [], abstract: '', ...rest, id, status: 'queued' };
    return { outcome: 'added', paper, position, ...(readAt ? { lastReadAt: Number(readAt) } : {}) };
  }

  async get(guildId: string, paperId: string): Promise<Paper | undefined> {
    const hash = await this.redis.hgetall(keys.paper(guildId, paperId));
    return hash.id ? fromHash(hash) : undefined;
  }

  /** The paper being presented, if any, in one round trip. */
  async current(guildId: string): Promise<Paper | undefined> {
    const flat = (await this.run('current', guildId)) as string[];
    return flat.length > 0 ? fromHash(pairsToHash(flat)) : undefined;
  }

  /** The queue in order, papers whole, in one round trip. */
  async list(guildId: string): Promise<Paper[]> {
    const rows = (await this.run('list', guildId)) as string[][];
    return rows.map((flat) => fromHash(pairsToHash(flat)));
  }

  /** The queue as its lines show it (`/paper list`), in one round trip: no abstracts or authors read. */
  async queue(guildId: string): Promise<QueueEntry[]> {
    const rows = (await this.run('list', guildId, ...QUEUE_ENTRY_FIELDS)) as Array<Array<string | null>>;
    return rows.map((values) => {
      const hash: Record<string, string> = {};
      values.forEach((value, i) => value !== null && (hash[QUEUE_ENTRY_FIELDS[i]!] = value));
      return fromHash(hash);
    });
  }

  /** Moves a paper to a 1-based position (clamped to the queue); returns the position it got, or null if it is not queued. */
  async move(guildId: string, paperId: string, position: number): Promise<number | null> {
    const result = (await this.run('move', guildId, paperId, position)) as number;
    return result > 0 ? result : null;
  }

  async remove(guildId: string, paperId: string): Promise<'removed' | 'missing' | 'current'> {
    return (await this.run('remove', guildId, paperId)) as 'removed' | 'missing' | 'current';
  }

  /** Makes a paper current; the paper that was current becomes covered. */
  async start(guildId: string, paperId: string, now: number): Promise<StartResult> {
    const [outcome, id, previous] = (await this.run('start', guildId, paperId, now)) as [string, string, string];
    return outcome === 'started'
      ? { outcome, paperId: id, ...(previous ? { previousId: previous } : {}) }
      : { outcome: outcome as 'missing' };
  }

  /** Moves to the next queued paper after the current one in queue order (see nextPaperId). */
  async next(guildId: string, now: number): Promise<StartResult> {
    const [outcome, id, previous] = (await this.run('next', guildId, now)) as [string, string, string];
    return outcome === 'started'
      ? { outcome, paperId: id, ...(previous ? { previousId: previous } : {}) }
      : { outcome: outcome as 'none-left' };
  }

  /**
   * Ends a session's use of the queue: the current paper becomes covered, and
   * every covered paper moves to history; the rest stay queued, in order, for the next session.
   */
  async closeSession(guildId: string, now: number): Promise<string[]> {
    return (await this.run('close', guildId, now)) as string[];
  }

  /** Covered papers, newest first. */
  async history(guildId: string): Promise<Paper[]> {
    const ids = await this.redis.zrevrange(keys.paperHistory(guildId), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.paper(guildId, id));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, hash]) => hash as Record<string, string>)
      .filter((h) => h.id)
      .map(fromHash);
  }

  /** Stores the details (or their status) of a paper; returns it as it is now, or undefined (nothing written) if it was removed. */
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
    const flat = (await runLua(this.redis, paperScripts.patch, [keys.paper(guildId, paperId)], fields)) as string[];
    return flat.length > 0 ? fromHash(pairsToHash(flat)) : undefined;
  }
}
