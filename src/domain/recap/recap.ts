import type { Question } from '../session/question.js';
import type { Session, TimelineEvent } from '../session/session.js';

/** What the recap needs of a paper. */
export interface RecapPaper {
  id: string;
  title: string;
  url: string;
  presenterId?: string;
}

export interface RecapNote {
  text: string;
  at: number;
  byId: string;
  paperId?: string;
}

export interface RecapQuestion {
  text: string;
  /** Absent for an anonymous question: the recap shows "anonymous". */
  askerId?: string;
  answer?: string;
  paperId?: string;
  votes: number;
}

export interface SpeakerTime {
  userId: string;
  segments: Array<{ from: number; to: number }>;
  totalMs: number;
}

/** A session compiled: everything the recap shows, in the order it shows it. */
export interface Recap {
  sessionId: string;
  startedAt: number;
  endedAt: number;
  recording?: string;
  covered: Array<RecapPaper & { startedAt: number }>;
  /** Every question asked, dismissed ones included. */
  asked: number;
  answered: RecapQuestion[];
  unanswered: RecapQuestion[];
  highlights: RecapNote[];
  takeaways: RecapNote[];
  speakers: SpeakerTime[];
  /** Where the speaker timeline comes from: the voice channel, or speaker calls when the bot could not listen. */
  speakerSource: 'voice' | 'calls';
  /** Stretches the bot could not hear the channel (voice connection down). */
  voiceGaps: Array<{ from: number; to: number }>;
  /** Talk time heard during each paper (by the paper current when the speech began); no paperId: before the first. */
  talkByPaper: Array<{ paperId?: string; talk: Array<{ userId: string; totalMs: number }> }>;
  attendancePeak: number;
  mostUpvoted?: RecapQuestion;
}

/** Compiles the recap from the session's timeline, questions and papers. Pure: the same input gives the same recap. */
export function composeRecap(
  session: Session,
  timeline: TimelineEvent[],
  questions: Question[],
  papers: Map<string, RecapPaper>,
): Recap {
  const endedAt = session.endedAt ?? timeline.at(-1)?.at ?? session.startedAt;
  const covered: Recap['covered'] = [];
  const seen = new Set<string>();
  const notes = { highlight: [] as RecapNote[], takeaway: [] as RecapNote[] };
  const onStage = new Map<string, number>();
  const speakers = new Map<string, SpeakerTime>();
  const present = new Set<string>();
  let attendancePeak = 0;
  const closeSegment = (userId: string, to: number) => {
    const from = onStage.get(userId);
    if (from === undefined) return;
    onStage.delete(userId);
    const entry = speakers.get(userId) ?? { userId, segments: [], totalMs: 0 };
    entry.segments.push({ from, to });
    entry.totalMs += to - from;
    speakers.set(userId, entry);
  };
  for (const event of timeline) {
    switch (event.type) {
      case 'paper.started': {
        const paper = papers.get(event.paperId);
        if (paper && !seen.has(paper.id)) {
          seen.add(paper.id);
          covered.push({ ...paper, startedAt: event.at });
        }
        break;
      }
      case 'highlight':
      case 'takeaway':
        notes[event.type].push({
          text: event.text,
          at: event.at,
          byId: event.by,
          ...(event.paperId ? { paperId: event.paperId } : {}),
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
      default:
        break;
    }
  }
  for (const userId of [...onStage.keys()]) closeSegment(userId, endedAt);
  const voice = voiceTimeline(timeline);
  const toRecap = (q: Question): RecapQuestion => ({
    text: q.text,
    votes: q.votes,
    ...(q.askerId && !q.anonymous ? { askerId: q.askerId } : {}),
    ...(q.answer ? { answer: q.answer } : {}),
    ...(q.paperId ? { paperId: q.paperId } : {}),
  });
  const byTime = (a: Question, b: Question) => a.askedAt - b.askedAt;
  const answered = questions
    .filter((q) => q.status === 'answered')
    .sort(byTime)
    .map(toRecap);
  const unanswered = questions
    .filter((q) => q.status === 'open')
    .sort(byTime)
    .map(toRecap);
  const ranked = [...answered, ...unanswered].sort((a, b) => b.votes - a.votes);
  return {
    sessionId: session.id,
    startedAt: session.startedAt,
    endedAt,
    ...(session.recording ? { recording: session.recording } : {}),
    covered,
    asked: questions.length,
    answered,
    unanswered,
    highlights: notes.highlight,
    takeaways: notes.takeaway,
    ...(voice.speakers.length > 0
      ? { speakers: voice.speakers, speakerSource: 'voice' as const, talkByPaper: voice.talkByPaper }
      : {
          speakers: [...speakers.values()].sort((a, b) => a.segments[0]!.from - b.segments[0]!.from),
          speakerSource: 'calls' as const,
          talkByPaper: [],
        }),
    voiceGaps: voice.gaps,
    attendancePeak,
    ...(ranked[0] && ranked[0].votes > 0 ? { mostUpvoted: ranked[0] } : {}),
  };
}

/** Who the voice channel heard, when, and during which paper. */
function voiceTimeline(timeline: TimelineEvent[]) {
  const starts = timeline
    .flatMap((e) => (e.type === 'paper.started' ? [{ at: e.at, paperId: e.paperId }] : []))
    .sort((a, b) => a.at - b.at);
  const paperAt = (at: number) => starts.filter((s) => s.at <= at).at(-1)?.paperId;
  const byMember = new Map<string, SpeakerTime>();
  const byPaper = new Map<string | undefined, Map<string, number>>();
  const gaps: Array<{ from: number; to: number }> = [];
  for (const event of timeline) {
    if (event.type === 'voice.gap') gaps.push({ from: event.from, to: event.at });
    if (event.type !== 'voice.segment') continue;
    const entry = byMember.get(event.userId) ?? { userId: event.userId, segments: [], totalMs: 0 };
    entry.segments.push({ from: event.from, to: event.at });
    entry.totalMs += event.at - event.from;
    byMember.set(event.userId, entry);
    const paperId = paperAt(event.from);
    const talk = byPaper.get(paperId) ?? new Map<string, number>();
    talk.set(event.userId, (talk.get(event.userId) ?? 0) + event.at - event.from);
    byPaper.set(paperId, talk);
  }
  for (const entry of byMember.values()) entry.segments.sort((a, b) => a.from - b.from);
  const order = [undefined, ...new Set(starts.map((s) => s.paperId))];
  return {
    speakers: [...byMember.values()].sort((a, b) => a.segments[0]!.from - b.segments[0]!.from),
    gaps: gaps.sort((a, b) => a.from - b.from),
    talkByPaper: order
      .filter((id) => byPaper.has(id))
      .map((paperId) => ({
        ...(paperId ? { paperId } : {}),
        talk: [...byPaper.get(paperId)!]
          .map(([userId, totalMs]) => ({ userId, totalMs }))
          .sort((a, b) => b.totalMs - a.totalMs),
      })),
  };
}

/** `1m 05s`, `45s`, `1h 2m`: talk time. */
export function talkLabel(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return durationLabel(ms);
}

/** `2h 2m`, `45m`, `1h 0m`. */
export function durationLabel(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${minutes % 60}m` : `${minutes}m`;
}
