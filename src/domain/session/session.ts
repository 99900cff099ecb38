import type { Paper } from '../papers/paper.js';

/** One may be live per guild. */
export interface Session {
  id: string;
  status: 'live' | 'ended';
  startedAt: number;
  /** Absent once that host had Lectern forget them (/privacy delete). */
  startedBy?: string;
  endedAt?: number;
  recording?: string;
  board?: { channelId: string; messageId: string; threadId?: string };
  stageTopic?: string;
  /** When the Stage topic was last set (the latest few): Discord allows two topic changes per 10 minutes. */
  stageTopicEdits?: number[];
}

/** A channel's name or topic (a Stage's topic too) may change twice per 10 minutes. */
export const TOPIC_EDITS = { limit: 2, windowMs: 10 * 60_000 };

/** When the next topic change may be sent: `now`, or once the older of the window's two changes is 10 minutes old. */
export function nextTopicEditAt(edits: number[], now: number) {
  const recent = edits.filter((at) => now - at < TOPIC_EDITS.windowMs).sort((a, b) => a - b);
  return recent.length < TOPIC_EDITS.limit ? now : recent.at(-TOPIC_EDITS.limit)! + TOPIC_EDITS.windowMs;
}

export interface SessionStatus {
  session: Session;
  paper?: Pick<Paper, 'id' | 'title' | 'ref' | 'metadataStatus'>;
  handsUp: number;
  /** The first few, in id order. */
  onStage: string[];
  /** How many are on stage. */
  speaking: number;
  asked: number;
  open: number;
  /** Most first. */
  talk: Array<{ userId: string; totalMs: number }>;
}

/** `by`: the host who did it; absent once they had Lectern forget them (an event of a member's own goes whole). */
export type TimelineEvent = { at: number } & (
  | { type: 'session.started'; by?: string }
  | { type: 'session.ended'; by?: string; recording?: string }
  | { type: 'paper.started'; paperId: string; by?: string }
  | { type: 'paper.covered'; paperId: string }
  | { type: 'hand.raised'; userId: string; topic?: string; via: 'command' | 'stage' }
  | { type: 'hand.lowered'; userId: string }
  | { type: 'speaker.called'; userId: string; by?: string }
  | { type: 'speaker.done'; userId: string }
  | { type: 'question.asked'; questionId: string; paperId?: string }
  | { type: 'question.answered'; questionId: string }
  | { type: 'question.dismissed'; questionId: string }
  | { type: 'highlight'; text: string; by?: string; paperId?: string }
  | { type: 'takeaway'; text: string; by?: string; paperId?: string }
  | { type: 'member.joined'; userId: string }
  | { type: 'member.left'; userId: string }
  /** Heard from `from` to `at`. */
  | { type: 'voice.segment'; userId: string; from: number }
  /** Not heard from `from` to `at`: the voice connection was down. */
  | { type: 'voice.gap'; from: number }
  | { type: 'voice.unavailable'; reason: string }
);

export const MAX_QUESTION = 500;
export const MAX_ANSWER = 1_500;
export const MAX_HIGHLIGHT = 500;
export const MAX_TOPIC = 100;

/** `+1:02:05` since the start. */
export function offsetLabel(startedAt: number, at: number) {
  const total = Math.max(0, Math.floor((at - startedAt) / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
