import { cleanText } from '../../domain/papers/metadata.js';
import { MAX_LINE, type TranscriptEntry } from '../../domain/transcript/transcript.js';
import type { Logger } from '../../logger.js';
import type { TranscriptStore } from '../../store/transcript-store.js';
import { providerFailure, type SpeechToText } from '../../transcript/providers.js';
import { RetryLaterError, type JobHandlers } from '../contract.js';

export interface TranscribeDeps {
  transcripts: TranscriptStore;
  /** Absent without LECTERN_STT_URL: what was queued becomes gaps. */
  stt: SpeechToText | undefined;
  logger: Logger;
}

/**
 * One utterance to text. Its line is stored once (a rerun finds it there); a failure is retried with backoff, and
 * after the last try the utterance is kept as a gap so the transcript shows what is missing. The audio is deleted
 * as soon as the line or gap is stored.
 */
export function transcribeHandler(deps: TranscribeDeps): JobHandlers['transcribe'] {
  return async ({ guildId, sessionId, utteranceId, userId, from, to, paperId, prompt }, job) => {
    const heard = { id: utteranceId, userId, from, to, ...(paperId && { paperId }) };
    const store = (entry: TranscriptEntry) => deps.transcripts.resolve(guildId, sessionId, entry);
    // A member who left meanwhile: their audio is never sent (the store drops the entry and the audio).
    if (!(await deps.transcripts.consentedAt(guildId, userId, from))) {
      await store({ ...heard, gap: 'the member stopped being transcribed' });
      return;
    }
    const wav = await deps.transcripts.audio(guildId, utteranceId);
    if (!wav) {
      // A rerun after the line was stored finds the line kept; otherwise the audio expired unsent.
      await store({ ...heard, gap: 'the audio expired before it was transcribed' });
      return;
    }
    if (!deps.stt) {
      await store({ ...heard, gap: 'no speech-to-text server is set up' });
      return;
    }
    let text: string;
    try {
      text = await deps.stt.transcribe(wav, prompt);
    } catch (err) {
      const failure = providerFailure(err);
      if (failure.retry && !job.finalAttempt) {
        const message = `speech-to-text: ${failure.reason}`;
        throw failure.afterMs ? new RetryLaterError(message, failure.afterMs) : new Error(message, { cause: err });
      }
      deps.logger.warn({ guildId, utteranceId, reason: failure.reason }, 'utterance not transcribed: kept as a gap');
      await store({ ...heard, gap: `not transcribed: ${failure.reason}` });
      return;
    }
    // Silence or noise gives no words: kept empty (never shown), so a rerun finds it done.
    await store({ ...heard, text: cleanText(text, MAX_LINE) });
  };
}
