import { composeRecap, type RecapPaper } from '../../domain/recap/recap.js';
import { paperLabel } from '../../domain/papers/paper.js';
import { discordStyle, markdownStyle, recapLines, sharedEscaper } from '../../recap/render.js';
import { splitIntoMessages } from '../../recap/split.js';
import type { JobHandlers } from '../contract.js';
import { postOnce } from './post-once.js';
import type { SessionBoardDeps } from './session-board.js';

/** Where a recap edition's parts go: the first in the recap channel with the file, the rest in a thread under it. */
export function sessionRecapHandler(deps: SessionBoardDeps): JobHandlers['session.recap'] {
  return async ({ guildId, sessionId, edition }, job) => {
    const session = await deps.sessions.get(guildId, sessionId);
    if (!session || session.status !== 'ended') return;
    const [timeline, questions, settings] = await Promise.all([
      deps.sessions.timeline(guildId, sessionId),
      deps.questions.questions(guildId, sessionId),
      deps.settings.get(guildId),
    ]);
    const papers = new Map<string, RecapPaper>();
    for (const event of timeline) {
      if (event.type !== 'paper.started' || papers.has(event.paperId)) continue;
      const paper = await deps.papers.get(guildId, event.paperId);
      if (paper)
        papers.set(paper.id, {
          id: paper.id,
          title: paperLabel(paper),
          url: paper.ref.url,
          ...(paper.presenterId ? { presenterId: paper.presenterId } : {}),
        });
    }
    const recap = composeRecap(session, timeline, questions, papers);
    await deps.sessions.saveRecap(guildId, sessionId, recap);
    const channelId = settings.recapChannelId;
    if (!channelId) return;

    const timeZone = settings.timeZone ?? 'UTC';
    const day = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full' }).format(session.startedAt);
    const people = [
      ...recap.covered.flatMap((p) => (p.presenterId ? [p.presenterId] : [])),
      ...recap.answered.flatMap((q) => (q.askerId ? [q.askerId] : [])),
      ...recap.unanswered.flatMap((q) => (q.askerId ? [q.askerId] : [])),
      ...recap.speakers.map((s) => s.userId),
    ];
    const names = await deps.messages.displayNames(guildId, people);
    const escape = sharedEscaper();
    const file = recapLines(
      recap,
      markdownStyle(names, timeZone, escape),
      `Recap: session of ${day} (times in ${timeZone})`,
    ).join('\n');
    const parts = splitIntoMessages(recapLines(recap, discordStyle(escape), `Recap: session of ${day}`));

    const posted = await deps.sessions.recapPosts(guildId, sessionId, edition);
    let first = posted.get(0);
    if (!first) {
      const files = [
        { name: `recap-${new Date(session.startedAt).toISOString().slice(0, 10)}.md`, data: Buffer.from(file) },
      ];
      first = (
        await postOnce(
          deps,
          guildId,
          `recap:${sessionId}:${edition}:0`,
          job.id,
          channelId,
          { content: parts[0]! },
          files,
        )
      ).id;
      await deps.sessions.recordRecapPost(guildId, sessionId, edition, 0, first);
    }
    if (parts.length === 1) return;
    const threadId = await deps.channels.threadFromMessage(
      channelId,
      first,
      `Recap ${new Date(session.startedAt).toISOString().slice(0, 10)} (${parts.length} parts)`,
    );
    for (let i = 1; i < parts.length; i++) {
      if (posted.has(i)) continue;
      const message = await postOnce(deps, guildId, `recap:${sessionId}:${edition}:${i}`, job.id, threadId, {
        content: parts[i]!,
      });
      await deps.sessions.recordRecapPost(guildId, sessionId, edition, i, message.id);
    }
  };
}
