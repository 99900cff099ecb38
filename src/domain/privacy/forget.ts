import { recapQuestions, type Recap } from '../recap/recap.js';
import { keptEntries, summaryHas, SUMMARY_WITHDRAWN, type RecapTranscript } from '../transcript/transcript.js';
import type { Question } from '../session/question.js';
import type { TimelineEvent } from '../session/session.js';

/**
 * What /privacy delete does to one timeline event: the member's own (their hand, their call to the stage, their
 * speech, their coming and going) goes; one they did as a host stays without their name. `undefined`: unchanged.
 */
export function forgetInEvent(event: TimelineEvent, userId: string): TimelineEvent | null | undefined {
  if ('userId' in event && event.userId === userId) return null;
  if ('by' in event && event.by === userId) {
    const { by: _by, ...rest } = event;
    return rest as TimelineEvent;
  }
  return undefined;
}

/** The object without `field` when `field` names the member; the same object otherwise. */
export function withoutMember<T extends object>(item: T, field: keyof T, userId: string): T {
  if (item[field] !== userId) return item;
  const copy = { ...item };
  delete copy[field];
  return copy;
}

/**
 * A stored recap without the member: their questions stay, asked by "a member"; papers they presented lose their
 * presenter; their notes lose their author; their speaking time goes. `questions`: the session's questions as
 * stored now (their votes taken back, their names gone) recount the recap's questions, unless some are missing.
 */
export function forgetInRecap(recap: Recap, userId: string, questions?: Question[]): Recap {
  let counted = recap;
  if (questions && questions.length === recap.asked) {
    const { mostUpvoted: _stale, ...rest } = recap;
    counted = { ...rest, ...recapQuestions(questions) };
  }
  const asker = <T extends { askerId?: string; askerForgotten?: true }>(q: T): T =>
    q.askerId === userId ? { ...withoutMember(q, 'askerId', userId), askerForgotten: true } : q;
  const author = <T extends { byId?: string }>(n: T) => withoutMember(n, 'byId', userId);
  return {
    ...counted,
    covered: counted.covered.map((paper) => withoutMember(paper, 'presenterId', userId)),
    answered: counted.answered.map(asker),
    unanswered: counted.unanswered.map(asker),
    ...(counted.mostUpvoted && { mostUpvoted: asker(counted.mostUpvoted) }),
    highlights: counted.highlights.map(author),
    takeaways: counted.takeaways.map(author),
    speakers: counted.speakers.filter((s) => s.userId !== userId),
    talkByPaper: counted.talkByPaper
      .map((paper) => ({ ...paper, talk: paper.talk.filter((t) => t.userId !== userId) }))
      .filter((paper) => paper.talk.length > 0),
    ...(counted.transcript && { transcript: forgetInTranscript(counted.transcript, userId) }),
  };
}

/** Their lines go; a written summary made from them goes too (its text may name them or repeat what they said). */
export function forgetInTranscript(transcript: RecapTranscript, userId: string): RecapTranscript {
  if (!summaryHas(transcript, userId)) return transcript;
  const kept = keptEntries(transcript, (e) => e.userId !== userId, SUMMARY_FORGOTTEN);
  // Named in the summary without a line left (their lines were empty): the summary goes all the same.
  if (kept !== transcript || !kept.summary) return kept;
  const { summary: _named, ...rest } = kept;
  return { ...rest, summaryMissing: SUMMARY_FORGOTTEN };
}

export const SUMMARY_FORGOTTEN = SUMMARY_WITHDRAWN.forgotten;

/** What /privacy delete removed or made anonymous, counted for its answer. */
export interface Forgotten {
  /** Questions (asked in a session, or in a paper's thread before it) now asked by "a member". */
  questionsAsked: number;
  questionVotes: number;
  paperVotes: number;
  /** Papers no longer presented by them (queued ones need a presenter again). */
  presented: number;
  /** Papers no longer shown as suggested by them. */
  suggested: number;
  hands: number;
  stage: number;
  /** Sessions whose talk time per member they left. */
  talk: number;
  /** Timeline events removed (their own) or left without their name (what they did as a host). */
  events: number;
  recaps: number;
  /** Weeks whose presenter DM was marked as sent to them (or refused by their closed DMs). */
  scheduleMarks: number;
  /** The name the web archive showed for them. */
  archiveName: boolean;
  /** Lines of theirs in transcripts (and whether they had opted in). */
  transcriptLines: number;
  transcriptConsent: boolean;
}

export const nothingForgotten = (): Forgotten => ({
  questionsAsked: 0,
  questionVotes: 0,
  paperVotes: 0,
  presented: 0,
  suggested: 0,
  hands: 0,
  stage: 0,
  talk: 0,
  events: 0,
  recaps: 0,
  scheduleMarks: 0,
  archiveName: false,
  transcriptLines: 0,
  transcriptConsent: false,
});
