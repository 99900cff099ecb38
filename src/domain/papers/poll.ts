import { cleanText } from './metadata.js';
import { paperLabel, type QueueEntry } from './paper.js';

/** Discord's limits: up to 10 answers of up to 55 characters, a duration of 1 to 768 hours. */
export const POLL_ANSWERS = 10;
const ANSWER_MAX = 55;
const DURATION_MAX_HOURS = 768;
/** What `/paper poll hours:` accepts. */
export const POLL_HOURS = { min: 1, max: 168, default: 24 } as const;
export const POLL_QUESTION = 'Which papers should we read next? Pick any you want to hear.';

/** The poll a server has open (one at a time): answer `i + 1` is `paperIds[i]`. */
export interface PollRecord {
  /** `c<ms>` for a host's /paper poll, `s<session start>` for the scheduled one. */
  id: string;
  channelId: string;
  messageId?: string;
  hours: number;
  closesAt: number;
  paperIds: string[];
  /** Each answer's text, as posted. */
  answers: string[];
  /** Labels of queued papers that did not fit on the poll. */
  leftOff: string[];
}

type Candidate = Pick<QueueEntry, 'id' | 'status' | 'votes' | 'title' | 'ref' | 'metadataStatus'>;

/** Queued papers (given in queue order) by votes, ties in queue order: the first 10 go on the poll. */
export function pollCandidates<T extends Candidate>(queue: T[]) {
  const ranked = queue
    .map((paper, position) => ({ paper, position }))
    .filter(({ paper }) => paper.status === 'queued')
    .sort((a, b) => (b.paper.votes ?? 0) - (a.paper.votes ?? 0) || a.position - b.position)
    .map(({ paper }) => paper);
  return { on: ranked.slice(0, POLL_ANSWERS), leftOff: ranked.slice(POLL_ANSWERS) };
}

/**
 * A short title plus the arXiv id, in at most 55 characters. Poll text is shown as typed: markdown characters go,
 * and `@` becomes a full-width one, so a title can neither format nor look like a mention.
 */
export function pollAnswerText(paper: Candidate) {
  const id = paper.ref.kind === 'arxiv' ? paper.ref.id : '';
  const plain = (text: string) =>
    text
      .replace(/[*_~`|>#[\]()\\<]/g, ' ')
      .replace(/@/g, '＠')
      .replace(/\s+/g, ' ')
      .trim();
  const title = paper.metadataStatus === 'ready' ? plain(paper.title) : '';
  if (!title) return cleanText(plain(paperLabel(paper)), ANSWER_MAX) || 'Untitled paper';
  return id ? `${cleanText(title, ANSWER_MAX - id.length - 3)} · ${id}` : cleanText(title, ANSWER_MAX);
}

/** Whole hours from now to `closesAt`, within Discord's range; the close job ends it on time either way. */
export function pollHours(now: number, closesAt: number) {
  return Math.min(DURATION_MAX_HOURS, Math.max(1, Math.ceil((closesAt - now) / 3_600_000)));
}

/** The polled papers by their final count (ties: their order on the poll), with each count. */
export function rankByPoll(paperIds: string[], counts: ReadonlyMap<number, number>) {
  return paperIds
    .map((paperId, i) => ({ paperId, votes: counts.get(i + 1) ?? 0, answer: i }))
    .sort((a, b) => b.votes - a.votes || a.answer - b.answer)
    .map(({ paperId, votes }) => ({ paperId, votes }));
}
