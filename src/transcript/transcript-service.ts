import { UserError } from '../domain/errors.js';
import type { Session } from '../domain/session/session.js';
import type { SessionStore } from '../store/session-store.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { TranscriptStore } from '../store/transcript-store.js';
import type { VoiceService } from '../voice/voice-service.js';

/** Consent and reading: /transcript join, leave, stop and show, and who /session status says is transcribed. */
export class TranscriptService {
  /** Gateway processes: who is heard changes at once, not at the next tick. */
  voice: VoiceService | undefined;

  constructor(
    private readonly store: TranscriptStore,
    private readonly sessions: SessionStore,
    private readonly settings: SettingsStore,
    /** Whether a speech-to-text server is set up. */
    readonly available: boolean,
  ) {}

  async join(guildId: string, userId: string, at: number) {
    if (!(await this.settings.get(guildId)).transcriptEnabled)
      throw new UserError(
        'transcript-off',
        'Transcripts are off in this server. A host can turn them on with `/setup transcript enabled:true`.',
      );
    if (!this.available)
      throw new UserError(
        'transcript-unavailable',
        'This bot has no speech-to-text server set up (LECTERN_STT_URL), so nothing can be transcribed yet.',
      );
    const joined = await this.store.join(guildId, userId, at);
    await this.voice?.transcriptMembersChanged(guildId);
    return { joined };
  }

  /** Consent ends now; the member's lines go from every stored transcript (recaps already posted keep theirs). */
  async leave(guildId: string, userId: string) {
    const left = await this.store.leaveEverywhere(guildId, userId);
    await this.voice?.transcriptMembersChanged(guildId);
    return left;
  }

  async stop(guildId: string, session: Session, at: number) {
    const state = await this.store.state(guildId, session.id);
    if (!state.on) throw new UserError('transcript-not-on', 'This session is not being transcribed.');
    if (!(await this.store.stop(guildId, session.id, at)))
      throw new UserError('transcript-stopped', 'The transcript of this session was already stopped.');
    await this.voice?.stopTranscript(guildId);
  }

  /** The setting turned off: a live session being transcribed stops now. Whether one was. */
  async stopLive(guildId: string, at: number) {
    const session = await this.sessions.current(guildId);
    if (session?.status !== 'live' || !(await this.store.state(guildId, session.id)).on) return false;
    if (await this.store.stop(guildId, session.id, at)) await this.voice?.stopTranscript(guildId);
    return true;
  }

  /** For /session status: who is heard, when the session is transcribed. */
  async status(guildId: string, sessionId: string) {
    const [state, members] = await Promise.all([this.store.state(guildId, sessionId), this.store.members(guildId)]);
    return state.on ? { stopped: state.stoppedAt !== undefined, members: [...members.keys()] } : undefined;
  }

  entries(guildId: string, sessionId: string) {
    return this.store.entries(guildId, sessionId);
  }
}
