import { composeRecap, type Recap, type RecapPaper } from '../../domain/recap/recap.js';
import type { TimelineEvent } from '../../domain/session/session.js';
import { withGuildLock } from '../../store/guild-lock.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { discordStyle, markdownStyle, recapDigest, recapLines, sharedEscaper } from '../../recap/render.js';
import type { JobHandlers } from '../contract.js';
import { postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';
import type { Logger } from '../../logger.js';
import type { ArchiveService } from '../../archive/archive-service.js';
import { recapTranscript, transcriptNotReady, withCurrentConsent } from './recap-transcript.js';
import type { JobQueue } from '../job-queue.js';
import type { ChatModel } from '../../transcript/providers.js';

export type RecapDeps = SessionBoardDeps & {
  logger: Logger;
  /** The session's page on the web archive, while the archive is on. */
  archiveLinks: Pick<ArchiveService, 'sessionLink'>;
  jobs: JobQueue;
  /** Set up for written summaries (LECTERN_LLM_URL). */
  chat: ChatModel | undefined;
};

export function sessionRecapHandler(deps: RecapDeps): JobHandlers['session.recap'] {
  return async ({ guildId, sessionId, edition }, job) => {
    const session = await deps.sessions.get(guildId, sessionId);
    if (!session || session.status !== 'ended') return;
    if (await transcriptNotReady(deps, guildId, sessionId, edition, session.endedAt ?? 0)) return;
    const settings = await deps.settings.get(guildId);
    // Under the guild's data lock: a member's data deleted meanwhile (/privacy delete) is never written back.
    const composed = await withGuildLock(deps.redis, guildId, async () => {
      const [timeline, questions, transcript] = await Promise.all([
        deps.sessions.timeline(guildId, sessionId),
        deps.questions.questions(guildId, sessionId),
        recapTranscript(deps, guildId, sessionId),
      ]);
      const { papers, threads } = await recapPapers(deps, guildId, timeline);
      const composedRecap = composeRecap(session, timeline, questions, papers);
      if (transcript) composedRecap.transcript = transcript;
      await deps.sessions.saveRecap(guildId, sessionId, composedRecap);
      await deps.archive.record(guildId, composedRecap);
      return { threads, ids: recapMembers(composedRecap) };
    });
    if (composed === 'busy') throw new Error("a member's data is being deleted here: the recap waits (retried)");
    const { threads } = composed;
    // The names as they are now, for the file and the web archive (which has no Discord connection of its own).
    const fetched = await deps.messages.displayNames(guildId, composed.ids);
    // Read again under the lock: a member forgotten while the names were fetched is neither named nor posted.
    const locked = await withGuildLock(deps.redis, guildId, async () => {
      const saved = await deps.sessions.recap(guildId, sessionId);
      if (!saved) return undefined;
      const stored = await withCurrentConsent(deps, guildId, saved);
      if (stored !== saved) await deps.sessions.saveRecap(guildId, sessionId, stored);
      const members = new Set(recapMembers(stored));
      const names = new Map([...fetched].filter(([id]) => members.has(id)));
      await deps.archive.record(guildId, stored, names);
      return { recap: stored, names };
    });
    if (locked === 'busy') throw new Error("a member's data is being deleted here: the recap waits (retried)");
    if (!locked) return;
    const { recap, names } = locked;
    // In a forum of paper posts, a covered paper's post is re-tagged.
    const { coveredTagId } = settings;
    // Best effort: a post deleted, locked or otherwise refused must not hold the recap back.
    if (settings.papersForumId && coveredTagId)
      for (const { id } of recap.covered) {
        const threadId = threads.get(id);
        if (threadId)
          await deps.channels
            .setTags(threadId, [coveredTagId])
            .catch((err: unknown) => deps.logger.warn({ err, guildId, threadId }, 'forum post not re-tagged'));
      }
    const channelId = settings.recapChannelId;
    if (!channelId) return;

    const timeZone = settings.timeZone ?? 'UTC';
    const day = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full' }).format(session.startedAt);
    const escape = sharedEscaper();
    const page = deps.archiveLinks.sessionLink(settings, sessionId);
    const file = recapLines(
      recap,
      markdownStyle(names, timeZone, escape),
      `Recap: session of ${day} (times in ${timeZone})`,
      page,
    ).join('\n');
    const date = new Date(session.startedAt).toISOString().slice(0, 10);
    const fileName = `recap-${date}.md`;
    const parts = recapDigest(recap, discordStyle(escape), `Recap: session of ${day}`, fileName, page && `<${page}>`);

    const posted = await deps.sessions.recapPosts(guildId, sessionId, edition);
    let first = posted.get(0);
    if (!first) {
      const files = [{ name: fileName, data: Buffer.from(file) }];
      const what = `recap:${sessionId}:${edition}:0`;
      first = (await postOnce(deps, guildId, what, job.id, channelId, { content: parts[0]! }, files)).id;
      await deps.sessions.recordRecapPost(guildId, sessionId, edition, 0, first);
    }
    if (parts.length === 1) return;
    const threadId = await deps.channels.threadFromMessage(channelId, first, `Recap ${date} (${parts.length} parts)`);
    for (let i = 1; i < parts.length; i++) {
      if (posted.has(i)) continue;
      const message = await postOnce(deps, guildId, `recap:${sessionId}:${edition}:${i}`, job.id, threadId, {
        content: parts[i]!,
      });
      await deps.sessions.recordRecapPost(guildId, sessionId, edition, i, message.id);
    }
  };
}

/** The covered papers as the recap shows them, and their threads. */
async function recapPapers(deps: RecapDeps, guildId: string, timeline: TimelineEvent[]) {
  const papers = new Map<string, RecapPaper>();
  const threads = new Map<string, string>();
  for (const event of timeline) {
    if (event.type !== 'paper.started' || papers.has(event.paperId)) continue;
    const paper = await deps.papers.get(guildId, event.paperId);
    if (paper?.threadId) threads.set(paper.id, paper.threadId);
    if (paper)
      papers.set(paper.id, {
        id: paper.id,
        title: paperLabel(paper),
        url: paper.ref.url,
        ref: { kind: paper.ref.kind, id: paper.ref.id },
        ...(paper.metadataStatus === 'ready' && paper.authors.length > 0 && { authors: paper.authors }),
        ...(paper.presenterId && { presenterId: paper.presenterId }),
        ...(paper.threadId && { threadUrl: `https://discord.com/channels/${guildId}/${paper.threadId}` }),
      });
  }
  return { papers, threads };
}

/** Every member a recap names: presenters, askers, speakers, and those the transcript and its summary name. */
function recapMembers(recap: Recap): string[] {
  const written = recap.transcript?.summary;
  return [
    ...new Set([
      ...recap.covered.flatMap((p) => (p.presenterId ? [p.presenterId] : [])),
      ...[...recap.answered, ...recap.unanswered].flatMap((q) => (q.askerId ? [q.askerId] : [])),
      ...recap.speakers.map((s) => s.userId),
      ...(recap.transcript?.entries.map((e) => e.userId) ?? []),
      ...(written?.heard.flatMap((h) => [h.askedBy, h.answeredBy].filter((id) => id !== undefined)) ?? []),
    ]),
  ];
}
