import { z } from 'zod';
import type { TimelineEvent } from '../domain/session/session.js';
import type { SpeakerOutcome, Speakers } from '../domain/session/speakers.js';
import { sessionKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { luaList, runScript } from './scripts.js';

/**
 * /speakers next. `userId`: who was called; for `just-called`, whom the other
 * host called; for `not-first`, who is first in line now; otherwise ''.
 */
export interface CallFirstResult {
  outcome: 'called' | 'just-called' | 'not-first' | 'empty' | 'not-live';
  userId: string;
  boardDirty: boolean;
}

/**
 * Two hosts calling the next speaker this close together were pressing at
 * once (the live board shows a call within 2 s): the later press calls nobody.
 */
export const NEXT_CALL_WINDOW_MS = 2_000;

const outcomes = <T extends string>(...values: [T, ...T[]]) => z.object({ outcome: z.enum(values) });
const RaiseReply = z.object({ outcome: z.enum(['raised', 'already', 'on-stage', 'not-live']), position: z.number() });
const CallReply = z.object({ outcome: z.enum(['called', 'not-first', 'not-live']), boardDirty: z.boolean() });
const CallFirstReply = z.object({
  outcome: z.enum(['called', 'just-called', 'not-first', 'empty', 'not-live']),
  userId: z.string(),
  boardDirty: z.boolean(),
});
const ClearReply = z.object({ outcome: z.enum(['cleared', 'not-live']), cleared: z.number().optional() });
const SpeakersReply = z.object({
  queue: luaList(z.object({ userId: z.string(), topic: z.string().optional() })),
  handsUp: z.number(),
  onStage: luaList(z.string()),
  speaking: z.number(),
});

/**
 * A session's raised hands and stage. Each change is one Lua script that
 * checks the session is still live and appends the timeline event (built here).
 */
export class SpeakerStore {
  constructor(private readonly redis: RedisClient) {}

  async raiseHand(
    guildId: string,
    sessionId: string,
    userId: string,
    topic: string | undefined,
    via: 'command' | 'stage',
    at: number,
  ): Promise<{ outcome: SpeakerOutcome; position: number }> {
    const k = sessionKeys(guildId, sessionId);
    const event: TimelineEvent = { type: 'hand.raised', userId, via, at, ...(topic ? { topic } : {}) };
    return runScript(
      this.redis,
      'speakersRaise',
      [k.live, k.hands, k.topics, k.stage, k.timeline],
      [sessionId, userId, topic ?? '', JSON.stringify(event)],
      RaiseReply,
    );
  }

  async lowerHand(
    guildId: string,
    sessionId: string,
    userId: string,
    at: number,
  ): Promise<'lowered' | 'not-raised' | 'not-live'> {
    const k = sessionKeys(guildId, sessionId);
    const event: TimelineEvent = { type: 'hand.lowered', userId, at };
    const reply = await runScript(
      this.redis,
      'speakersLower',
      [k.live, k.hands, k.topics, k.timeline],
      [sessionId, userId, JSON.stringify(event)],
      outcomes('lowered', 'not-raised', 'not-live'),
    );
    return reply.outcome;
  }

  /** Takes a member off the queue onto the stage; with `mustBeFirst`, only if they are still first in line. */
  async callSpeaker(
    guildId: string,
    sessionId: string,
    userId: string,
    by: string,
    at: number,
    mustBeFirst: boolean,
  ): Promise<{ outcome: 'called' | 'not-first' | 'not-live'; boardDirty: boolean }> {
    const k = sessionKeys(guildId, sessionId);
    const event: TimelineEvent = { type: 'speaker.called', userId, by, at };
    return runScript(
      this.redis,
      'speakersCall',
      [k.live, k.hands, k.topics, k.stage, k.timeline, k.boardDirty],
      [sessionId, userId, mustBeFirst ? '1' : '0', JSON.stringify(event)],
      CallReply,
    );
  }

  /** Who is first in line. */
  async firstHand(guildId: string, sessionId: string): Promise<string | undefined> {
    const k = sessionKeys(guildId, sessionId);
    return (await this.redis.lindex(k.hands, 0)) ?? undefined;
  }

  /**
   * /speakers next for `userId`, whom the caller read first in line and found
   * in the stage channel: checks the session is live, that no other host
   * called the next speaker less than `windowMs` ago, and that `userId` is
   * still first, then calls them.
   */
  async callFirst(
    guildId: string,
    call: { sessionId: string; userId: string; by: string; at: number; windowMs: number },
  ): Promise<CallFirstResult> {
    const { sessionId, userId, by, at, windowMs } = call;
    const k = sessionKeys(guildId, sessionId);
    const event: TimelineEvent = { type: 'speaker.called', userId, by, at };
    return runScript(
      this.redis,
      'speakersCallFirst',
      [k.live, k.session, k.hands, k.topics, k.stage, k.timeline, k.boardDirty],
      [sessionId, userId, by, at, windowMs, JSON.stringify(event)],
      CallFirstReply,
    );
  }

  async speakerDone(
    guildId: string,
    sessionId: string,
    userId: string,
    at: number,
  ): Promise<'done' | 'not-on-stage' | 'not-live'> {
    const k = sessionKeys(guildId, sessionId);
    const event: TimelineEvent = { type: 'speaker.done', userId, at };
    const reply = await runScript(
      this.redis,
      'speakersDone',
      [k.live, k.stage, k.timeline],
      [sessionId, userId, JSON.stringify(event)],
      outcomes('done', 'not-on-stage', 'not-live'),
    );
    return reply.outcome;
  }

  /** Lowers every raised hand; how many it lowered, or -1 when the session is not live. */
  async clearHands(guildId: string, sessionId: string, at: number): Promise<number> {
    const k = sessionKeys(guildId, sessionId);
    const up = await this.redis.lrange(k.hands, 0, -1);
    const lowered = up.flatMap((userId) => {
      const event: TimelineEvent = { type: 'hand.lowered', userId, at };
      return [userId, JSON.stringify(event)];
    });
    const reply = await runScript(
      this.redis,
      'speakersClear',
      [k.live, k.hands, k.topics, k.timeline],
      [sessionId, ...lowered],
      ClearReply,
    );
    return reply.outcome === 'cleared' ? (reply.cleared ?? 0) : -1;
  }

  /** The first `limit` raised hands and members on stage, and how many there are of each. */
  async speakers(guildId: string, sessionId: string, limit: number): Promise<Speakers> {
    const k = sessionKeys(guildId, sessionId);
    const reply = await runScript(this.redis, 'speakersRead', [k.hands, k.topics, k.stage], [limit], SpeakersReply);
    return {
      queue: reply.queue.map(({ userId, topic }) => ({ userId, ...(topic ? { topic } : {}) })),
      handsUp: reply.handsUp,
      onStage: reply.onStage,
      speaking: reply.speaking,
    };
  }
}
