import { z } from 'zod';
import {
  inQueueOrder,
  matchesQuery,
  nextPaperId,
  type MetadataStatus,
  type Paper,
  type PaperMetadata,
  type QueueEntry,
  type QueueOrder,
} from '../domain/papers/paper.js';
import { keys } from './keys.js';
import { execAll, readHashes, retryWhileStale } from './pipeline.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

type AddResult =
  | { outcome: 'added'; paper: Paper; position: number; lastReadAt?: number }
  | { outcome: 'duplicate'; paperId: string; position: number }
  | { outcome: 'full' };

type StartResult =
  | { outcome: 'started'; paperId: string; previousId?: string }
  | { outcome: 'missing' | 'already-current' | 'covered' | 'none-left' };

export type NewPaper = Omit<Paper, 'status' | 'authors' | 'abstract' | 'startedAt' | 'coveredAt' | 'card'> &
  Partial<Pick<Paper, 'authors' | 'abstract'>>;

const EarlyQuestionSchema = z.object({
  id: z.string(),
  text: z.string(),
  anonymous: z.boolean(),
  askerId: z.string().optional(),
  askedAt: z.number(),
});
export type EarlyQuestion = z.infer<typeof EarlyQuestionSchema>;

type QueuedPaper = QueueEntry & Pick<Paper, 'presenterName' | 'authors'>;

const JSON_FIELDS = new Set(['ref', 'authors', 'pinned', 'noThread']);
const NUMBER_FIELDS = new Set(['addedAt', 'startedAt', 'coveredAt', 'votes', 'confirmedFor']);
const QUEUE_ENTRY_FIELDS = [
  'id',
  'ref',
  'status',
  'metadataStatus',
  'title',
  'presenterId',
  'votes',
  'addedAt',
  'pinned',
] as const satisfies ReadonlyArray<keyof QueueEntry>;
const ORDER_FIELDS = ['id', 'status', 'votes', 'addedAt', 'pinned'] as const;
const SEARCH_FIELDS = [...QUEUE_ENTRY_FIELDS, 'presenterName', 'authors'] as const;

function toHash(paper: Partial<Paper>) {
  const flat: string[] = [];
  for (const [field, value] of Object.entries(paper)) {
    if (value === undefined || field === 'card') continue;
    flat.push(field, JSON_FIELDS.has(field) ? JSON.stringify(value) : String(value));
  }
  if (paper.card) flat.push('cardChannelId', paper.card.channelId, 'cardMessageId', paper.card.messageId);
  return flat;
}

export function fromHash(hash: Record<string, string>) {
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
export function fromFields(fields: readonly string[], values: Array<string | null>) {
  const hash: Record<string, string> = {};
  values.forEach((value, i) => value !== null && (hash[fields[i]!] = value));
  return fromHash(hash);
}

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

/** Whole-queue reads are bounded by MAX_QUEUE; each change is one script, so hosts editing at once never race. */
export class PaperStore {
  constructor(private readonly redis: RedisClient) {}

  async add(guildId: string, { id, ...rest }: NewPaper, maxQueue: number): Promise<AddResult> {
    const queued = { authors: [], abstract: '', ...rest, status: 'queued' as const };
    const reply = await runScript(
      this.redis,
      'papers/add',
      [keys.paperQueue(guildId), keys.paper(guildId, id), keys.paperDedup(guildId), keys.paperRead(guildId)],
      [rest.dedupKey, maxQueue, id, ...toHash(queued)],
      AddReply,
    );
    if (reply.outcome !== 'added') return reply;
    return {
      outcome: 'added',
      paper: { ...queued, id },
      position: reply.position,
      ...(reply.lastReadAt && { lastReadAt: Number(reply.lastReadAt) }),
    };
  }

  async get(guildId: string, paperId: string) {
    const hash = await this.redis.hgetall(keys.paper(guildId, paperId));
    return hash.id ? fromHash(hash) : undefined;
  }

  async currentId(guildId: string) {
    return (await this.redis.get(keys.currentPaper(guildId))) ?? undefined;
  }

  async current(guildId: string) {
    const id = await this.currentId(guildId);
    return id === undefined ? undefined : this.get(guildId, id);
  }

  async list(guildId: string) {
    return this.whole(guildId, await this.ids(guildId));
  }

  /** The queue as its lines show it (`/paper list`): no abstracts or authors read. */
  async queue(guildId: string): Promise<QueueEntry[]> {
    return this.entries(guildId, await this.ids(guildId), QUEUE_ENTRY_FIELDS);
  }

  /** `count` queue lines from `offset` (0-based), the queue's length and its order. */
  async queuePage(guildId: string, offset: number, count: number) {
    const { ids, order } = await this.ordered(guildId);
    const papers = await this.entries(guildId, ids.slice(offset, offset + count), QUEUE_ENTRY_FIELDS);
    return { papers, total: ids.length, order };
  }

  async order(guildId: string): Promise<QueueOrder> {
    return (await this.redis.get(keys.paperOrder(guildId))) === 'votes' ? 'votes' : 'manual';
  }

  async setOrder(guildId: string, order: QueueOrder) {
    await (order === 'votes'
      ? this.redis.set(keys.paperOrder(guildId), 'votes')
      : this.redis.del(keys.paperOrder(guildId)));
  }

  /** A member's vote on a queued paper, or taking it back: `missing`, `current` or `covered` change nothing. */
  async vote(guildId: string, paperId: string, userId: string) {
    const reply = await this.runVote(guildId, paperId, userId, 'press');
    if (reply.outcome === 'not-voted') throw new Error('a press never answers not-voted');
    return { ...reply, outcome: reply.outcome };
  }

  /** Takes a member's vote back whatever the paper's status (/privacy delete). */
  async forgetVote(guildId: string, paperId: string, userId: string) {
    return this.runVote(guildId, paperId, userId, 'forget');
  }

  private async runVote(guildId: string, paperId: string, userId: string, mode: 'press' | 'forget') {
    return runScript(
      this.redis,
      'papers/vote',
      [keys.paper(guildId, paperId), keys.paperVoters(guildId, paperId)],
      [userId, mode],
      z.object({
        outcome: z.enum(['added', 'removed', 'missing', 'current', 'covered', 'not-voted']),
        votes: z.number().default(0),
      }),
    );
  }

  /** A member signs up to present a queued paper (`taken` says who already does), or a host assigns one. */
  async volunteer(guildId: string, paperId: string, userId: string, name: string, mode: 'volunteer' | 'assign') {
    return runScript(
      this.redis,
      'papers/present',
      [keys.paper(guildId, paperId)],
      [userId, name, mode],
      z.object({
        outcome: z.enum(['set', 'taken', 'missing', 'current', 'covered']),
        presenterId: z.string().optional(),
        previousId: z.string().optional(),
      }),
    );
  }

  /** A presenter's answer to "Still presenting?": only the paper's presenter, while it is queued. */
  async confirm(guildId: string, paperId: string, userId: string, answer: 'yes' | 'no', start: number) {
    return runScript(
      this.redis,
      'papers/confirm',
      [keys.paper(guildId, paperId)],
      [userId, answer, start],
      z.object({ outcome: z.enum(['confirmed', 'freed', 'not-presenter', 'missing', 'current', 'covered']) }),
    );
  }

  /** The paper being presented and the first `count` papers still queued (board, stage topic). */
  async upcoming(guildId: string, count: number): Promise<{ current?: QueueEntry; next: QueueEntry[] }> {
    const queue = await this.queue(guildId);
    const current = queue.find((p) => p.status === 'current');
    return { ...(current && { current }), next: queue.filter((p) => p.status === 'queued').slice(0, count) };
  }

  /** Queued papers of any status that `typed` matches (see matchesQuery), with their 1-based position. */
  async search(guildId: string, typed: string, limit: number) {
    const papers = (await this.entries(guildId, await this.ids(guildId), SEARCH_FIELDS)) as QueuedPaper[];
    return papers
      .map((paper, i) => ({ paper, position: i + 1 }))
      .filter(({ paper }) => matchesQuery(paper as Paper, typed, paper.presenterName))
      .slice(0, limit);
  }

  private async ids(guildId: string) {
    return (await this.ordered(guildId)).ids;
  }

  /** The queue's ids in the order in force: ordered by votes, one more read for what the order needs. */
  private async ordered(guildId: string): Promise<{ ids: string[]; order: QueueOrder }> {
    const [ids, mode] = (await execAll(
      this.redis.pipeline().lrange(keys.paperQueue(guildId), 0, -1).get(keys.paperOrder(guildId)),
    )) as [string[], string | null];
    if (mode !== 'votes') return { ids, order: 'manual' };
    const papers = await this.entries(guildId, ids, ORDER_FIELDS);
    return { ids: inQueueOrder(papers, 'votes').map((p) => p.id), order: 'votes' };
  }

  private async whole(guildId: string, ids: string[]) {
    const hashes = await readHashes(
      this.redis,
      ids.map((id) => keys.paper(guildId, id)),
    );
    return hashes.filter((h) => h.id).map(fromHash);
  }

  private async entries(guildId: string, ids: string[], fields: readonly string[]) {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(keys.paper(guildId, id), ...fields);
    return ((await execAll(pipeline)) as Array<Array<string | null>>)
      .filter((values) => values[0] !== null)
      .map((values) => fromFields(fields, values));
  }

  /** The 1-based position it got (clamped to the queue), or null if it is not queued. */
  async move(guildId: string, paperId: string, position: number) {
    const reply = await runScript(
      this.redis,
      'papers/move',
      [keys.paperQueue(guildId), keys.paper(guildId, paperId), keys.paperOrder(guildId)],
      [paperId, position],
      z.object({ position: z.number().optional() }),
    );
    return reply.position ?? null;
  }

  async remove(guildId: string, paperId: string) {
    return (
      await runScript(
        this.redis,
        'papers/remove',
        [
          keys.paperQueue(guildId),
          keys.paper(guildId, paperId),
          keys.paperDedup(guildId),
          keys.paperVoters(guildId, paperId),
          keys.paperEarly(guildId, paperId),
          keys.paperThreads(guildId),
        ],
        [paperId],
        z.object({ outcome: z.enum(['removed', 'missing', 'current']) }),
      )
    ).outcome;
  }

  /** The paper that was current becomes covered. */
  async start(guildId: string, paperId: string, now: number): Promise<StartResult> {
    return retryWhileStale('paper start', async () =>
      this.startAfter(guildId, paperId, await this.currentId(guildId), now),
    );
  }

  async next(guildId: string, now: number): Promise<StartResult> {
    return retryWhileStale('paper next', async () => {
      const queue = await this.entries(guildId, await this.ids(guildId), ['id', 'status']);
      const nextId = nextPaperId(queue);
      if (nextId === null) return { outcome: 'none-left' as const };
      const started = await this.startAfter(guildId, nextId, queue.find((p) => p.status === 'current')?.id, now);
      // Another host moved the queue on: read it again.
      return started?.outcome === 'started' ? started : undefined;
    });
  }

  /** Undefined when `currentId` is no longer the paper being presented. */
  private async startAfter(
    guildId: string,
    paperId: string,
    currentId: string | undefined,
    now: number,
  ): Promise<StartResult | undefined> {
    const paper = keys.paper(guildId, paperId);
    const reply = await runScript(
      this.redis,
      'papers/start',
      [keys.paperQueue(guildId), keys.currentPaper(guildId), paper, currentId ? keys.paper(guildId, currentId) : paper],
      [paperId, currentId ?? '', now],
      StartReply,
    );
    if (reply.outcome === 'stale') return undefined;
    if (reply.outcome !== 'started') return { outcome: reply.outcome };
    return { outcome: 'started', paperId, ...(reply.previousId && { previousId: reply.previousId }) };
  }

  /** Covered papers, newest first. */
  async history(guildId: string) {
    return this.whole(guildId, await this.redis.zrevrange(keys.paperHistory(guildId), 0, -1));
  }

  /** The paper as it is now, or undefined (nothing written) if it was removed. */
  async setMetadata(guildId: string, paperId: string, status: MetadataStatus, metadata?: PaperMetadata) {
    return this.patch(guildId, paperId, toHash({ metadataStatus: status, ...metadata }));
  }

  async setCard(guildId: string, paperId: string, card: { channelId: string; messageId: string }) {
    return (await this.patch(guildId, paperId, toHash({ card }))) !== undefined;
  }

  /** Its discussion thread, or `null`: it has none (refused, or deleted by a moderator) and none is opened again. */
  async setThread(guildId: string, paperId: string, threadId: string | null) {
    const { outcome, before } = await runScript(
      this.redis,
      'papers/thread',
      [keys.paper(guildId, paperId), keys.paperThreads(guildId)],
      [threadId ?? '', paperId],
      z.object({ outcome: z.enum(['set', 'missing']), before: z.string().optional() }),
    );
    return { set: outcome === 'set', before };
  }

  /** The paper a thread discusses, if any. */
  async paperOfThread(guildId: string, threadId: string) {
    return (await this.redis.hget(keys.paperThreads(guildId), threadId)) ?? undefined;
  }

  /** A question for a queued paper before its session; `full`: it already holds `max`. */
  async askEarly(guildId: string, paperId: string, question: EarlyQuestion, max: number) {
    return runScript(
      this.redis,
      'papers/ask-early',
      [keys.paper(guildId, paperId), keys.paperEarly(guildId, paperId)],
      [JSON.stringify(question), max],
      z.object({ outcome: z.enum(['asked', 'full', 'missing', 'current', 'covered']), count: z.number().optional() }),
    );
  }

  async earlyQuestions(guildId: string, paperId: string): Promise<EarlyQuestion[]> {
    const stored = await this.redis.lrange(keys.paperEarly(guildId, paperId), 0, -1);
    return stored.map((json) => EarlyQuestionSchema.parse(JSON.parse(json)));
  }

  /** Drops the first `count`, once they are the session's. */
  async dropEarly(guildId: string, paperId: string, count: number) {
    await this.redis.ltrim(keys.paperEarly(guildId, paperId), count, -1);
  }

  private async patch(guildId: string, paperId: string, fields: string[]) {
    const reply = await runScript(this.redis, 'papers/patch', [keys.paper(guildId, paperId)], fields, PatchReply);
    return reply.paper ? fromHash(reply.paper) : undefined;
  }
}
