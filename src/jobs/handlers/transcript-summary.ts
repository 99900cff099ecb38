import { paperLabel } from '../../domain/papers/paper.js';
import type { TimelineEvent } from '../../domain/session/session.js';
import {
  finalMessages,
  parseFinal,
  parsePart,
  retryMessages,
  summaryParts,
  writtenSummary,
  type ChatMessage,
  type Parsed,
  type PartNotes,
  type SummaryInput,
} from '../../domain/transcript/summary.js';
import { isLine } from '../../domain/transcript/transcript.js';
import type { DiscordMessages } from '../../discord/messages.js';
import type { JobQueue } from '../../jobs/job-queue.js';
import type { Logger } from '../../logger.js';
import type { PaperStore } from '../../store/paper-store.js';
import type { SessionStore } from '../../store/session-store.js';
import type { TranscriptStore } from '../../store/transcript-store.js';
import { providerFailure, type ChatModel } from '../../transcript/providers.js';
import type { JobHandlers } from '../contract.js';

export interface SummaryDeps {
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
    const state = await deps.transcripts.state(guildId, sessionId);
    if (deps.chat && !state.summary && !state.summaryMissing) {
      let outcome;
      try {
        outcome = await summarise(deps, deps.chat, guildId, sessionId);
      } catch (err) {
        const failure = providerFailure(err);
        if (failure.retry && !job.finalAttempt) throw err;
        outcome = { missing: `the language model could not be asked (${failure.reason})` };
      }
      if ('missing' in outcome) deps.logger.warn({ guildId, sessionId, why: outcome.missing }, 'no written summary');
      await deps.transcripts.saveSummary(guildId, sessionId, outcome);
    }
    await deps.jobs.enqueue('session.recap', { guildId, sessionId, edition });
  };
}

async function summarise(deps: SummaryDeps, chat: ChatModel, guildId: string, sessionId: string) {
  const input = await summaryInput(deps, guildId, sessionId);
  const max = deps.summaryContextChars;
  const parts = summaryParts(input, max);
  const notes: PartNotes[] = [];
  for (const part of parts) {
    const parsed = await ask(chat, part.messages, (raw) => parsePart(raw, input, part.paperId));
    if (!parsed.ok) return { missing: `the language model's answer was invalid twice (${parsed.error})` };
    notes.push(parsed.value);
  }
  const final = await ask(chat, finalMessages(input, max, parts.length > 0 ? notes : undefined), (raw) =>
    parseFinal(raw, input),
  );
  if (!final.ok) return { missing: `the language model's answer was invalid twice (${final.error})` };
  return { summary: writtenSummary(chat.model, input, final.value, notes) };
}

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
