import { paperLabel } from '../../domain/papers/paper.js';
import type { TimelineEvent } from '../../domain/session/session.js';
import { parseFinal, parsePart, retryMessages, writtenSummary } from '../../domain/transcript/summary-answers.js';
import {
  finalMessages,
  summaryParts,
  type ChatMessage,
  type Parsed,
  type PartNotes,
  type SummaryInput,
} from '../../domain/transcript/summary-prompts.js';
import { isLine, SUMMARY_WITHDRAWN, type WrittenSummary } from '../../domain/transcript/transcript.js';
import { withGuildLock } from '../../store/guild-lock.js';
import type { RedisClient } from '../../store/redis.js';
import type { DiscordMessages } from '../../discord/messages.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import type { Logger } from '../../logger.js';
import type { PaperStore } from '../../store/paper-store.js';
import type { SessionStore } from '../../store/session-store.js';
import type { TranscriptStore } from '../../store/transcript-store.js';
import { providerFailure, type ChatModel } from '../../transcript/providers.js';
import type { JobHandlers } from '../contract.js';

export interface SummaryDeps {
  redis: RedisClient;
  transcripts: TranscriptStore;
  sessions: SessionStore;
  papers: PaperStore;
  messages: Pick<DiscordMessages, 'displayNames'>;
  jobs: JobQueue;
  /** Absent without LECTERN_LLM_URL: no written summary is asked for. */
  chat: ChatModel | undefined;
  /** LECTERN_LLM_CONTEXT_CHARS: how much transcript one request may carry. */
  summaryContextChars: number;
  logger: Logger;
}

/**
 * The written summary of an ended session, asked of the language model once and stored; then the recap edition
 * that asked for it goes on. An invalid answer is retried once with what was wrong; a second invalid answer, or a
 * model that stays unreachable, leaves the recap without a summary, and the recap says why.
 */
export function transcriptSummaryHandler(deps: SummaryDeps): JobHandlers['transcript.summary'] {
  return async ({ guildId, sessionId, edition }, job) => {
    try {
      await summariseOnce(deps, guildId, sessionId, job.finalAttempt);
    } catch (err) {
      // Whatever failed, the recap is not left waiting for a summary that will never come.
      if (!job.finalAttempt) throw err;
      deps.logger.warn({ err, guildId, sessionId }, 'no written summary: the recap goes out without one');
      await deps.transcripts.saveSummary(guildId, sessionId, { missing: 'it could not be written' }).catch(() => {});
    }
    await deps.jobs.enqueue('session.recap', { guildId, sessionId, edition });
  };
}

async function summariseOnce(deps: SummaryDeps, guildId: string, sessionId: string, finalAttempt: boolean) {
  const state = await deps.transcripts.state(guildId, sessionId);
  if (state.summary || state.summaryMissing) return;
  let outcome: { summary: WrittenSummary } | { missing: string };
  let used: string[] = [];
  if (!deps.chat) outcome = { missing: 'no language model is set up (LECTERN_LLM_URL)' };
  else
    try {
      ({ outcome, used } = await summarise(deps, deps.chat, guildId, sessionId));
    } catch (err) {
      const failure = providerFailure(err);
      if (failure.retry && !finalAttempt) throw err;
      outcome = { missing: `the language model could not be asked (${failure.reason})` };
    }
  // Under the data lock, and only if every line it was made from is still there: a member who left the
  // transcript (or had Lectern forget them) while the model was writing is not brought back by it.
  const saved = await withGuildLock(deps.redis, guildId, async () => {
    const now = new Set((await deps.transcripts.entries(guildId, sessionId)).map((e) => e.id));
    const kept = used.every((id) => now.has(id)) ? outcome : { missing: SUMMARY_WITHDRAWN.left };
    if ('missing' in kept) deps.logger.warn({ guildId, sessionId, why: kept.missing }, 'no written summary');
    await deps.transcripts.saveSummary(guildId, sessionId, kept);
  });
  if (saved === 'busy') throw new Error("a member's data is being deleted here: the summary waits (retried)");
}

async function summarise(deps: SummaryDeps, chat: ChatModel, guildId: string, sessionId: string) {
  const input = await summaryInput(deps, guildId, sessionId);
  const used = input.lines.map((line) => line.id);
  const max = deps.summaryContextChars;
  const parts = summaryParts(input, max);
  const notes: PartNotes[] = [];
  for (const part of parts) {
    const parsed = await ask(chat, part.messages, (raw) => parsePart(raw, input, part.paperId));
    if (!parsed.ok) return { used, outcome: invalid(parsed.error) };
    notes.push(parsed.value);
  }
  const final = await ask(chat, finalMessages(input, max, parts.length > 0 ? notes : undefined), (raw) =>
    parseFinal(raw, input),
  );
  if (!final.ok) return { used, outcome: invalid(final.error) };
  return { used, outcome: { summary: writtenSummary(chat.model, input, final.value, notes) } };
}

const invalid = (error: string) => ({ missing: `the language model's answer was invalid twice (${error})` });

/** One request, and one more with the reason when the answer does not parse. */
async function ask<T>(chat: ChatModel, messages: ChatMessage[], parse: (raw: string) => Parsed<T>) {
  const raw = await chat.complete(messages);
  const parsed = parse(raw);
  if (parsed.ok) return parsed;
  return parse(await chat.complete(retryMessages(messages, raw, parsed.error)));
}

/** Only opted-in members' lines (gaps are not sent), the papers in the order covered, and the speakers' names. */
async function summaryInput(deps: SummaryDeps, guildId: string, sessionId: string): Promise<SummaryInput> {
  const [session, timeline, entries] = await Promise.all([
    deps.sessions.get(guildId, sessionId),
    deps.sessions.timeline(guildId, sessionId),
    deps.transcripts.entries(guildId, sessionId),
  ]);
  const lines = entries.filter(isLine);
  const papers = [];
  for (const paperId of coveredInOrder(timeline)) {
    const paper = await deps.papers.get(guildId, paperId);
    if (paper) papers.push({ id: paper.id, title: paperLabel(paper) });
  }
  const names = await deps.messages.displayNames(guildId, new Set(lines.map((line) => line.userId)));
  return { startedAt: session?.startedAt ?? lines[0]?.from ?? 0, papers, lines, names };
}

function coveredInOrder(timeline: TimelineEvent[]) {
  const ids = new Set<string>();
  for (const event of timeline) if (event.type === 'paper.started') ids.add(event.paperId);
  return [...ids];
}
