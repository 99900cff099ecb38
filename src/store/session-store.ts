import type { Redis } from 'ioredis';
import type { MemberStanding } from '../domain/hosts.js';
import type { Paper } from '../domain/papers/paper.js';
import type { Recap } from '../domain/recap/recap.js';
import type { Question, QuestionStatus } from '../domain/session/question.js';
import type { Session, TimelineEvent } from '../domain/session/session.js';
import { claimKey, CLAIM_TTL_MS } from './claims.js';
import { newId } from './ids.js';
import { keys } from './keys.js';
import { runLua } from './lua.js';
import { fromHash } from './paper-store.js';
import { rateCountArgs, type RateCount } from './rate-limit-store.js';
import { sessionScripts } from './session-scripts.js';

/**
 * `boardDirty` / `cardsDirty`: no board edit / no card posting is waiting yet, so one must be queued.
 * `threadId`: the session thread the card goes to, once it is up.
 */
export type AskResult =
  | { outcome: 'asked'; question: Question; boardDirty: boolean; cardsDirty: boolean; threadId?: string }
  | { outcome: 'not-live' }
  | { outcome: 'limited'; retryAfterMs: number };

export interface SessionStatus {
  session: Session;
  /** The paper being presented: what a status line shows of it. */
  paper?: Pick<Paper, 'id' | 'title' | 'ref' | 'metadataStatus'>;
  handsUp: number;
  /** The first members on stage, in id order (at most 60: more than a status line shows). */
  onStage: string[];
  /** How many members are on stage. */
  speaking: number;
  asked: number;
  open: number;
  /** Talk time per member heard so far (ms), most first. */
  talk: Array<{ userId: string; totalMs: number }>;
}

export interface CallFirstResult {
  outcome: 'called' | 'absent' | 'just-called' | 'empty' | 'not-live' | 'not-host' | 'no-stage';
  /** Who was called, or who is first in line but not in the channel. */
  userId: string;
  boardDirty: boolean;
}

export type SpeakerOutcome = 'raised' | 'already' | 'on-stage' | 'not-live';

/** Questions whose card is due, with what the card shows; `claimed`: this job may post it (see claims.ts). */
export type CardsDue =
  | { threadId: string; cards: Array<{ question: Question; paper?: Paper; claimed: boolean }> }
  | { threadId: undefined; waiting: number };

export interface Speakers {
  /** Raised hands, first in line first, with the topic each gave. */
  queue: Array<{ userId: string; topic?: string }>;
  onStage: string[];
}

function flatToRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return record;
}

function toSession(hash: Record<string, string>): Session {
  return {
    id: hash.id!,
    status: hash.status as Session['status'],
    startedAt: Number(hash.startedAt),
    startedBy: hash.startedBy!,
    ...(hash.endedAt ? { endedAt: Number(hash.endedAt) } : {}),
    ...(hash.recording ? { recording: hash.recording } : {}),
    ...(hash.boardMessageId
      ? {
          board: {
            channelId: hash.boardChannelId!,
            messageId: hash.boardMessageId,
            ...(hash.threadId ? { threadId: hash.threadId } : {}),
          },
        }
      : {}),
  };
}

function toQuestion(hash: Record<string, string>): Question {
  return {
    id: hash.id!,
    sessionId: hash.sessionId!,
    text: hash.text!,
    anonymous: hash.anonymous === 'true',
    status: hash.status as QuestionStatus,
    askedAt: Number(hash.askedAt),
    votes: Number(hash.votes ?? 0),
    ...(hash.paperId ? { paperId: hash.paperId } : {}),
    ...(hash.askerId ? { askerId: hash.askerId } : {}),
    ...(hash.answer ? { answer: hash.answer } : {}),
    ...(hash.cardMessageId ? { card: { channelId: hash.cardChannelId!, messageId: hash.cardMessageId } } : {}),
  };
}

/**
 * Two hosts calling the next speaker this close together were pressing at
 * once (the live board shows a call within 2 s): the later press calls nobody.
 */
export const NEXT_CALL_WINDOW_MS = 2_000;

/**
 * Sessions, their timelines, the speaker queue and questions. Each change is
 * one Lua script that also checks the session is still live and appends the
 * timeline event, so a button from an ended session can never act on the next.
 */
export class SessionStore {
  constructor(private readonly redis: Redis) {}

  private run(guildId: string, script: keyof typeof sessionScripts, ...args: Array<string | number>): Promise<unknown> {
    return runLua(
      this.redis,
      sessionScripts[script],
      [keys.currentSession(guildId)],
      [keys.guildPrefix(guildId), ...args],
    );
  }

  async current(guildId: string): Promise<Session | undefined> {
    const flat = (await this.run(guildId, 'current')) as string[];
    return flat.length > 0 ? toSession(flatToRecord(flat)) : undefined;
  }

  async get(guildId: string, sessionId: string): Promise<Session | undefined> {
    const hash = await this.redis.hgetall(keys.session(guildId, sessionId));
    return hash.id ? toSession(hash) : undefined;
  }

  async start(guildId: string, by: string, at: number): Promise<{ outcome: 'started' | 'live'; sessionId: string }> {
    const [outcome, sessionId] = (await this.run(
      guildId,
      'start',
      newId(),
      at,
      by,
      JSON.stringify({ type: 'session.started', by, at }),
    )) as ['started' | 'live', string];
    return { outcome, sessionId };
  }

  async end(guildId: string, sessionId: string, by: string, at: number, recording?: string): Promise<boolean> {
    const event: TimelineEvent = { type: 'session.ended', by, at, ...(recording ? { recording } : {}) };
    return (await this.run(guildId, 'end', sessionId, at, recording ?? '', JSON.stringify(event))) === 'ended';
  }

  /** Appends an event to a live session's timeline; false if the session is no longer live. */
  async log(guildId: string, sessionId: string, event: TimelineEvent): Promise<boolean> {
    return (await this.run(guildId, 'log', sessionId, JSON.stringify(event))) === 'ok';
  }

  /** Appends an event to a session that has just ended (the last paper's cover). */
  async logEnded(guildId: string, sessionId: string, event: TimelineEvent): Promise<void> {
    await this.redis.rpush(keys.timeline(guildId, sessionId), JSON.stringify(event));
  }

  /**
   * Stores what the speaking tracker heard: each segment and gap on the
   * timeline, and talk time per member. Also after the session ended (the
   * last words before /session end), so nothing heard is lost.
   */
  async logVoice(
    guildId: string,
    sessionId: string,
    segments: Array<{ userId: string; from: number; to: number }>,
    gaps: Array<{ from: number; to: number }>,
  ): Promise<void> {
    if (segments.length === 0 && gaps.length === 0) return;
    const multi = this.redis.multi();
    const events: TimelineEvent[] = [
      ...segments.map((s) => ({ type: 'voice.segment' as const, userId: s.userId, from: s.from, at: s.to })),
      ...gaps.map((g) => ({ type: 'voice.gap' as const, from: g.from, at: g.to })),
    ];
    multi.rpush(keys.timeline(guildId, sessionId), ...events.map((e) => JSON.stringify(e)));
    for (const s of segments) multi.hincrby(keys.talk(guildId, sessionId), s.userId, s.to - s.from);
    await multi.exec();
  }

  /** Talk time per member heard so far (ms), most first. */
  async talkTimes(guildId: string, sessionId: string): Promise<Array<{ userId: string; totalMs: number }>> {
    const hash = await this.redis.hgetall(keys.talk(guildId, sessionId));
    return Object.entries(hash)
      .map(([userId, ms]) => ({ userId, totalMs: Number(ms) }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  async timeline(guildId: string, sessionId: string): Promise<TimelineEvent[]> {
    return (await this.redis.lrange(keys.timeline(guildId, sessionId), 0, -1)).map(
      (e) => JSON.parse(e) as TimelineEvent,
    );
  }

  async setBoard(
    guildId: string,
    sessionId: string,
    board: { channelId: string; messageId: string; threadId?: string },
  ): Promise<void> {
    await this.redis.hset(keys.session(guildId, sessionId), {
      boardChannelId: board.channelId,
      boardMessageId: board.messageId,
      ...(board.threadId ? { threadId: board.threadId } : {}),
    });
  }

  async raiseHand(
    guildId: string,
    sessionId: string,
    userId: string,
    topic: string | undefined,
    via: 'command' | 'stage',
    at: number,
  ): Promise<{ outcome: SpeakerOutcome; position: number }> {
    const event: TimelineEvent = { type: 'hand.raised', userId, via, at, ...(topic ? { topic } : {}) };
    const [outcome, position] = (await this.run(
      guildId,
      'raise',
      sessionId,
      userId,
      topic ?? '',
      JSON.stringify(event),
    )) as [SpeakerOutcome, number];
    return { outcome, position };
  }

  async lowerHand(
    guildId: string,
    sessionId: string,
    userId: string,
    at: number,
  ): Promise<'lowered' | 'not-raised' | 'not-live'> {
    return (await this.run(
      guildId,
      'lower',
      sessionId,
      userId,
      JSON.stringify({ type: 'hand.lowered', userId, at }),
    )) as 'lowered';
  }

  /** Takes a member off the queue onto the stage; with `mustBeFirst`, only if they are still first in line. */
  async callSpeaker(
    guildId: string,
    sessionId: string,
    userId: string,
    by: string,
    at: number,
    mustBeFirst: boolean,
  ): Promise<{ outcome: 'called' | 'not-first' | 'not-live'; boardDirty: boolean }> {
    const event: TimelineEvent = { type: 'speaker.called', userId, by, at };
    const [outcome, dirty] = (await this.run(
      guildId,
      'call',
      sessionId,
      userId,
      mustBeFirst ? '1' : '0',
      JSON.stringify(event),
    )) as ['called', number];
    return { outcome, boardDirty: dirty === 1 };
  }

  /**
   * /speakers next as one script: checks the host role and the live session
   * (`sessionId`, when given, must be the one live), then calls the first
   * raised hand if the voice presence mirror has them in the stage channel
   * (VoicePresenceStore). A call less than NEXT_CALL_WINDOW_MS after another
   * host's is taken as the same press ('just-called').
   */
  async callFirst(
    guildId: string,
    call: { standing: MemberStanding; by: string; at: number; sessionId?: string },
  ): Promise<CallFirstResult> {
    const { standing, by, at, sessionId = '' } = call;
    const [outcome, userId, dirty] = (await this.run(
      guildId,
      'callFirst',
      standing.hasManageGuild ? '1' : '0',
      standing.roleIds.join(','),
      keys.voicePresence(guildId),
      by,
      at,
      sessionId,
      NEXT_CALL_WINDOW_MS,
    )) as [CallFirstResult['outcome'], string, number];
    return { outcome, userId, boardDirty: dirty === 1 };
  }

  async speakerDone(
    guildId: string,
    sessionId: string,
    userId: string,
    at: number,
  ): Promise<'done' | 'not-on-stage' | 'not-live'> {
    return (await this.run(
      guildId,
      'done',
      sessionId,
      userId,
      JSON.stringify({ type: 'speaker.done', userId, at }),
    )) as 'done';
  }

  async clearHands(guildId: string, sessionId: string, at: number): Promise<number> {
    return (await this.run(guildId, 'clear', sessionId, at)) as number;
  }

  async speakers(guildId: string, sessionId: string): Promise<Speakers> {
    const [hands, topicsFlat, stage] = (await this.run(guildId, 'speakers', sessionId)) as [
      string[],
      string[],
      string[],
    ];
    const topics = flatToRecord(topicsFlat);
    return {
      queue: hands.map((userId) => ({ userId, ...(topics[userId] ? { topic: topics[userId] } : {}) })),
      onStage: stage.sort(),
    };
  }

  /**
   * Stores a question in the live session, on the paper current at that
   * moment, in one round trip. With `limit`, the member's use is counted in
   * the same step (only when a session is live), and nothing is stored over it.
   */
  async ask(
    guildId: string,
    question: Omit<Question, 'sessionId' | 'status' | 'votes' | 'paperId'>,
    limit?: RateCount,
  ): Promise<AskResult> {
    // Spelled out: this runs on every /ask, and a generic entries-and-flatMap costs several microseconds.
    const fields = [
      'id',
      question.id,
      'text',
      question.text,
      'anonymous',
      String(question.anonymous),
      'askedAt',
      String(question.askedAt),
      'status',
      'open',
    ];
    if (question.askerId !== undefined) fields.push('askerId', question.askerId);
    if (question.answer !== undefined) fields.push('answer', question.answer);
    const event: TimelineEvent = { type: 'question.asked', questionId: question.id, at: question.askedAt };
    const [outcome, paperId, board, sessionId, cards, last] = (await this.run(
      guildId,
      'ask',
      ...rateCountArgs(limit),
      question.id,
      JSON.stringify(event),
      ...fields,
    )) as [AskResult['outcome'], string, number, string, number, string | number];
    if (outcome === 'not-live') return { outcome };
    if (outcome === 'limited') return { outcome, retryAfterMs: Math.max(Number(last), 0) };
    const stored: Question = { ...question, sessionId, status: 'open', votes: 0, ...(paperId ? { paperId } : {}) };
    return {
      outcome,
      question: stored,
      boardDirty: board === 1,
      cardsDirty: cards === 1,
      ...(last ? { threadId: String(last) } : {}),
    };
  }

  /**
   * The first `max` questions without a card, oldest first, each with its
   * paper and its post claimed for `jobId`, in one round trip. Clears the
   * cards mark, so a question asked after this read queues another run.
   */
  async cardsDue(guildId: string, sessionId: string, jobId: string, max: number): Promise<CardsDue> {
    const reply = (await this.run(guildId, 'cards', sessionId, claimKey(guildId, ''), jobId, CLAIM_TTL_MS, max)) as
      [string, ...Array<[string[], string[], number]>] | ['', number];
    const [threadId, ...rest] = reply;
    if (!threadId) return { threadId: undefined, waiting: reply[1] as number };
    const cards = (rest as Array<[string[], string[], number]>).map(([question, paper, claimed]) => ({
      question: toQuestion(flatToRecord(question)),
      claimed: claimed === 1,
      ...(paper.length > 0 ? { paper: fromHash(flatToRecord(paper)) } : {}),
    }));
    return { threadId, cards };
  }

  /** The live session with what /session status shows, in one round trip; undefined when none is live. */
  async status(guildId: string): Promise<SessionStatus | undefined> {
    const reply = (await this.run(guildId, 'status')) as
      [] | [string[], string[], number, string[], number, number, string[], number];
    if (reply.length === 0) return undefined;
    const [session, paperFields, handsUp, onStage, asked, open, talk, speaking] = reply;
    const paper = paperFields.length > 0 ? fromHash(flatToRecord(paperFields)) : undefined;
    return {
      session: toSession(flatToRecord(session)),
      ...(paper
        ? { paper: { id: paper.id, title: paper.title, ref: paper.ref, metadataStatus: paper.metadataStatus } }
        : {}),
      handsUp,
      onStage,
      speaking,
      asked,
      open,
      talk: Object.entries(flatToRecord(talk))
        .map(([userId, ms]) => ({ userId, totalMs: Number(ms) }))
        .sort((a, b) => b.totalMs - a.totalMs),
    };
  }

  /** How many questions were asked in a session, and how many are still open. */
  async counts(guildId: string, sessionId: string): Promise<{ asked: number; open: number }> {
    const [asked, open] = (await this.run(guildId, 'counts', sessionId)) as [number, number];
    return { asked, open };
  }

  /** One vote per member: a second press takes it back. */
  /**
   * One vote per member: a second press takes it back. `cardDirty` and
   * `boardDirty` say whether the card and board need a job queued (none is waiting).
   */
  async vote(
    guildId: string,
    questionId: string,
    userId: string,
  ): Promise<{
    outcome: 'added' | 'removed' | 'ended' | 'missing';
    votes: number;
    sessionId: string;
    cardDirty: boolean;
    boardDirty: boolean;
  }> {
    const [outcome, votes, sessionId, card, board] = (await this.run(guildId, 'vote', questionId, userId)) as [
      'added',
      number,
      string,
      number,
      number,
    ];
    return { outcome, votes, sessionId, cardDirty: card === 1, boardDirty: board === 1 };
  }

  /** Called by a rendering job before it reads: changes after this queue a new job. */
  async clean(guildId: string, what: 'board' | 'cards' | `question:${string}`): Promise<void> {
    await this.run(guildId, 'clean', what);
  }

  /** Answers or dismisses an open question; otherwise says what it already is. */
  async resolveQuestion(
    guildId: string,
    questionId: string,
    status: 'answered' | 'dismissed',
    at: number,
    answer?: string,
  ): Promise<'ok' | QuestionStatus | 'missing' | 'ended'> {
    const event: TimelineEvent = {
      type: status === 'answered' ? 'question.answered' : 'question.dismissed',
      questionId,
      at,
    };
    return (await this.run(guildId, 'resolve', questionId, status, answer ?? '', JSON.stringify(event))) as 'ok';
  }

  async question(guildId: string, questionId: string): Promise<Question | undefined> {
    const flat = (await this.run(guildId, 'question', questionId)) as string[];
    return flat.length > 0 ? toQuestion(flatToRecord(flat)) : undefined;
  }

  async questions(guildId: string, sessionId: string): Promise<Question[]> {
    return ((await this.run(guildId, 'questions', sessionId)) as string[][]).map((flat) =>
      toQuestion(flatToRecord(flat)),
    );
  }

  async saveRecap(guildId: string, sessionId: string, recap: Recap): Promise<void> {
    await this.redis.set(keys.recap(guildId, sessionId), JSON.stringify(recap));
  }

  async recap(guildId: string, sessionId: string): Promise<Recap | undefined> {
    const raw = await this.redis.get(keys.recap(guildId, sessionId));
    return raw ? (JSON.parse(raw) as Recap) : undefined;
  }

  /** Which parts of a recap edition are already posted (part index → message id). */
  async recapPosts(guildId: string, sessionId: string, edition: string): Promise<Map<number, string>> {
    const hash = await this.redis.hgetall(keys.recapPosts(guildId, sessionId, edition));
    return new Map(Object.entries(hash).map(([part, id]) => [Number(part), id]));
  }

  async recordRecapPost(
    guildId: string,
    sessionId: string,
    edition: string,
    part: number,
    messageId: string,
  ): Promise<void> {
    await this.redis.hset(keys.recapPosts(guildId, sessionId, edition), String(part), messageId);
  }

  /** The most recent ended session, if any. */
  async lastEnded(guildId: string): Promise<Session | undefined> {
    const ids = await this.redis.zrevrange(keys.sessions(guildId), 0, 2);
    for (const id of ids) {
      const session = await this.get(guildId, id);
      if (session?.status === 'ended') return session;
    }
    return undefined;
  }

  /** Ended sessions, newest first. */
  async endedSessions(guildId: string): Promise<Session[]> {
    const ids = await this.redis.zrevrange(keys.sessions(guildId), 0, 200);
    const sessions = await Promise.all(ids.map((id) => this.get(guildId, id)));
    return sessions.filter((s): s is Session => s?.status === 'ended');
  }

  /** Keeps a question's card, and takes the question out of its session's uncarded set. */
  async setQuestionCard(
    guildId: string,
    question: { id: string; sessionId: string },
    card: { channelId: string; messageId: string },
  ): Promise<void> {
    await this.redis
      .multi()
      .hset(keys.question(guildId, question.id), { cardChannelId: card.channelId, cardMessageId: card.messageId })
      .zrem(keys.uncarded(guildId, question.sessionId), question.id)
      .exec();
  }
}
