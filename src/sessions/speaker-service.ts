import type { JobQueue } from '../jobs/job-queue.js';
import type { SpeakerOutcome, Speakers } from '../domain/session/speakers.js';
import { NEXT_CALL_WINDOW_MS, type SpeakerStore } from '../store/speaker-store.js';

/**
 * What /speakers next did. `absent`: the first in line is not in the stage
 * channel and keeps their place; `just-called`: another host's call came first.
 */
export type CallNextResult =
  | { outcome: 'called'; userId: string; boardDirty: boolean }
  | { outcome: 'absent' | 'just-called'; userId: string }
  | { outcome: 'empty' | 'not-live' };

/**
 * Raised hands and the stage. Each change is one store script; the board
 * edit it implies is the caller's to queue once the member has their answer.
 */
export class SpeakerService {
  constructor(
    private readonly sessions: SpeakerStore,
    private readonly jobs: JobQueue,
  ) {}

  /** The first `limit` raised hands and speakers, with how many there are of each. */
  speakers(guildId: string, sessionId: string, limit: number): Promise<Speakers> {
    return this.sessions.speakers(guildId, sessionId, limit);
  }

  /** Raises a member's hand (with /speak, or Discord's own Stage button: `via`); `position` is their place. */
  raise(...hand: Parameters<SpeakerStore['raiseHand']>): Promise<{ outcome: SpeakerOutcome; position: number }> {
    return this.sessions.raiseHand(...hand);
  }

  lower(guildId: string, sessionId: string, userId: string, at: number) {
    return this.sessions.lowerHand(guildId, sessionId, userId, at);
  }

  clear(guildId: string, sessionId: string, at: number): Promise<number> {
    return this.sessions.clearHands(guildId, sessionId, at);
  }

  /**
   * Calls the first raised hand if `inChannel` says they are in the stage
   * channel (the gateway's voice-state cache knows). Two hosts pressing at
   * once call one member: a call within NEXT_CALL_WINDOW_MS of another host's calls nobody.
   */
  async callNext(
    guildId: string,
    call: { sessionId: string; by: string; at: number; inChannel: (userId: string) => boolean },
  ): Promise<CallNextResult> {
    const first = await this.sessions.firstHand(guildId, call.sessionId);
    if (!first) return { outcome: 'empty' };
    if (!call.inChannel(first)) return { outcome: 'absent', userId: first };
    const result = await this.sessions.callFirst(guildId, {
      sessionId: call.sessionId,
      userId: first,
      by: call.by,
      at: call.at,
      windowMs: NEXT_CALL_WINDOW_MS,
    });
    switch (result.outcome) {
      case 'called':
        return { outcome: 'called', userId: result.userId, boardDirty: result.boardDirty };
      case 'just-called':
      case 'not-first':
        // The first place changed between the read and the call: another host called them.
        return { outcome: 'just-called', userId: result.userId };
      default:
        return { outcome: result.outcome };
    }
  }

  /** Calls a member already checked to be in the stage channel; `mustBeFirst`: only if still first in line. */
  call(guildId: string, call: { sessionId: string; userId: string; by: string; at: number; mustBeFirst: boolean }) {
    return this.sessions.callSpeaker(guildId, call.sessionId, call.userId, call.by, call.at, call.mustBeFirst);
  }

  done(guildId: string, sessionId: string, userId: string, at: number) {
    return this.sessions.speakerDone(guildId, sessionId, userId, at);
  }

  /** A DM to a called member who is not in the channel, with a link to it. */
  inviteByDm(guildId: string, userId: string, channelId: string): Promise<void> {
    return this.jobs.enqueue('member.dm', { guildId, userId, channelId });
  }
}
