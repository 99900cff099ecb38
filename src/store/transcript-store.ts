import { z } from 'zod';
import { inOrder, type TranscriptEntry, type WrittenSummary } from '../domain/transcript/transcript.js';
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
  wav: Buffer;
}

/** Whether a session is transcribed, and what its summary job left. */
export interface TranscriptState {
  on: boolean;
  /** When a host stopped it with /transcript stop. */
  stoppedAt?: number;
  /** The bot's nickname before it showed it was transcribing (restored after); `''`: it had none. */
  nickBefore?: string;
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

  /** Removes the member's consent, then their lines from the given sessions (those whose recap is not out yet). */
  async leave(guildId: string, userId: string, sessionIds: string[]) {
    const was = (await this.redis.hdel(keys.transcriptMembers(guildId), userId)) === 1;
    // After the consent is gone no new line of theirs is stored (resolve.lua checks), so this read sees them all.
    let removed = 0;
    for (const sessionId of sessionIds) removed += await this.removeMember(guildId, sessionId, userId);
    return { was, removed };
  }

  async removeMember(guildId: string, sessionId: string, userId: string) {
    const key = keys.transcript(guildId, sessionId);
    const theirs = (await this.entries(guildId, sessionId)).filter((e) => e.userId === userId).map((e) => e.id);
    return theirs.length > 0 ? this.redis.hdel(key, ...theirs) : 0;
  }

  /** Member id → since when they opted in. */
  async members(guildId: string) {
    const hash = await this.redis.hgetall(keys.transcriptMembers(guildId));
    return new Map(Object.entries(hash).map(([userId, at]) => [userId, Number(at)]));
  }

  /** Whether the member was opted in at `at` and still is (a later join does not cover speech before it). */
  async consentedAt(guildId: string, userId: string, at: number) {
    const since = await this.redis.hget(keys.transcriptMembers(guildId), userId);
    return since !== null && Number(since) <= at;
  }

  async start(guildId: string, sessionId: string) {
    await this.redis.hset(keys.transcriptState(guildId, sessionId), 'on', '1');
  }

  async stop(guildId: string, sessionId: string, at: number) {
    return (await this.redis.hsetnx(keys.transcriptState(guildId, sessionId), 'stoppedAt', String(at))) === 1;
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
      ...(hash.summary && { summary: JSON.parse(hash.summary) as WrittenSummary }),
      ...(hash.summaryMissing && { summaryMissing: hash.summaryMissing }),
    };
  }

  /** The audio is held until its job is done, and counted as pending so the recap waits for it. */
  async queue(guildId: string, sessionId: string, utterance: QueuedUtterance) {
    await this.audioRedis.set(keys.transcriptAudio(guildId, utterance.id), utterance.wav, 'PX', AUDIO_TTL_MS);
    await this.redis.sadd(keys.transcriptPending(guildId, sessionId), utterance.id);
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

  /** An utterance with no words in it: nothing is kept. */
  async discard(guildId: string, sessionId: string, utteranceId: string) {
    await this.redis.srem(keys.transcriptPending(guildId, sessionId), utteranceId);
    await this.audioRedis.del(keys.transcriptAudio(guildId, utteranceId));
  }

  async pending(guildId: string, sessionId: string) {
    return this.redis.scard(keys.transcriptPending(guildId, sessionId));
  }

  /** Oldest first. */
  async entries(guildId: string, sessionId: string): Promise<TranscriptEntry[]> {
    const hash = await this.redis.hgetall(keys.transcript(guildId, sessionId));
    return inOrder(Object.values(hash).map((raw) => JSON.parse(raw) as TranscriptEntry));
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
