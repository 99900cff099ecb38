import { z } from 'zod';
import type { Paper } from '../domain/papers/paper.js';
import type { Question, QuestionStatus } from '../domain/session/question.js';
import type { TimelineEvent } from '../domain/session/session.js';
import { claimKey, CLAIM_TTL_MS } from './claims.js';
import { keys, RANKED_STATUSES, sessionKeys, type RankedStatus } from './keys.js';
import { fromHash } from './paper-store.js';
import { execAll, readHashes, retryWhileStale } from './pipeline.js';
import type { RedisClient } from './redis.js';
import { luaList, runScript } from './scripts.js';

/** `boardDirty` / `cardsDirty`: no job for that post was waiting, so the caller queues one. */
export type AskResult =
  | { outcome: 'asked'; question: Question; boardDirty: boolean; cardsDirty: boolean; threadId?: string }
  | { outcome: 'not-live' }
  /** A question asked before the session that joined it already. */
  | { outcome: 'exists' };

/** `claimed`: this job may post the card (see claims.ts); `waiting`: questions without a card, these included. */
type CardsDue =
  | { threadId: string; cards: Array<{ question: Question; paper?: Paper; claimed: boolean }>; waiting: number }
  | { threadId: undefined; waiting: number };

export interface VoteResult {
  outcome: 'added' | 'removed' | 'ended' | 'missing';
  votes: number;
  sessionId: string;
  cardDirty: boolean;
  boardDirty: boolean;
  /** The message showing the question's card, if posted: edits are coalesced per message. */
  cardMessageId?: string;
}

/** How many of the most voted open questions a search looks at, whatever the session's size. */
export const SEARCH_CANDIDATES = 100;
/** Ties in votes read earliest asked first (see keys.ranked). */
export function rankMember(askedAt: number, questionId: string) {
  return `${String(Math.max(0, Math.trunc(askedAt))).padStart(15, '0')}:${questionId}`;
}
const idOfMember = (member: string) => member.slice(member.indexOf(':') + 1);

function toQuestion(hash: Record<string, string>): Question {
  return {
    id: hash.id!,
    sessionId: hash.sessionId!,
    text: hash.text!,
    anonymous: hash.anonymous === 'true',
    status: hash.status as QuestionStatus,
    askedAt: Number(hash.askedAt),
    votes: Number(hash.votes ?? 0),
    ...(hash.paperId && { paperId: hash.paperId }),
    ...(hash.early === 'true' && { early: true }),
    ...(hash.askerId && { askerId: hash.askerId }),
    ...(hash.answer && { answer: hash.answer }),
    ...(hash.cardMessageId && {
      card: {
        channelId: hash.cardChannelId!,
        messageId: hash.cardMessageId,
        ...(hash.cardGroup && { group: hash.cardGroup.split(' ') }),
      },
    }),
  };
}

const AskReply = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('asked'),
    boardDirty: z.boolean(),
    cardsDirty: z.boolean(),
    threadId: z.string().optional(),
  }),
  z.object({ outcome: z.literal('not-live') }),
  z.object({ outcome: z.literal('exists') }),
  z.object({ outcome: z.literal('paper-changed'), paperId: z.string() }),
]);
const VoteReply = z.object({
  outcome: z.enum(['added', 'removed', 'missing', 'ended', 'other-session', 'not-voted']),
  votes: z.number().default(0),
  sessionId: z.string().default(''),
  cardDirty: z.boolean().default(false),
  boardDirty: z.boolean().default(false),
  cardMessageId: z.string().optional(),
});
const ResolveReply = z.object({
  outcome: z.enum(['ok', 'open', 'answered', 'dismissed', 'missing', 'ended', 'other-session']),
  sessionId: z.string().default(''),
});

export class QuestionStore {
  /** The current paper each guild's last /ask found; the script refuses if it has changed since. */
  private readonly paperSeen = new Map<string, string>();

  constructor(private readonly redis: RedisClient) {}

  /**
   * On the paper being presented; `early`: a question asked in a paper's thread before the session, which joins the
   * session on its own paper when that paper is presented (`now`: then).
   */
  async ask(
    guildId: string,
    question: Omit<Question, 'status' | 'votes' | 'paperId' | 'early'>,
    early?: { paperId: string; now: number },
  ): Promise<AskResult> {
    const { id, sessionId, askedAt } = question;
    const k = sessionKeys(guildId, sessionId);
    const rank = rankMember(askedAt, id);
    return retryWhileStale('ask', async () => {
      const paperId = early?.paperId ?? this.paperSeen.get(guildId) ?? '';
      const onPaper = paperId ? { paperId } : {};
      const event: TimelineEvent = { type: 'question.asked', questionId: id, at: early?.now ?? askedAt, ...onPaper };
      const fields = ['id', id, 'sessionId', sessionId, 'text', question.text, 'anonymous', String(question.anonymous)];
      fields.push('askedAt', String(askedAt), 'status', 'open', 'rank', rank);
      if (question.askerId !== undefined) fields.push('askerId', question.askerId);
      if (question.answer !== undefined) fields.push('answer', question.answer);
      if (paperId) fields.push('paperId', paperId);
      if (early) fields.push('early', 'true');
      const reply = await runScript(
        this.redis,
        'questions/ask',
        [
          k.live,
          k.session,
          k.currentPaper,
          keys.question(guildId, id),
          k.questions,
          k.rank('open'),
          k.rank('all'),
          k.openTexts,
          k.uncarded,
          k.timeline,
          k.boardDirty,
          k.cardsDirty,
        ],
        [
          sessionId,
          early ? '*' : paperId,
          JSON.stringify(event),
          id,
          askedAt,
          rank,
          question.text.toLowerCase(),
          ...fields,
        ],
        AskReply,
      );
      if (reply.outcome === 'paper-changed') {
        this.paperSeen.set(guildId, reply.paperId);
        return undefined;
      }
      if (reply.outcome === 'not-live' || reply.outcome === 'exists') return reply;
      const { boardDirty, cardsDirty, threadId } = reply;
      const stored: Question = { ...question, status: 'open', votes: 0, ...onPaper, ...(early && { early: true }) };
      return { outcome: 'asked' as const, question: stored, boardDirty, cardsDirty, ...(threadId && { threadId }) };
    });
  }

  /** A second press takes the vote back. `sessionId`, when the caller knows it, saves a read. */
  async vote(guildId: string, questionId: string, userId: string, sessionId?: string): Promise<VoteResult> {
    const reply = await this.runVote(guildId, questionId, userId, 'press', sessionId);
    if (reply.outcome === 'not-voted') throw new Error('a press never answers not-voted');
    return { ...reply, outcome: reply.outcome };
  }

  /** Takes a member's vote back whether or not its session is live (/privacy delete): the ranks follow. */
  async forgetVote(guildId: string, questionId: string, userId: string, sessionId?: string) {
    return this.runVote(guildId, questionId, userId, 'forget', sessionId);
  }

  private async runVote(
    guildId: string,
    questionId: string,
    userId: string,
    mode: 'press' | 'forget',
    sessionId?: string,
  ) {
    let session = sessionId ?? (await this.sessionOf(guildId, questionId));
    return retryWhileStale('vote', async () => {
      const k = sessionKeys(guildId, session);
      const reply = await runScript(
        this.redis,
        'questions/vote',
        [
          k.live,
          keys.question(guildId, questionId),
          keys.voters(guildId, questionId),
          ...RANKED_STATUSES.map(k.rank),
          keys.dirty(guildId, `question:${questionId}`),
          k.boardDirty,
        ],
        [session, userId, mode],
        VoteReply,
      );
      if (reply.outcome === 'other-session') {
        session = reply.sessionId;
        return undefined;
      }
      return { ...reply, outcome: reply.outcome };
    });
  }

  /** Answers or dismisses an open question; otherwise says what it already is. `sessionId` as for `vote`. */
  async resolveQuestion(
    guildId: string,
    questionId: string,
    status: 'answered' | 'dismissed',
    at: number,
    answer?: string,
    sessionId?: string,
  ): Promise<'ok' | QuestionStatus | 'missing' | 'ended'> {
    const event: TimelineEvent = { type: `question.${status}`, questionId, at };
    let session = sessionId ?? (await this.sessionOf(guildId, questionId));
    return retryWhileStale('resolve', async () => {
      const k = sessionKeys(guildId, session);
      const reply = await runScript(
        this.redis,
        'questions/resolve',
        [k.live, keys.question(guildId, questionId), k.rank('open'), k.rank(status), k.openTexts, k.timeline],
        [session, questionId, status, answer ?? '', JSON.stringify(event)],
        ResolveReply,
      );
      if (reply.outcome !== 'other-session') return reply.outcome;
      session = reply.sessionId;
      return undefined;
    });
  }

  private async sessionOf(guildId: string, questionId: string) {
    return (await this.redis.hget(keys.question(guildId, questionId), 'sessionId')) ?? '';
  }

  async question(guildId: string, questionId: string) {
    const hash = await this.redis.hgetall(keys.question(guildId, questionId));
    return hash.id ? toQuestion(hash) : undefined;
  }

  /** The `limit` most voted questions with `status` (ties: asked first), and how many have it. */
  async topQuestions(guildId: string, sessionId: string, { status, limit }: { status: RankedStatus; limit: number }) {
    const rank = keys.ranked(guildId, sessionId, status);
    const [members, total] = (await execAll(
      this.redis
        .pipeline()
        .zrange(rank, '0', String(limit - 1))
        .zcard(rank),
    )) as [string[], number];
    return { questions: await this.questionsById(guildId, members.map(idOfMember)), total };
  }

  /** Open questions containing `typed` (any case), most voted first, among the SEARCH_CANDIDATES most voted. */
  async searchQuestions(guildId: string, sessionId: string, typed: string, limit: number) {
    return this.questionsById(guildId, await this.search(guildId, sessionId, typed, limit));
  }

  /** As searchQuestions, with only each match's id and text (autocomplete). */
  async questionChoices(guildId: string, sessionId: string, typed: string, limit: number) {
    const ids = await this.search(guildId, sessionId, typed, limit);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(keys.question(guildId, id), 'text');
    const texts = (await execAll(pipeline)) as Array<string | null>;
    return ids.flatMap((id, i) => (texts[i] ? [{ id, text: texts[i] }] : []));
  }

  private async search(guildId: string, sessionId: string, typed: string, limit: number) {
    const reply = await runScript(
      this.redis,
      'questions/search',
      [keys.ranked(guildId, sessionId, 'open'), keys.openTexts(guildId, sessionId)],
      [typed.toLowerCase(), SEARCH_CANDIDATES, limit],
      z.object({ members: luaList(z.string()) }),
    );
    return reply.members.map(idOfMember);
  }

  async counts(guildId: string, sessionId: string) {
    const k = sessionKeys(guildId, sessionId);
    const [asked, open, answered] = (await execAll(
      this.redis.pipeline().zcard(k.questions).zcard(k.rank('open')).zcard(k.rank('answered')),
    )) as [number, number, number];
    return { asked, open, answered };
  }

  /**
   * The first `max` questions without a card, oldest first, with their paper and their post claimed for `jobId`.
   * Clears the cards mark first, so a question asked after this read queues another run.
   */
  async cardsDue(guildId: string, sessionId: string, jobId: string, max: number): Promise<CardsDue> {
    const k = sessionKeys(guildId, sessionId);
    const [, threadId, ids, waiting] = (await execAll(
      this.redis
        .pipeline()
        .del(k.cardsDirty)
        .hget(k.session, 'threadId')
        .zrange(k.uncarded, '0', String(max - 1))
        .zcard(k.uncarded),
    )) as [number, string | null, string[], number];
    if (!threadId) return { threadId: undefined, waiting };
    const hashes = await readHashes(
      this.redis,
      ids.map((id) => keys.question(guildId, id)),
    );
    // Gone, or carded already: nothing to post.
    const done = ids.filter((_, i) => !hashes[i]!.id || hashes[i]!.cardMessageId);
    const due = hashes.filter((h) => h.id && !h.cardMessageId).map(toQuestion);
    const paperIds = [...new Set(due.flatMap((q) => (q.paperId ? [q.paperId] : [])))];
    const [papers, claims] = await Promise.all([
      readHashes(
        this.redis,
        paperIds.map((id) => keys.paper(guildId, id)),
      ),
      due.length === 0
        ? { held: [] }
        : runScript(
            this.redis,
            'claims/take',
            due.map((q) => claimKey(guildId, `question:${q.id}:`)),
            [jobId, CLAIM_TTL_MS],
            z.object({ held: luaList(z.boolean()) }),
          ),
      done.length > 0 ? this.redis.zrem(k.uncarded, ...done) : undefined,
    ]);
    const paperOf = new Map(paperIds.map((id, i) => [id, papers[i]!]));
    const cards = due.map((question, i) => {
      const paper = question.paperId ? paperOf.get(question.paperId) : undefined;
      return { question, claimed: claims.held[i] === true, ...(paper?.id && { paper: fromHash(paper) }) };
    });
    return { threadId, cards, waiting };
  }

  /** Every question of a session, oldest first: for the recap and exports only (it grows with the session). */
  async questions(guildId: string, sessionId: string) {
    return this.questionsById(guildId, await this.redis.zrange(keys.questions(guildId, sessionId), '0', '-1'));
  }

  /** Also takes the questions out of their session's uncarded set; several questions share a grouped card. */
  async setQuestionCard(
    guildId: string,
    questions: Array<{ id: string; sessionId: string }>,
    card: { channelId: string; messageId: string },
  ) {
    const multi = this.redis.multi();
    const group = questions.length > 1 ? { cardGroup: questions.map((q) => q.id).join(' ') } : {};
    for (const { id, sessionId } of questions)
      multi
        .hset(keys.question(guildId, id), { cardChannelId: card.channelId, cardMessageId: card.messageId, ...group })
        .zrem(keys.uncarded(guildId, sessionId), id);
    await multi.exec();
  }

  /** In the order of `ids`, gone ones left out. */
  async questionsById(guildId: string, ids: string[]) {
    const hashes = await readHashes(
      this.redis,
      ids.map((id) => keys.question(guildId, id)),
    );
    return hashes.filter((h) => h.id).map(toQuestion);
  }
}
