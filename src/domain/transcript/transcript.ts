/**
 * What was said, line by line: one entry per utterance an opted-in member spoke. An utterance the speech-to-text
 * provider could not transcribe (after its retries) is kept as a gap, so the transcript says what is missing.
 */
interface Heard {
  /** The utterance's id: a rerun of its job writes the same entry. */
  id: string;
  userId: string;
  from: number;
  to: number;
  /** The paper being presented when the utterance began. */
  paperId?: string;
}

export type TranscriptEntry = (Heard & { text: string }) | (Heard & { gap: string });

export type TranscriptLine = Extract<TranscriptEntry, { text: string }>;

export const isLine = (entry: TranscriptEntry): entry is TranscriptLine => 'text' in entry;

/**
 * The consent rule: speech is heard only from a member opted in since before it began (`joinedAt`: when they ran
 * /transcript join; undefined: not opted in). A later join does not cover what they said before it.
 */
export const consentCovers = (joinedAt: number | undefined, from: number) => joinedAt !== undefined && joinedAt <= from;

/** Speech-to-text answers are capped: 30 s of speech is ~100 words (~600 characters). */
export const MAX_LINE = 1_500;

/** Oldest first; entries starting together keep a stable order. */
export function inOrder(entries: Iterable<TranscriptEntry>) {
  return [...entries].sort((a, b) => a.from - b.from || a.to - b.to || a.id.localeCompare(b.id));
}

/** A written summary of the session, generated from the transcript by a language model. */
export interface WrittenSummary {
  /** Which model wrote it. */
  model: string;
  summary: string;
  /** One per covered paper, in the order covered: `from`/`to` are the times its lines cover. */
  chapters: Array<{ paperId: string; summary: string; from: number; to: number }>;
  /** Questions and answers heard in the discussion (not the ones logged with /ask). */
  heard: Array<{ question: string; answer: string; askedBy?: string; answeredBy?: string }>;
  /** Up to five. */
  takeaways: string[];
}

/** A transcript in a recap: the entries (ordered) and, when one was asked for, the written summary or why not. */
export interface RecapTranscript {
  entries: TranscriptEntry[];
  summary?: WrittenSummary;
  /** Why the recap has no written summary although a model is set up (it answered invalid output twice, …). */
  summaryMissing?: string;
  /** Utterances still waiting for their text when the recap was written. */
  untranscribed?: number;
}

/** Why a recap has no written summary any more: it was made with the words of a member who left or was forgotten. */
export const SUMMARY_WITHDRAWN = {
  left: 'it was removed when a member who spoke stopped being transcribed',
  forgotten: 'it was removed when a member who spoke asked Lectern to forget them',
} as const;

/** Whether a written summary names the member (as asking or answering a question heard). */
export const summaryNames = (summary: WrittenSummary | undefined, userId: string) =>
  summary?.heard.some((h) => h.askedBy === userId || h.answeredBy === userId) ?? false;

/** Whether a written summary was made with this member's words, or names them. */
export function summaryHas(transcript: Pick<RecapTranscript, 'entries' | 'summary'>, userId: string) {
  return transcript.entries.some((e) => e.userId === userId) || summaryNames(transcript.summary, userId);
}

/** The transcript without the entries `keep` refuses; a written summary made with any of them goes too (`why`). */
export function keptEntries(transcript: RecapTranscript, keep: (entry: TranscriptEntry) => boolean, why: string) {
  const entries = transcript.entries.filter(keep);
  if (entries.length === transcript.entries.length) return transcript;
  const { summary, summaryMissing, ...rest } = transcript;
  return { ...rest, entries, ...(summary || summaryMissing ? { summaryMissing: why } : {}) };
}
