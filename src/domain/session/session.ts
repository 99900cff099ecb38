import type { Paper } from '../papers/paper.js';

/** A session from `/session start` to `/session end`. One may be live per guild. */
export interface Session {
  id: string;
  status: 'live' | 'ended';
  startedAt: number;
  startedBy: string;
  endedAt?: number;
  recording?: string;
  /** The live board in the announce channel, and the thread under it. */
  board?: { channelId: string; messageId: string; threadId?: string };
  /** The Stage topic the board job last set (Discord lets a topic change twice in 10 minutes). */
  stageTopic?: string;
}

/** What /session status shows of the live session: counts, and the first few of each list. */
export interface SessionStatus {
  session: Session;
  /** The paper being presented: what a status line shows of it. */
  paper?: Pick<Paper, 'id' | 'title' | 'ref' | 'metadataStatus'>;
  handsUp: number;
  /** The first members on stage, in id order (a status line shows no more). */
  onStage: string[];
  /** How many members are on stage. */
  speaking: number;
  asked: number;
  open: number;
  /** Talk time per member heard so far (ms), most first. */
  talk: Array<{ userId: string; totalMs: number }>;
}

/** Everything that happens in a session, in order; the recap is computed from this. */
export type TimelineEvent = { at: number } & (
  | { type: 'session.started'; by: string }
  | { type: 'session.ended'; by: string; recording?: string }
  | { type: 'paper.started'; paperId: string; by: string }
  | { type: 'paper.covered'; paperId: string }
  | { type: 'hand.raised'; userId: string; topic?: string; via: 'command' | 'stage' }
  | { type: 'hand.lowered'; userId: string }
  | { type: 'speaker.called'; userId: string; by: string }
  | { type: 'speaker.done'; userId: string }
  | { type: 'question.asked'; questionId: string; paperId?: string }
  | { type: 'question.answered'; questionId: string }
  | { type: 'question.dismissed'; questionId: string }
  | { type: 'highlight'; text: string; by: string; paperId?: string }
  | { type: 'takeaway'; text: string; by: string; paperId?: string }
  | { type: 'member.joined'; userId: string }
  | { type: 'member.left'; userId: string }
  /** Heard in the voice channel from `from` to `at` (the bot's speaking tracker). */
  | { type: 'voice.segment'; userId: string; from: number }
  /** The bot could not hear the channel from `from` to `at` (its voice connection was down). */
  | { type: 'voice.gap'; from: number }
  /** The bot could not note who speaks in this session; the recap uses speaker calls. */
  | { type: 'voice.unavailable'; reason: string }
);

export const MAX_QUESTION = 500;
export const MAX_ANSWER = 1_500;
export const MAX_HIGHLIGHT = 500;
export const MAX_TOPIC = 100;

/** `+1:02:05`: time since the session started, as the recap prints it. */
export function offsetLabel(startedAt: number, at: number): string {
  const total = Math.max(0, Math.floor((at - startedAt) / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
