import type { JobQueue } from '../jobs/job-queue.js';
import { NEXT_CALL_WINDOW_MS, type SpeakerStore } from '../store/speaker-store.js';

/** `absent`: not in the stage channel, keeps their place; `just-called`: another host's call came first. */
type CallNextResult =
  | { outcome: 'called'; userId: string; boardDirty: boolean }
  | { outcome: 'absent' | 'just-called'; userId: string }
  | { outcome: 'empty' | 'not-live' };

export class SpeakerService {
  constructor(
    private readonly sessions: SpeakerStore,
    private readonly jobs: JobQueue,
  ) {}

  speakers(guildId: string, sessionId: string, limit: number) {
    return this.sessions.speakers(guildId, sessionId, limit);
  }

  raise(...hand: Parameters<SpeakerStore['raiseHand']>) {
    return this.sessions.raiseHand(...hand);
  }

  lower(...hand: Parameters<SpeakerStore['lowerHand']>) {
    return this.sessions.lowerHand(...hand);
  }

  clear(guildId: string, sessionId: string, at: number) {
    return this.sessions.clearHands(guildId, sessionId, at);
  }

  async callNext(
    guildId: string,
    call: { sessionId: string; by: string; at: number; inChannel: (userId: string) => boolean },
  ): Promise<CallNextResult> {
    const first = await this.sessions.firstHand(guildId, call.sessionId);
    if (!first) return { outcome: 'empty' };
    if (!call.inChannel(first)) return { outcome: 'absent', userId: first };
    const result = await this.sessions.callFirst(guildId, { ...call, userId: first, windowMs: NEXT_CALL_WINDOW_MS });
    switch (result.outcome) {
      case 'called':
        return { outcome: 'called', userId: result.userId, boardDirty: result.boardDirty };
      case 'just-called':
      case 'not-first':
        // First place changed since the read: another host called them.
        return { outcome: 'just-called', userId: result.userId };
      default:
        return { outcome: result.outcome };
    }
  }

  call(guildId: string, call: { sessionId: string; userId: string; by: string; at: number; mustBeFirst: boolean }) {
    return this.sessions.callSpeaker(guildId, call.sessionId, call.userId, call.by, call.at, call.mustBeFirst);
  }

  done(...speaker: Parameters<SpeakerStore['speakerDone']>) {
    return this.sessions.speakerDone(...speaker);
  }

  inviteByDm(guildId: string, userId: string, channelId: string) {
    return this.jobs.enqueue('member.dm', { guildId, userId, channelId });
  }
}
