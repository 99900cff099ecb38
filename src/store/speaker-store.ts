import { z } from 'zod';
import type { TimelineEvent } from '../domain/session/session.js';
import type { Speakers } from '../domain/session/speakers.js';
import { sessionKeys } from './keys.js';
import type { RedisClient } from './redis.js';
import { luaList, runScript } from './scripts.js';

/** Two calls this close together were hosts pressing at once (the board shows a call within 2 s). */
export const NEXT_CALL_WINDOW_MS = 2_000;

const RaiseReply = z.object({ outcome: z.enum(['raised', 'already', 'on-stage', 'not-live']), position: z.number() });
const CallReply = z.object({ outcome: z.enum(['called', 'not-first', 'not-live']), boardDirty: z.boolean() });
/** `userId`: who was called; for `just-called`, whom the other host called; for `not-first`, who is first now. */
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

const eventJson = (event: TimelineEvent) => JSON.stringify(event);

export class SpeakerStore {
  constructor(private readonly redis: RedisClient) {}

  async raiseHand(
    guildId: string,
    sessionId: string,
    userId: string,
    topic: string | undefined,
    via: 'command' | 'stage',
    at: number,
  ) {
    const k = sessionKeys(guildId, sessionId);
    return runScript(
      this.redis,
      'speakers/raise',
      [k.live, k.hands, k.topics, k.stage, k.timeline],
      [sessionId, userId, topic ?? '', eventJson({ type: 'hand.raised', userId, via, at, ...(topic && { topic }) })],
      RaiseReply,
    );
  }

  async lowerHand(guildId: string, sessionId: string, userId: string, at: number) {
    const k = sessionKeys(guildId, sessionId);
    return (
      await runScript(
        this.redis,
        'speakers/lower',
        [k.live, k.hands, k.topics, k.timeline],
        [sessionId, userId, eventJson({ type: 'hand.lowered', userId, at })],
        z.object({ outcome: z.enum(['lowered', 'not-raised', 'not-live']) }),
      )
    ).outcome;
  }

  /** With `mustBeFirst`, only if they are still first in line. */
  async callSpeaker(guildId: string, sessionId: string, userId: string, by: string, at: number, mustBeFirst: boolean) {
    const k = sessionKeys(guildId, sessionId);
    return runScript(
      this.redis,
      'speakers/call',
      [k.live, k.hands, k.topics, k.stage, k.timeline, k.boardDirty],
      [sessionId, userId, mustBeFirst ? '1' : '0', eventJson({ type: 'speaker.called', userId, by, at })],
      CallReply,
    );
  }

  async firstHand(guildId: string, sessionId: string) {
    return (await this.redis.lindex(sessionKeys(guildId, sessionId).hands, 0)) ?? undefined;
  }

  /** /speakers next for `userId`, read first in line: refused if another host called within `windowMs`. */
  async callFirst(
    guildId: string,
    call: { sessionId: string; userId: string; by: string; at: number; windowMs: number },
  ) {
    const { sessionId, userId, by, at, windowMs } = call;
    const k = sessionKeys(guildId, sessionId);
    return runScript(
      this.redis,
      'speakers/call-first',
      [k.live, k.session, k.hands, k.topics, k.stage, k.timeline, k.boardDirty],
      [sessionId, userId, by, at, windowMs, eventJson({ type: 'speaker.called', userId, by, at })],
      CallFirstReply,
    );
  }

  async speakerDone(guildId: string, sessionId: string, userId: string, at: number) {
    const k = sessionKeys(guildId, sessionId);
    return (
      await runScript(
        this.redis,
        'speakers/done',
        [k.live, k.stage, k.timeline],
        [sessionId, userId, eventJson({ type: 'speaker.done', userId, at })],
        z.object({ outcome: z.enum(['done', 'not-on-stage', 'not-live']) }),
      )
    ).outcome;
  }

  /** How many hands it lowered, or -1 when the session is not live. */
  async clearHands(guildId: string, sessionId: string, at: number) {
    const k = sessionKeys(guildId, sessionId);
    const lowered = (await this.redis.lrange(k.hands, 0, -1)).flatMap((userId) => [
      userId,
      eventJson({ type: 'hand.lowered', userId, at }),
    ]);
    const reply = await runScript(
      this.redis,
      'speakers/clear',
      [k.live, k.hands, k.topics, k.timeline],
      [sessionId, ...lowered],
      ClearReply,
    );
    return reply.outcome === 'cleared' ? (reply.cleared ?? 0) : -1;
  }

  /** The first `limit` raised hands and members on stage, and how many there are of each. */
  async speakers(guildId: string, sessionId: string, limit: number): Promise<Speakers> {
    const k = sessionKeys(guildId, sessionId);
    const reply = await runScript(this.redis, 'speakers/read', [k.hands, k.topics, k.stage], [limit], SpeakersReply);
    return { ...reply, queue: reply.queue.map(({ userId, topic }) => ({ userId, ...(topic && { topic }) })) };
  }
}
