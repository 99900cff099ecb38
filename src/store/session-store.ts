import { z } from 'zod';
import type { Recap } from '../domain/recap/recap.js';
import type { Session, SessionStatus, TimelineEvent } from '../domain/session/session.js';
import type { Gap, Segment } from '../domain/voice/speaking.js';
import { newId } from './ids.js';
import { keys } from './keys.js';
import { fromFields } from './paper-store.js';
import { execAll, retryWhileStale } from './pipeline.js';
import type { RedisClient } from './redis.js';
import { luaList, runScript } from './scripts.js';

/** `resumed`: it had ended but its follow-ups were never confirmed (endFollowedUp), so the caller reruns them. */
type EndResult =
  { outcome: 'ended' | 'resumed'; coveredPaperId?: string; toHistory: string[] } | { outcome: 'not-live' };

/** How many members on stage /session status reads by name. */
const STATUS_STAGE = 60;

function toSession(hash: Record<string, string>): Session {
  return {
    id: hash.id!,
    status: hash.status as Session['status'],
    startedAt: Number(hash.startedAt),
    ...(hash.startedBy && { startedBy: hash.startedBy }),
    ...(hash.endedAt && { endedAt: Number(hash.endedAt) }),
    ...(hash.recording && { recording: hash.recording }),
    ...(hash.stageTopic && { stageTopic: hash.stageTopic }),
    ...(hash.stageTopicEdits && { stageTopicEdits: hash.stageTopicEdits.split(',').map(Number) }),
    ...(hash.boardMessageId && {
      board: {
        channelId: hash.boardChannelId!,
        messageId: hash.boardMessageId,
        ...(hash.threadId && { threadId: hash.threadId }),
      },
    }),
  };
}

const StartReply = z.object({ outcome: z.enum(['started', 'live']), sessionId: z.string() });
const EndReply = z.object({
  outcome: z.enum(['ended', 'resumed', 'not-live', 'stale']),
  toHistory: luaList(z.string()).optional(),
});

export const sessionEndKeys = (guildId: string, sessionId: string, queued: string[]) => [
  keys.currentSession(guildId),
  keys.session(guildId, sessionId),
  keys.timeline(guildId, sessionId),
  keys.currentPaper(guildId),
  keys.paperQueue(guildId),
  keys.paperHistory(guildId),
  keys.paperDedup(guildId),
  keys.paperRead(guildId),
  ...queued.map((id) => keys.paper(guildId, id)),
];

/** Each script checks the session is live, so a button from an ended session never acts on the next. */
export class SessionStore {
  constructor(private readonly redis: RedisClient) {}

  /** The live session, without its board (`get` reads that). */
  async current(guildId: string) {
    return this.read(keys.currentSession(guildId));
  }

  async get(guildId: string, sessionId: string) {
    return this.read(keys.session(guildId, sessionId));
  }

  private async read(key: string) {
    const hash = await this.redis.hgetall(key);
    return hash.id ? toSession(hash) : undefined;
  }

  async start(guildId: string, by: string, at: number) {
    const id = newId();
    const event: TimelineEvent = { type: 'session.started', by, at };
    return runScript(
      this.redis,
      'session/start',
      [keys.currentSession(guildId), keys.session(guildId, id), keys.sessions(guildId), keys.timeline(guildId, id)],
      [id, at, by, JSON.stringify(event)],
      StartReply,
    );
  }

  /** The current paper is covered, covered papers go to history. */
  async end(
    guildId: string,
    { sessionId, by, at, recording }: { sessionId: string; by: string; at: number; recording?: string | undefined },
  ): Promise<EndResult> {
    const ended: TimelineEvent = { type: 'session.ended', by, at, ...(recording && { recording }) };
    return retryWhileStale('session end', async () => {
      const [currentId, queue] = (await execAll(
        this.redis.pipeline().get(keys.currentPaper(guildId)).lrange(keys.paperQueue(guildId), 0, -1),
      )) as [string | null, string[]];
      const reply = await runScript(
        this.redis,
        'session/end',
        sessionEndKeys(guildId, sessionId, queue),
        [
          sessionId,
          at,
          recording ?? '',
          JSON.stringify(ended),
          currentId ? JSON.stringify({ type: 'paper.covered', paperId: currentId, at } satisfies TimelineEvent) : '',
          currentId ?? '',
          ...queue,
        ],
        EndReply,
      );
      switch (reply.outcome) {
        case 'stale':
          return undefined;
        case 'not-live':
          return { outcome: 'not-live' as const };
        case 'resumed':
          return { outcome: 'resumed' as const, toHistory: [] };
        case 'ended':
          return {
            outcome: 'ended' as const,
            ...(currentId && { coveredPaperId: currentId }),
            toHistory: reply.toHistory ?? [],
          };
      }
    });
  }

  /** The ended session's posts and jobs are done: a rerun of `end` now says 'not-live'. */
  async endFollowedUp(guildId: string, sessionId: string) {
    await this.redis.hdel(keys.session(guildId, sessionId), 'followUps');
  }

  /** False if the session is no longer live. */
  async log(guildId: string, sessionId: string, event: TimelineEvent) {
    const reply = await runScript(
      this.redis,
      'session/log',
      [keys.currentSession(guildId), keys.timeline(guildId, sessionId)],
      [sessionId, JSON.stringify(event)],
      z.object({ outcome: z.enum(['ok', 'not-live']) }),
    );
    return reply.outcome === 'ok';
  }

  /** Timeline and talk time per member; written even after the session ended, so the last words are kept. */
  async logVoice(guildId: string, sessionId: string, segments: Segment[], gaps: Gap[]) {
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

  async timeline(guildId: string, sessionId: string) {
    return (await this.redis.lrange(keys.timeline(guildId, sessionId), 0, -1)).map(
      (e) => JSON.parse(e) as TimelineEvent,
    );
  }

  async setBoard(
    guildId: string,
    sessionId: string,
    board: { channelId: string; messageId: string; threadId?: string },
  ) {
    await this.redis.hset(keys.session(guildId, sessionId), {
      boardChannelId: board.channelId,
      boardMessageId: board.messageId,
      ...(board.threadId && { threadId: board.threadId }),
    });
  }

  async setStageTopic(guildId: string, sessionId: string, topic: string, edits: number[]) {
    await this.redis.hset(keys.session(guildId, sessionId), { stageTopic: topic, stageTopicEdits: edits.join(',') });
  }

  /** What /session status shows of `sessionId` (default: the live session); undefined when it is not live. */
  async status(guildId: string, sessionId?: string): Promise<SessionStatus | undefined> {
    const id = sessionId ?? (await this.current(guildId))?.id;
    if (!id) return undefined;
    const stage = keys.stage(guildId, id);
    const [session, handsUp, onStage, speaking, asked, open, talk, paperId] = (await execAll(
      this.redis
        .pipeline()
        .hgetall(keys.session(guildId, id))
        .llen(keys.hands(guildId, id))
        .zrange(stage, '0', String(STATUS_STAGE - 1))
        .zcard(stage)
        .zcard(keys.questions(guildId, id))
        .zcard(keys.ranked(guildId, id, 'open'))
        .hgetall(keys.talk(guildId, id))
        .get(keys.currentPaper(guildId)),
    )) as [Record<string, string>, number, string[], number, number, number, Record<string, string>, string | null];
    if (session.status !== 'live') return undefined;
    const shown = ['id', 'title', 'ref', 'metadataStatus'];
    const paper = fromFields(shown, paperId ? await this.redis.hmget(keys.paper(guildId, paperId), ...shown) : []);
    return {
      session: toSession(session),
      ...(paper.id && {
        paper: { id: paper.id, title: paper.title, ref: paper.ref, metadataStatus: paper.metadataStatus },
      }),
      handsUp,
      onStage,
      speaking,
      asked,
      open,
      talk: Object.entries(talk)
        .map(([userId, ms]) => ({ userId, totalMs: Number(ms) }))
        .sort((a, b) => b.totalMs - a.totalMs),
    };
  }

  /** Called by a rendering job before it reads: changes after this queue a new job. */
  async clean(guildId: string, what: 'board' | 'cards' | `question:${string}`) {
    await this.redis.del(keys.dirty(guildId, what));
  }

  async saveRecap(guildId: string, sessionId: string, recap: Recap) {
    await this.redis.set(keys.recap(guildId, sessionId), JSON.stringify(recap));
  }

  async recap(guildId: string, sessionId: string) {
    const raw = await this.redis.get(keys.recap(guildId, sessionId));
    return raw ? (JSON.parse(raw) as Recap) : undefined;
  }

  /** Part index → message id of the parts of a recap edition already posted. */
  async recapPosts(guildId: string, sessionId: string, edition: string) {
    const hash = await this.redis.hgetall(keys.recapPosts(guildId, sessionId, edition));
    return new Map(Object.entries(hash).map(([part, id]) => [Number(part), id]));
  }

  async recordRecapPost(guildId: string, sessionId: string, edition: string, part: number, messageId: string) {
    await this.redis.hset(keys.recapPosts(guildId, sessionId, edition), String(part), messageId);
  }

  async lastEnded(guildId: string) {
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
}
