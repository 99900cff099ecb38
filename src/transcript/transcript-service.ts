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

  /** Consent ends now; the member's lines go from every transcript whose recap is not out yet. */
  async leave(guildId: string, userId: string) {
    const open = await this.openSessions(guildId);
    const left = await this.store.leave(guildId, userId, open);
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

  /** For /session status: who is heard, when the session is transcribed. */
  async status(guildId: string, sessionId: string) {
    const state = await this.store.state(guildId, sessionId);
    if (!state.on) return undefined;
    return { stopped: state.stoppedAt !== undefined, members: [...(await this.store.members(guildId)).keys()] };
  }

  entries(guildId: string, sessionId: string) {
    return this.store.entries(guildId, sessionId);
  }

  /** The live session and the last ended one while its recap is not out. */
  private async openSessions(guildId: string) {
    const ids: string[] = [];
    const current = await this.sessions.current(guildId);
    if (current?.status === 'live') ids.push(current.id);
    const last = await this.sessions.lastEnded(guildId);
    if (last && !(await this.sessions.recap(guildId, last.id))) ids.push(last.id);
    return ids;
  }
}
