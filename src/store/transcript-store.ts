import { z } from 'zod';
import {
  consentCovers,
  inOrder,
  SUMMARY_WITHDRAWN,
  summaryNames,
  type TranscriptEntry,
  type WrittenSummary,
} from '../domain/transcript/transcript.js';
import { withGuildLock } from './guild-lock.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

/** Audio waiting for its text expires after this, whatever happens to its job. */
const AUDIO_TTL_MS = 6 * 3600_000;

const ResolveReply = z.object({ outcome: z.enum(['stored', 'exists', 'dropped']) });

export interface QueuedUtterance {
  id: string;
  userId: string;
  from: number;
  to: number;
  paperId?: string;
  wav: Buffer;
}

/** An utterance waiting for its text, as the pending hash keeps it (enough to record a gap if its job is lost). */
export interface PendingUtterance {
  id: string;
  userId: string;
  from: number;
  to: number;
  paperId?: string;
  queuedAt: number;
}

/** Whether a session is transcribed, and what its summary job left. */
export interface TranscriptState {
  on: boolean;
  /** When a host stopped it with /transcript stop. */
  stoppedAt?: number;
  /** The bot's nickname before it showed it was transcribing (restored after); `''`: it had none. */
  nickBefore?: string;
  /** When the voice side stopped and had queued everything it heard (the recap waits for it). */
  closedAt?: number;
  /** When the recap asked for the written summary (it waits for it only so long). */
  summaryAskedAt?: number;
  summary?: WrittenSummary;
  summaryMissing?: string;
}

/**
 * Members' consent, the utterances waiting for their text, and the lines that came back, per session. The audio
 * itself waits in `audio`: a Redis that keeps nothing on disk (LECTERN_AUDIO_REDIS_URL), or the main one.
 */
export class TranscriptStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly audioRedis: RedisClient = redis,
  ) {}

  async join(guildId: string, userId: string, at: number) {
    return (await this.redis.hsetnx(keys.transcriptMembers(guildId), userId, String(at))) === 1;
  }

  /**
   * /transcript leave: the member's consent goes, then their lines from every stored transcript, and a written
   * summary made with them. Under the guild's data lock, as the summary job saves under it (no summary made from
   * lines just removed is saved after).
   */
  async leaveEverywhere(guildId: string, userId: string) {
    const left = await withGuildLock(this.redis, guildId, async () => {
      const sessionIds = await this.redis.zrange(keys.sessions(guildId), '0', '-1');
      return this.leave(guildId, userId, sessionIds, SUMMARY_WITHDRAWN.left);
    });
    if (left === 'busy') throw new Error('the guild is locked (a deletion or a recap is running): try again');
    return left;
  }

  /** The member's consent, then their lines from these sessions and any summary made with them (the caller locks). */
  async leave(guildId: string, userId: string, sessionIds: string[], why: string) {
    const was = (await this.redis.hdel(keys.transcriptMembers(guildId), userId)) === 1;
    // After the consent is gone no new line of theirs is stored (resolve.lua checks), so this read sees them all.
    let removed = 0;
    for (const sessionId of sessionIds) {
      const state = await this.state(guildId, sessionId);
      const named = summaryNames(state.summary, userId);
      const theirs = await this.removeMember(guildId, sessionId, userId);
      removed += theirs;
      if (theirs > 0 || named) await this.forgetSummary(guildId, sessionId, why);
    }
    return { was, removed };
  }

  /** Every entry of theirs, the empty ones (no words heard) too; how many lines with words went. */
  async removeMember(guildId: string, sessionId: string, userId: string) {
    const key = keys.transcript(guildId, sessionId);
    const theirs = (await this.stored(guildId, sessionId)).filter((e) => e.userId === userId);
    if (theirs.length > 0) await this.redis.hdel(key, ...theirs.map((e) => e.id));
    return theirs.filter((e) => !('text' in e) || e.text !== '').length;
  }

  /** Member id → since when they opted in. */
  async members(guildId: string) {
    const hash = await this.redis.hgetall(keys.transcriptMembers(guildId));
    return new Map(Object.entries(hash).map(([userId, at]) => [userId, Number(at)]));
  }

  /** Whether the member's consent covers speech that began at `at` (see consentCovers). */
  async consentedAt(guildId: string, userId: string, at: number) {
    const since = await this.redis.hget(keys.transcriptMembers(guildId), userId);
    return consentCovers(since === null ? undefined : Number(since), at);
  }

  async start(guildId: string, sessionId: string) {
    await this.redis.hset(keys.transcriptState(guildId, sessionId), 'on', '1');
  }

  async stop(guildId: string, sessionId: string, at: number) {
    return (await this.redis.hsetnx(keys.transcriptState(guildId, sessionId), 'stoppedAt', String(at))) === 1;
  }

  /** Everything heard is queued: the recap need not wait for more. */
  async close(guildId: string, sessionId: string, at: number) {
    await this.redis.hsetnx(keys.transcriptState(guildId, sessionId), 'closedAt', String(at));
  }

  /** The first time only: the recap's wait for the summary counts from it. */
  async summaryAsked(guildId: string, sessionId: string, at: number) {
    await this.redis.hsetnx(keys.transcriptState(guildId, sessionId), 'summaryAskedAt', String(at));
  }

  async rememberNick(guildId: string, sessionId: string, nick: string) {
    await this.redis.hsetnx(keys.transcriptState(guildId, sessionId), 'nickBefore', nick);
  }

  async state(guildId: string, sessionId: string): Promise<TranscriptState> {
    const hash = await this.redis.hgetall(keys.transcriptState(guildId, sessionId));
    return {
      on: hash.on === '1',
      ...(hash.stoppedAt && { stoppedAt: Number(hash.stoppedAt) }),
      ...(hash.nickBefore !== undefined && { nickBefore: hash.nickBefore }),
      ...(hash.closedAt && { closedAt: Number(hash.closedAt) }),
      ...(hash.summaryAskedAt && { summaryAskedAt: Number(hash.summaryAskedAt) }),
      ...(hash.summary && { summary: JSON.parse(hash.summary) as WrittenSummary }),
      ...(hash.summaryMissing && { summaryMissing: hash.summaryMissing }),
    };
  }

  /** The audio is held until its job is done, and counted as pending so the recap waits for it. */
  async queue(guildId: string, sessionId: string, { wav, ...heard }: QueuedUtterance, at = Date.now()) {
    await this.audioRedis.set(keys.transcriptAudio(guildId, heard.id), wav, 'PX', AUDIO_TTL_MS);
    const pending: PendingUtterance = { ...heard, queuedAt: at };
    await this.redis.hset(keys.transcriptPending(guildId, sessionId), heard.id, JSON.stringify(pending));
  }

  async audio(guildId: string, utteranceId: string) {
    return (await this.audioRedis.getBuffer(keys.transcriptAudio(guildId, utteranceId))) ?? undefined;
  }

  /** Stores a line or gap once; `dropped` when the member is no longer opted in since before they spoke. */
  async resolve(guildId: string, sessionId: string, entry: TranscriptEntry) {
    const reply = await runScript(
      this.redis,
      'transcript/resolve',
      [
        keys.transcriptMembers(guildId),
        keys.transcript(guildId, sessionId),
        keys.transcriptPending(guildId, sessionId),
      ],
      [entry.userId, entry.id, entry.from, JSON.stringify(entry)],
      ResolveReply,
    );
    // Its text is back (or never will be): the audio goes now. A crash right here leaves it to its expiry.
    await this.audioRedis.del(keys.transcriptAudio(guildId, entry.id));
    return reply.outcome;
  }

  async pending(guildId: string, sessionId: string) {
    return this.redis.hlen(keys.transcriptPending(guildId, sessionId));
  }

  async pendingUtterances(guildId: string, sessionId: string): Promise<PendingUtterance[]> {
    const hash = await this.redis.hgetall(keys.transcriptPending(guildId, sessionId));
    return Object.values(hash).map((raw) => JSON.parse(raw) as PendingUtterance);
  }

  /** Oldest first; utterances in which the provider heard no words are left out. */
  async entries(guildId: string, sessionId: string): Promise<TranscriptEntry[]> {
    const entries = await this.stored(guildId, sessionId);
    return inOrder(entries.filter((entry) => !('text' in entry) || entry.text !== ''));
  }

  private async stored(guildId: string, sessionId: string) {
    const hash = await this.redis.hgetall(keys.transcript(guildId, sessionId));
    return Object.values(hash).map((raw) => JSON.parse(raw) as TranscriptEntry);
  }

  /** The written summary is dropped (it was made from words now removed), and the recap says why. */
  async forgetSummary(guildId: string, sessionId: string, why: string) {
    const key = keys.transcriptState(guildId, sessionId);
    const had = await this.redis.hexists(key, 'summary');
    if (had) await this.redis.multi().hdel(key, 'summary').hset(key, 'summaryMissing', why).exec();
  }

  async saveSummary(guildId: string, sessionId: string, outcome: { summary: WrittenSummary } | { missing: string }) {
    const key = keys.transcriptState(guildId, sessionId);
    if ('summary' in outcome) await this.redis.hset(key, 'summary', JSON.stringify(outcome.summary));
    else await this.redis.hset(key, 'summaryMissing', outcome.missing);
  }
}
