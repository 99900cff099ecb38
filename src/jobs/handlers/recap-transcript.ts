import type { Recap } from '../../domain/recap/recap.js';
import {
  consentCovers,
  isLine,
  keptEntries,
  SUMMARY_WITHDRAWN,
  type RecapTranscript,
} from '../../domain/transcript/transcript.js';
import type { TranscriptStore } from '../../store/transcript-store.js';
import type { JobQueue } from '../job-queue.js';
import { transcribeJobId } from '../contract.js';

/** How long after the end the recap waits for utterances still being transcribed, before going out without them. */
export const TRANSCRIPT_WAIT_MS = 30 * 60_000;
/** How long it waits for the voice side to hand over what it heard last (a gateway that died never does). */
export const CLOSE_WAIT_MS = 60_000;
/** How long it waits for the written summary once asked. */
export const SUMMARY_WAIT_MS = 15 * 60_000;
/** A pending utterance whose job is gone this long after it was queued was lost (a process died between the two). */
const LOST_AFTER_MS = 30_000;
const WAIT_STEP_MS = 2_000;

export interface RecapTranscriptDeps {
  transcripts: TranscriptStore;
  jobs: JobQueue;
  /** Set up for written summaries (LECTERN_LLM_URL). */
  chat: unknown;
  now(): number;
}

/**
 * Whether a transcribed session's recap must wait: for the voice side to hand over its last utterances, for every
 * utterance's text, then for the written summary when a model is set up (the summary job runs this edition again
 * once it is stored). Every wait has a deadline, after which the recap goes out and says what is missing.
 */
export async function transcriptNotReady(
  deps: RecapTranscriptDeps,
  guildId: string,
  sessionId: string,
  edition: string,
  endedAt: number,
) {
  const state = await deps.transcripts.state(guildId, sessionId);
  if (!state.on) return false;
  const now = deps.now();
  const again = (why: string, delayMs = WAIT_STEP_MS) =>
    deps.jobs.enqueue(
      'session.recap',
      { guildId, sessionId, edition },
      { delayMs, jobId: `recap-${why}-${guildId}-${sessionId}-${edition}-${Math.floor(now / WAIT_STEP_MS)}` },
    );
  if (state.closedAt === undefined && now - endedAt < CLOSE_WAIT_MS) {
    await again('close');
    return true;
  }
  if ((await pendingLeft(deps, guildId, sessionId, now)) > 0 && now - endedAt < TRANSCRIPT_WAIT_MS) {
    await again('pending');
    return true;
  }
  if (!deps.chat || state.summary || state.summaryMissing) return false;
  if (state.summaryAskedAt !== undefined && now - state.summaryAskedAt >= SUMMARY_WAIT_MS) {
    await deps.transcripts.saveSummary(guildId, sessionId, { missing: 'it was not ready in time' });
    return false;
  }
  if (!(await deps.transcripts.entries(guildId, sessionId)).some(isLine)) return false;
  await deps.transcripts.summaryAsked(guildId, sessionId, now);
  await deps.jobs.enqueue(
    'transcript.summary',
    { guildId, sessionId, edition },
    { jobId: `summary-${guildId}-${sessionId}-${edition}` },
  );
  // A backstop: should the summary job never come back, this run goes out without it.
  await again('summary', SUMMARY_WAIT_MS + WAIT_STEP_MS);
  return true;
}

/** Pending utterances, once those whose job was lost are kept as gaps (they would hold every recap back). */
async function pendingLeft(deps: RecapTranscriptDeps, guildId: string, sessionId: string, now: number) {
  const pending = await deps.transcripts.pendingUtterances(guildId, sessionId);
  let left = pending.length;
  for (const { queuedAt, ...heard } of pending) {
    if (now - queuedAt < LOST_AFTER_MS) continue;
    if (await deps.jobs.isQueued('stt', transcribeJobId(guildId, heard.id))) continue;
    await deps.transcripts.resolve(guildId, sessionId, { ...heard, gap: 'lost before it was transcribed' });
    left--;
  }
  return left;
}

/** The transcript as the recap shows it, while the session was transcribed. */
export async function recapTranscript(deps: RecapTranscriptDeps, guildId: string, sessionId: string) {
  const state = await deps.transcripts.state(guildId, sessionId);
  if (!state.on) return undefined;
  const [entries, untranscribed] = await Promise.all([
    deps.transcripts.entries(guildId, sessionId),
    deps.transcripts.pending(guildId, sessionId),
  ]);
  const transcript: RecapTranscript = { entries };
  if (state.summary) transcript.summary = state.summary;
  else if (state.summaryMissing) transcript.summaryMissing = state.summaryMissing;
  if (untranscribed > 0) transcript.untranscribed = untranscribed;
  return transcript;
}

/**
 * A recap about to be posted, without the lines of anyone no longer opted in since before they spoke: a member
 * who left between its composing and its posting is not posted (and a summary made with their words goes too).
 */
export async function withCurrentConsent(deps: RecapTranscriptDeps, guildId: string, recap: Recap) {
  if (!recap.transcript) return recap;
  const members = await deps.transcripts.members(guildId);
  const consented = ({ userId, from }: { userId: string; from: number }) => consentCovers(members.get(userId), from);
  const transcript = keptEntries(recap.transcript, consented, SUMMARY_WITHDRAWN.left);
  return transcript === recap.transcript ? recap : { ...recap, transcript };
}
