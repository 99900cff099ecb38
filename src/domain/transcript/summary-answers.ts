import { z } from 'zod';
import { cleanText } from '../papers/metadata.js';
import { CAP, cut, MAX_HEARD, MAX_TAKEAWAYS, prepare } from './summary-prompts.js';
import type { ChatMessage, FinalAnswer, Parsed, PartNotes, Prepared, SummaryInput } from './summary-prompts.js';
import type { WrittenSummary } from './transcript.js';

/**
 * The written summary's answers, from the prompts of summary-prompts.ts: the model's answer is untrusted text, so it
 * is parsed, checked, cleaned and capped here, its labels mapped back to ids; then the retry after an invalid answer,
 * and the summary as stored.
 */

/** The bad answer echoed in a retry is cut: a rambling model must not fill the context with its own mistake. */
const MAX_ECHO = 6_000;

// Lenient where local models often differ harmlessly: a list left out or null is empty, an unknown label null is none.
const label = z.string().nullish();
const heardItem = z.object({
  question: z.string().nullish(),
  answer: z.string().nullish(),
  asked_by: label,
  answered_by: label,
});
const heardList = z.array(heardItem).nullish();
const takeawayList = z.array(z.string()).nullish();
const finalSchema = z.object({
  summary: z.string(),
  chapters: z.array(z.object({ paper: z.string(), summary: z.string().nullish() })).nullish(),
  heard: heardList,
  takeaways: takeawayList,
});
const partSchema = z.object({ notes: z.string(), heard: heardList, takeaways: takeawayList });

/** Reasoning models think aloud first, and their thoughts may hold braces. */
const THINKING = /<think(?:ing)?>[\s\S]*?<\/think(?:ing)?>/gi;

/** The first balanced `{…}` from `start`, minding strings, or undefined. */
function objectAt(text: string, start: number) {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** The JSON in an answer: the whole of it, a fenced block, or the first `{…}` that parses, in that order. */
function extractJson(raw: string): Parsed<unknown> {
  const text = raw.replace(THINKING, '').trim();
  const candidates = [text, ...[...text.matchAll(/```[a-z]*\s*\n?([\s\S]*?)```/gi)].map((m) => m[1]!)];
  let firstError: string | undefined;
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch {
      // Try the next way the JSON could be wrapped.
    }
  }
  // Bounded, so text full of braces costs little.
  for (let start = text.indexOf('{'), tries = 0; start >= 0 && tries < 20; start = text.indexOf('{', start + 1)) {
    tries++;
    const candidate = objectAt(text, start);
    if (candidate === undefined) continue;
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (error) {
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return {
    ok: false,
    error: firstError
      ? `the answer is not valid JSON (${cleanText(firstError, 200)})`
      : 'the answer is not JSON: it holds no {…} object',
  };
}

function parseWith<T>(schema: z.ZodType<T>, raw: string): Parsed<T> {
  const json = extractJson(raw);
  if (!json.ok) return json;
  const result = schema.safeParse(json.value);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    return `${path ? `${path.replace(/^\./, '')}: ` : ''}${issue.message}`;
  });
  return { ok: false, error: `the answer does not have the asked shape: ${problems.join('; ')}` };
}

const range = (letter: string, count: number) => (count === 1 ? `${letter}1` : `${letter}1 to ${letter}${count}`);

/** A label's id; a label the prompt did not give is a problem, as the model named someone or something unknown. */
function resolve(
  value: string | null | undefined,
  where: string,
  labels: Map<string, string>,
  kind: 'speaker' | 'paper',
  problems: string[],
) {
  const wanted = (value ?? '').trim().toUpperCase();
  if (!wanted) return undefined;
  const id = labels.get(wanted);
  if (id === undefined) {
    const given =
      labels.size === 0
        ? `the prompt gives no ${kind}s`
        : `use one of ${range(kind === 'paper' ? 'P' : 'S', labels.size)}`;
    problems.push(
      `${where} is ${JSON.stringify(cleanText(value ?? '', 40))}, not a ${kind} label in the prompt: ${given}`,
    );
  }
  return id;
}

function readHeard(items: z.infer<typeof heardList>, prep: Prepared, problems: string[]) {
  const heard: WrittenSummary['heard'] = [];
  for (const [i, item] of (items ?? []).entries()) {
    if (heard.length >= MAX_HEARD) break;
    const question = cleanText(item.question ?? '', CAP.question);
    const answer = cleanText(item.answer ?? '', CAP.answer);
    if (!question || !answer) continue;
    const askedBy = resolve(item.asked_by, `heard[${i}].asked_by`, prep.speakerByLabel, 'speaker', problems);
    const answeredBy = resolve(item.answered_by, `heard[${i}].answered_by`, prep.speakerByLabel, 'speaker', problems);
    heard.push({ question, answer, ...(askedBy ? { askedBy } : {}), ...(answeredBy ? { answeredBy } : {}) });
  }
  return heard;
}

const readTakeaways = (items: string[] | null | undefined) =>
  (items ?? [])
    .map((t) => cleanText(t, CAP.takeaway))
    .filter((t) => t.length > 0)
    .slice(0, MAX_TAKEAWAYS);

/** Problems are joined into one error: it goes back to the model in the retry, so it says what to change. */
function done<T>(value: T, problems: string[]): Parsed<T> {
  return problems.length ? { ok: false, error: cleanText(problems.join('; '), 2_000) } : { ok: true, value };
}

/** A part's notes from the model's answer to its prompt; `paperId` is that part's, passed through. */
export function parsePart(raw: string, input: SummaryInput, paperId?: string): Parsed<PartNotes> {
  const parsed = parseWith(partSchema, raw);
  if (!parsed.ok) return parsed;
  const prep = prepare(input);
  const problems: string[] = [];
  const notes = cleanText(parsed.value.notes, CAP.notes);
  if (!notes) problems.push('"notes" is empty: write what was said in this part');
  // Labels are checked against the whole session's: a part's prompt shows only its own speakers, but the labels
  // are the same in every part, so a known one names the right member.
  const heard = readHeard(parsed.value.heard, prep, problems);
  const takeaways = readTakeaways(parsed.value.takeaways);
  return done({ ...(paperId === undefined ? {} : { paperId }), notes, heard, takeaways }, problems);
}

/** The final answer, labels mapped back to ids; a paper written about twice keeps its first chapter. */
export function parseFinal(raw: string, input: SummaryInput): Parsed<FinalAnswer> {
  const parsed = parseWith(finalSchema, raw);
  if (!parsed.ok) return parsed;
  const prep = prepare(input);
  const problems: string[] = [];
  const summary = cleanText(parsed.value.summary, CAP.summary);
  if (!summary) problems.push('"summary" is empty: write what the session covered');
  const chapters: FinalAnswer['chapters'] = [];
  for (const [i, chapter] of (parsed.value.chapters ?? []).entries()) {
    const text = cleanText(chapter.summary ?? '', CAP.chapter);
    if (!text) continue;
    const paperId = resolve(chapter.paper, `chapters[${i}].paper`, prep.paperByLabel, 'paper', problems);
    if (paperId !== undefined && !chapters.some((c) => c.paperId === paperId))
      chapters.push({ paperId, summary: text });
  }
  const heard = readHeard(parsed.value.heard, prep, problems);
  const takeaways = readTakeaways(parsed.value.takeaways);
  return done({ summary, chapters, heard, takeaways }, problems);
}

/** The retry after an invalid answer: the same conversation plus the bad answer and what was wrong with it. */
export function retryMessages(messages: ChatMessage[], raw: string, error: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: cut(raw, MAX_ECHO) },
    {
      role: 'user',
      content:
        `That answer could not be used: ${error}.\n` +
        'Answer again with one JSON object only, in exactly the shape the instructions give, and no other text.',
    },
  ];
}

/**
 * The stored summary: chapters in `papers` order with from/to computed from that paper's lines (a paper with no
 * lines gets no chapter even if the model wrote one, nor does one the model wrote nothing about), heard Q&A from the
 * final answer, or the parts' when the final has none, at most 20, takeaways at most 5.
 */
export function writtenSummary(
  model: string,
  input: SummaryInput,
  answer: FinalAnswer,
  parts?: PartNotes[],
): WrittenSummary {
  const seen = new Set<string>();
  const chapters = input.papers.flatMap((paper) => {
    if (seen.has(paper.id)) return [];
    seen.add(paper.id);
    const lines = input.lines.filter((l) => l.paperId === paper.id);
    const chapter = answer.chapters.find((c) => c.paperId === paper.id);
    if (lines.length === 0 || !chapter) return [];
    // A loop, not Math.min(...): a long session's lines would overflow the argument list.
    const from = lines.reduce((min, l) => Math.min(min, l.from), Infinity);
    const to = lines.reduce((max, l) => Math.max(max, l.to), -Infinity);
    return [{ paperId: paper.id, summary: chapter.summary, from, to }];
  });
  const heard = answer.heard.length > 0 ? answer.heard : (parts ?? []).flatMap((p) => p.heard);
  return {
    model,
    summary: answer.summary,
    chapters,
    heard: heard.slice(0, MAX_HEARD),
    takeaways: answer.takeaways.slice(0, MAX_TAKEAWAYS),
  };
}
