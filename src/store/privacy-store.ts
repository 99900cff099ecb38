import { isDeepStrictEqual } from 'node:util';
import {
  forgetInEvent,
  forgetInRecap,
  nothingForgotten,
  SUMMARY_FORGOTTEN,
  withoutMember,
  type Forgotten,
} from '../domain/privacy/forget.js';
import type { Recap } from '../domain/recap/recap.js';
import type { TimelineEvent } from '../domain/session/session.js';
import type { ArchiveStore } from './archive-store.js';
import { exportGuildData } from './guild-export.js';
import { newId } from './ids.js';
import { withGuildLock } from './guild-lock.js';
import { keys, sessionKeys } from './keys.js';
import { optimistic, watchingConnection } from './optimistic.js';
import type { EarlyQuestion, PaperStore } from './paper-store.js';
import { execAll } from './pipeline.js';
import type { QuestionStore } from './question-store.js';
import type { RedisClient } from './redis.js';
import type { TranscriptStore } from './transcript-store.js';

/** What changed where Discord shows it: the live session's board and question cards, paper cards, the agenda. */
export interface ForgetResult {
  forgotten: Forgotten;
  live?: { sessionId: string; changed: boolean; cards: Array<{ questionId: string; messageId?: string }> };
  /** Papers not yet covered whose card named them or counted their vote. */
  papers: string[];
  presenterFreed: boolean;
}

interface Run {
  guildId: string;
  userId: string;
  own: RedisClient;
  forgotten: Forgotten;
}

/**
 * A member's data in one server: read whole for /privacy export, and removed for /privacy delete, one deletion per
 * guild at a time. Each step is safe beside a live session: votes go through the vote scripts, fields that never
 * change once written are deleted outright, timelines are rewritten by index (see inTimeline), and other lists and
 * JSON in optimistic transactions.
 */
export class PrivacyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly questions: QuestionStore,
    private readonly papers: PaperStore,
    private readonly archive: ArchiveStore,
    private readonly transcripts: TranscriptStore,
  ) {}

  guildData(guildId: string) {
    return exportGuildData(this.redis, guildId);
  }

  /** `busy`: another deletion (or a recap being written) held the guild's lock for longer than `waitMs`. */
  async forget(guildId: string, userId: string, waitMs = 5_000): Promise<ForgetResult | 'busy'> {
    return withGuildLock(this.redis, guildId, () => this.forgetLocked(guildId, userId), waitMs);
  }

  private async forgetLocked(guildId: string, userId: string): Promise<ForgetResult> {
    const [sessionIds, liveId, queued, history, starts] = (await execAll(
      this.redis
        .pipeline()
        .zrange(keys.sessions(guildId), '0', '-1')
        .hget(keys.currentSession(guildId), 'id')
        .lrange(keys.paperQueue(guildId), 0, -1)
        .zrange(keys.paperHistory(guildId), '0', '-1')
        .zrange(keys.occurrences(guildId), '0', '-1'),
    )) as [string[], string | null, string[], string[], string[]];
    const own = await watchingConnection(this.redis);
    const run: Run = { guildId, userId, own, forgotten: nothingForgotten() };
    try {
      const result: ForgetResult = { forgotten: run.forgotten, papers: [], presenterFreed: false };
      const recount = new Set<string>();
      for (const sessionId of sessionIds) {
        const cards = await this.inQuestions(run, sessionId);
        if (cards.length > 0) recount.add(sessionId);
        const changed = (await this.inSession(run, sessionId, sessionId === liveId)) || cards.length > 0;
        if (sessionId === liveId) result.live = { sessionId, changed, cards };
      }
      Object.assign(result, await this.inPapers(run, [...new Set([...queued, ...history])]));
      for (const sessionId of sessionIds) await this.inRecap(run, sessionId, recount.has(sessionId));
      if (starts.length > 0) {
        const pipeline = this.redis.pipeline();
        for (const start of starts) pipeline.hdel(keys.occurrence(guildId, Number(start)), `dm:${userId}`);
        run.forgotten.scheduleMarks = ((await execAll(pipeline)) as number[]).reduce((a, b) => a + b, 0);
      }
      await this.inTranscripts(run, sessionIds);
      run.forgotten.archiveName = (await this.redis.hexists(keys.archiveNames(guildId), userId)) === 1;
      await this.archive.forgetName(guildId, userId);
      return result;
    } finally {
      own.disconnect();
    }
  }

  /** Their consent and their lines go; a written summary made from their words goes with them. */
  private async inTranscripts({ guildId, userId, forgotten }: Run, sessionIds: string[]) {
    const { was, removed } = await this.transcripts.leave(guildId, userId, sessionIds, SUMMARY_FORGOTTEN);
    forgotten.transcriptConsent = was;
    forgotten.transcriptLines = removed;
  }

  /** Their name off the questions they asked and their votes taken back; the questions whose cards show it. */
  private async inQuestions({ guildId, userId, forgotten }: Run, sessionId: string) {
    const ids = await this.redis.zrange(keys.questions(guildId, sessionId), '0', '-1');
    if (ids.length === 0) return [];
    const reads = this.redis.pipeline();
    for (const id of ids)
      reads.hmget(keys.question(guildId, id), 'askerId', 'cardMessageId').sismember(keys.voters(guildId, id), userId);
    const found = await execAll(reads);
    const cards: Array<{ questionId: string; messageId?: string }> = [];
    for (const [i, questionId] of ids.entries()) {
      const [askerId, messageId] = found[2 * i] as [string | null, string | null];
      const asked = askerId === userId && (await this.redis.hdel(keys.question(guildId, questionId), 'askerId')) > 0;
      const voted =
        found[2 * i + 1] === 1 &&
        (await this.questions.forgetVote(guildId, questionId, userId, sessionId)).outcome === 'removed';
      forgotten.questionsAsked += Number(asked);
      forgotten.questionVotes += Number(voted);
      if (asked || voted) cards.push({ questionId, ...(messageId && { messageId }) });
    }
    return cards;
  }

  /** Their hand, stage place and talk time go; so do their own timeline events. True if anything changed. */
  private async inSession(run: Run, sessionId: string, live: boolean) {
    const { guildId, userId, forgotten } = run;
    const k = sessionKeys(guildId, sessionId);
    const talkKey = keys.talk(guildId, sessionId);
    const [hands, topics, stage, talk] = (await execAll(
      this.redis.pipeline().lrem(k.hands, 0, userId).hdel(k.topics, userId).zrem(k.stage, userId).hdel(talkKey, userId),
    )) as number[];
    forgotten.hands += hands!;
    forgotten.stage += stage!;
    forgotten.talk += talk!;
    const events = await this.inTimeline(k.timeline, userId);
    forgotten.events += events;
    const fields = await this.inSessionFields(run, sessionId, live);
    return hands! + topics! + stage! + talk! + events + fields > 0;
  }

  /**
   * Events are only ever appended, and removed only here, one deletion per guild at a time (the lock): the indexes
   * read stay right however busy the session is, where a WATCH would fail at every event a live session logs.
   */
  private async inTimeline(key: string, userId: string) {
    const changes = (await this.redis.lrange(key, 0, -1)).flatMap((json, i) => {
      const after = forgetInEvent(JSON.parse(json) as TimelineEvent, userId);
      return after === undefined ? [] : [{ i, json: after && JSON.stringify(after) }];
    });
    if (changes.length === 0) return 0;
    const tombstone = `forgotten:${newId()}`;
    const multi = this.redis.multi();
    for (const { i, json } of changes) multi.lset(key, i, json ?? tombstone);
    if (changes.some((c) => c.json === null)) multi.lrem(key, 0, tombstone);
    await execAll(multi);
    return changes.length;
  }

  /** Who started the session, and the last /speakers next (who called whom): the fields go if they name them. */
  private async inSessionFields({ guildId, userId, own }: Run, sessionId: string, live: boolean) {
    const k = sessionKeys(guildId, sessionId);
    return optimistic(own, 'forget in a session', live ? [k.session, k.live] : [k.session], async () => {
      const [startedBy, nextCalled, nextCalledBy] = await own.hmget(
        k.session,
        'startedBy',
        'nextCalled',
        'nextCalledBy',
      );
      const fields = startedBy === userId ? ['startedBy'] : [];
      if (nextCalled === userId || nextCalledBy === userId) fields.push('nextCalledAt', 'nextCalledBy', 'nextCalled');
      const liveField = live && (await own.hget(k.live, 'startedBy')) === userId;
      if (fields.length === 0 && !liveField) return { result: 0 };
      return {
        result: fields.length + Number(liveField),
        write: (multi) => {
          if (fields.length > 0) multi.hdel(k.session, ...fields);
          if (liveField) multi.hdel(k.live, 'startedBy');
        },
      };
    });
  }

  private async inPapers({ guildId, userId, own, forgotten }: Run, paperIds: string[]) {
    const changed = new Set<string>();
    let presenterFreed = false;
    if (paperIds.length === 0) return { papers: [], presenterFreed };
    const reads = this.redis.pipeline();
    for (const id of paperIds)
      reads
        .hmget(keys.paper(guildId, id), 'status', 'presenterId', 'suggestedById')
        .sismember(keys.paperVoters(guildId, id), userId)
        .lrange(keys.paperEarly(guildId, id), 0, -1);
    const found = await execAll(reads);
    const statusOf = new Map<string, string | null>();
    for (const [i, paperId] of paperIds.entries()) {
      const [status = null, presenterId, suggestedById] = found[3 * i] as Array<string | null>;
      statusOf.set(paperId, status);
      const paper = keys.paper(guildId, paperId);
      if (found[3 * i + 1] === 1 && (await this.papers.forgetVote(guildId, paperId, userId)).outcome === 'removed') {
        forgotten.paperVotes++;
        changed.add(paperId);
      }
      if (presenterId === userId && (await this.freePresenter(guildId, paperId, userId, status))) {
        forgotten.presented++;
        changed.add(paperId);
        presenterFreed ||= status === 'queued';
      }
      if (suggestedById === userId && (await this.redis.hdel(paper, 'suggestedById')) > 0) {
        forgotten.suggested++;
        changed.add(paperId);
      }
      const early = found[3 * i + 2] as string[];
      if (early.some((json) => (JSON.parse(json) as EarlyQuestion).askerId === userId))
        forgotten.questionsAsked += await this.inEarly(own, keys.paperEarly(guildId, paperId), userId);
    }
    return { papers: [...changed].filter((id) => statusOf.get(id) !== 'covered'), presenterFreed };
  }

  /** As "I can't present": a queued paper's presenter may change meanwhile; its script frees it only if theirs. */
  private async freePresenter(guildId: string, paperId: string, userId: string, status: string | null) {
    if (status === 'queued' && (await this.papers.confirm(guildId, paperId, userId, 'no', 0)).outcome === 'freed')
      return true;
    // Once presented, nothing changes a paper's presenter.
    const paper = keys.paper(guildId, paperId);
    if ((await this.redis.hget(paper, 'presenterId')) !== userId) return false;
    return (await this.redis.hdel(paper, 'presenterId', 'presenterName', 'confirmedFor')) > 0;
  }

  /** Questions kept for a paper's thread until its session: their asker goes. */
  private inEarly(own: RedisClient, key: string, userId: string) {
    return optimistic(own, 'forget in early questions', [key], async () => {
      const changes = (await own.lrange(key, 0, -1)).flatMap((json, i) => {
        const question = JSON.parse(json) as EarlyQuestion;
        return question.askerId === userId
          ? [{ i, json: JSON.stringify(withoutMember(question, 'askerId', userId)) }]
          : [];
      });
      if (changes.length === 0) return { result: 0 };
      return { result: changes.length, write: (multi) => changes.forEach(({ i, json }) => multi.lset(key, i, json)) };
    });
  }

  /** The stored recap without them (recounted where they asked or voted), and the archive's summary after it. */
  private async inRecap({ guildId, userId, own, forgotten }: Run, sessionId: string, recount: boolean) {
    const key = keys.recap(guildId, sessionId);
    const rewritten = await optimistic(own, 'forget in a recap', [key], async () => {
      const raw = await own.get(key);
      if (!raw) return { result: undefined };
      const recap = JSON.parse(raw) as Recap;
      const questions = recount ? await this.questions.questions(guildId, sessionId) : undefined;
      const next = forgetInRecap(recap, userId, questions);
      if (isDeepStrictEqual(next, recap)) return { result: undefined };
      return { result: next, write: (multi) => multi.set(key, JSON.stringify(next)) };
    });
    if (!rewritten) return;
    forgotten.recaps++;
    await this.archive.record(guildId, rewritten);
  }
}
