import type { PaperRef } from '../papers/paper-ref.js';
import type { Question } from '../session/question.js';
import type { Session, TimelineEvent } from '../session/session.js';
import type { RecapTranscript } from '../transcript/transcript.js';
import { talkTimes, type Gap, type Segment } from '../voice/speaking.js';

export interface RecapPaper {
  id: string;
  title: string;
  url: string;
  presenterId?: string;
  /** Its discussion thread. */
  threadUrl?: string;
  /** Absent in recaps saved before the archive (they show without authors or source id). */
  authors?: string[];
  ref?: Pick<PaperRef, 'kind' | 'id'>;
}

export interface RecapNote {
  text: string;
  at: number;
  /** Absent once that host had Lectern forget them. */
  byId?: string;
  paperId?: string;
}

/**
 * `askerId` is absent for an anonymous question, and for one whose asker had Lectern forget them (`askerForgotten`:
 * shown as asked by "a member", as the question was not asked anonymously).
 */
export type RecapQuestion = Pick<Question, 'text' | 'askerId' | 'answer' | 'paperId' | 'votes' | 'early'> & {
  askerForgotten?: true;
};

/** Who asked, for a reader: a name (by `person`), "anonymous", or "a member" once the asker was forgotten. */
export function askerLabel(q: RecapQuestion, person: (userId: string) => string) {
  return q.askerId ? person(q.askerId) : q.askerForgotten ? 'a member' : 'anonymous';
}

interface SpeakerTime {
  userId: string;
  segments: Array<{ from: number; to: number }>;
  totalMs: number;
}

export interface Recap {
  sessionId: string;
  startedAt: number;
  endedAt: number;
  recording?: string;
  covered: Array<RecapPaper & { startedAt: number }>;
  /** Dismissed questions included. */
  asked: number;
  answered: RecapQuestion[];
  unanswered: RecapQuestion[];
  highlights: RecapNote[];
  takeaways: RecapNote[];
  speakers: SpeakerTime[];
  /** `calls` when the bot could not listen in the voice channel. */
  speakerSource: 'voice' | 'calls';
  voiceGaps: Gap[];
  /** By the paper current when the speech began; no paperId: before the first paper. */
  talkByPaper: Array<{ paperId?: string; talk: Array<{ userId: string; totalMs: number }> }>;
  attendancePeak: number;
  mostUpvoted?: RecapQuestion;
  /** Only for a transcribed session: what opted-in members said, and the written summary. */
  transcript?: RecapTranscript;
}

function addSegment(speakers: Map<string, SpeakerTime>, userId: string, from: number, to: number) {
  const entry = speakers.get(userId) ?? { userId, segments: [], totalMs: 0 };
  entry.segments.push({ from, to });
  entry.totalMs += to - from;
  speakers.set(userId, entry);
}

const byFirstSegment = (speakers: Map<string, SpeakerTime>) =>
  [...speakers.values()].sort((a, b) => a.segments[0]!.from - b.segments[0]!.from);

export function composeRecap(
  session: Session,
  timeline: TimelineEvent[],
  questions: Question[],
  papers: Map<string, RecapPaper>,
): Recap {
  const endedAt = session.endedAt ?? timeline.at(-1)?.at ?? session.startedAt;
  const covered: Recap['covered'] = [];
  const notes = { highlight: [] as RecapNote[], takeaway: [] as RecapNote[] };
  const onStage = new Map<string, number>();
  const speakers = new Map<string, SpeakerTime>();
  const present = new Set<string>();
  let attendancePeak = 0;
  const closeSegment = (userId: string, to: number) => {
    const from = onStage.get(userId);
    if (from === undefined) return;
    onStage.delete(userId);
    addSegment(speakers, userId, from, to);
  };
  for (const event of timeline) {
    switch (event.type) {
      case 'paper.started': {
        const paper = papers.get(event.paperId);
        if (paper && !covered.some((p) => p.id === paper.id)) covered.push({ ...paper, startedAt: event.at });
        break;
      }
      case 'highlight':
      case 'takeaway':
        notes[event.type].push({
          text: event.text,
          at: event.at,
          ...(event.by && { byId: event.by }),
          ...(event.paperId && { paperId: event.paperId }),
        });
        break;
      case 'speaker.called':
        if (!onStage.has(event.userId)) onStage.set(event.userId, event.at);
        break;
      case 'speaker.done':
        closeSegment(event.userId, event.at);
        break;
      case 'member.joined':
        present.add(event.userId);
        attendancePeak = Math.max(attendancePeak, present.size);
        break;
      case 'member.left':
        present.delete(event.userId);
        closeSegment(event.userId, event.at);
        break;
    }
  }
  for (const userId of [...onStage.keys()]) closeSegment(userId, endedAt);
  const voice = voiceTimeline(timeline);
  return {
    sessionId: session.id,
    startedAt: session.startedAt,
    endedAt,
    ...(session.recording && { recording: session.recording }),
    covered,
    ...recapQuestions(questions),
    highlights: notes.highlight,
    takeaways: notes.takeaway,
    ...(voice.speakers.length > 0
      ? { speakers: voice.speakers, speakerSource: 'voice' as const, talkByPaper: voice.talkByPaper }
      : { speakers: byFirstSegment(speakers), speakerSource: 'calls' as const, talkByPaper: [] }),
    voiceGaps: voice.gaps,
    attendancePeak,
  };
}

/** A recap's questions, from its session's questions as stored (also used to recount a recap's votes). */
export function recapQuestions(
  questions: Question[],
): Pick<Recap, 'asked' | 'answered' | 'unanswered' | 'mostUpvoted'> {
  const withStatus = (status: Question['status']) =>
    questions
      .filter((q) => q.status === status)
      .sort((a, b) => a.askedAt - b.askedAt)
      .map((q): RecapQuestion => ({
        text: q.text,
        votes: q.votes,
        ...(q.askerId && !q.anonymous && { askerId: q.askerId }),
        // Not anonymous, yet no asker: the asker had Lectern forget them (/privacy delete).
        ...(!q.askerId && !q.anonymous && { askerForgotten: true as const }),
        ...(q.answer && { answer: q.answer }),
        ...(q.paperId && { paperId: q.paperId }),
        ...(q.early && { early: true }),
      }));
  const answered = withStatus('answered');
  const unanswered = withStatus('open');
  const ranked = [...answered, ...unanswered].sort((a, b) => b.votes - a.votes);
  return {
    asked: questions.length,
    answered,
    unanswered,
    ...(ranked[0] && ranked[0].votes > 0 && { mostUpvoted: ranked[0] }),
  };
}

function voiceTimeline(timeline: TimelineEvent[]) {
  const starts = timeline
    .flatMap((e) => (e.type === 'paper.started' ? [{ at: e.at, paperId: e.paperId }] : []))
    .sort((a, b) => a.at - b.at);
  const paperAt = (at: number) => starts.filter((s) => s.at <= at).at(-1)?.paperId;
  const byMember = new Map<string, SpeakerTime>();
  const byPaper = new Map<string | undefined, Segment[]>();
  const gaps: Gap[] = [];
  for (const event of timeline) {
    if (event.type === 'voice.gap') gaps.push({ from: event.from, to: event.at });
    if (event.type !== 'voice.segment') continue;
    addSegment(byMember, event.userId, event.from, event.at);
    const paperId = paperAt(event.from);
    const talk = byPaper.get(paperId) ?? [];
    talk.push({ userId: event.userId, from: event.from, to: event.at });
    byPaper.set(paperId, talk);
  }
  for (const entry of byMember.values()) entry.segments.sort((a, b) => a.from - b.from);
  const order = [undefined, ...new Set(starts.map((s) => s.paperId))];
  return {
    speakers: byFirstSegment(byMember),
    gaps: gaps.sort((a, b) => a.from - b.from),
    talkByPaper: order
      .filter((id) => byPaper.has(id))
      .map((paperId) => ({
        ...(paperId && { paperId }),
        talk: talkTimes(byPaper.get(paperId)!),
      })),
  };
}

/** `1m 05s`, `45s`, `1h 2m`. */
export function talkLabel(ms: number) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return durationLabel(ms);
}

/** `2h 2m`, `45m`, `1h 0m`. */
export function durationLabel(ms: number) {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${minutes % 60}m` : `${minutes}m`;
}
