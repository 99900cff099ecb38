import { createHash } from 'node:crypto';
import { chatCompletion, FakeLlm, FakeStt, type ChatRequest, type ProviderReply } from './providers.js';

/**
 * The two providers of the transcript, scripted, for a replay with no voice and no model (the demo): a
 * speech-to-text server that answers each utterance with the words a scenario's `speaks` step gave it, and a
 * "model" that writes a plain, deterministic summary from the prompt it receives. Both speak the OpenAI protocols
 * (the fakes of ./providers.ts), so the bot reaches them exactly as it would reach real ones.
 */
export class ScriptedProviders {
  static readonly STT_MODEL = 'scripted-stt';
  static readonly SUMMARY_MODEL = 'scripted-summary';

  /** The WAV's sha256 → the words said. */
  private readonly script = new Map<string, string>();
  /** The words → the prompt (the current paper's title) they were transcribed with. */
  private readonly prompts = new Map<string, string>();
  /** The words the speech-to-text server was asked for, in order. */
  readonly transcribed: string[] = [];

  private constructor(
    readonly stt: FakeStt,
    readonly llm: FakeLlm,
  ) {
    stt.answer = (request) => {
      const words = this.script.get(sha256(request.file));
      if (words === undefined)
        return { status: 400, error: `${ScriptedProviders.STT_MODEL} has no words for this audio` };
      this.transcribed.push(words);
      if (request.prompt) this.prompts.set(normal(words), request.prompt);
      return { status: 200, body: { text: words } };
    };
    llm.answer = (request) => this.summarise(request);
  }

  static async start(): Promise<ScriptedProviders> {
    const stt = await FakeStt.start();
    const llm = await FakeLlm.start().catch(async (error: unknown) => {
      await stt.stop();
      throw error;
    });
    return new ScriptedProviders(stt, llm);
  }

  /** The bot's settings for these servers. */
  get env(): Record<string, string> {
    return {
      LECTERN_STT_URL: this.stt.url,
      LECTERN_STT_MODEL: ScriptedProviders.STT_MODEL,
      LECTERN_LLM_URL: this.llm.url,
      LECTERN_LLM_MODEL: ScriptedProviders.SUMMARY_MODEL,
    };
  }

  /** What the speech-to-text server answers when it receives exactly this WAV. */
  say(wav: Buffer, words: string): void {
    this.script.set(sha256(wav), words);
  }

  async stop(): Promise<void> {
    await Promise.all([this.stt.stop(), this.llm.stop()]);
  }

  private summarise(request: ChatRequest): ProviderReply {
    const prompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
    const answer = prompt.includes('<notes>')
      ? fromNotes(readNotes(prompt))
      : fromLines(
          readTranscript(prompt, (words) => this.prompts.get(normal(words))),
          prompt.includes('This is part'),
        );
    return { status: 200, body: chatCompletion(JSON.stringify(answer), request.model) };
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const normal = (text: string) => text.replace(/\s+/g, ' ').trim();
/** "Gemma 2: Improving Open Language Models…" → "Gemma 2". */
const short = (title: string) => title.split(':')[0]!.trim();

interface Legend {
  /** Label → title, in the prompt's order. */
  papers: Map<string, string>;
  /** Label → name. */
  speakers: Map<string, string>;
}

interface Line {
  speaker: string;
  /** The paper's label, when known. */
  paper?: string;
  text: string;
}

function readLegend(prompt: string): Legend {
  const papers = new Map<string, string>();
  const speakers = new Map<string, string>();
  for (const [, label, title] of prompt.matchAll(/^(P\d+) = (.*)$/gm)) papers.set(label!, title!);
  for (const [, label, name] of prompt.matchAll(/^(S\d+) = (.*)$/gm)) speakers.set(label!, name!);
  return { papers, speakers };
}

/**
 * The transcript's lines, each on its paper: in a part's prompt, the one paper it names; in the whole session's,
 * the paper whose title was the speech-to-text prompt when the line was transcribed (`titleOf`).
 */
function readTranscript(prompt: string, titleOf: (words: string) => string | undefined) {
  const legend = readLegend(prompt);
  const body = /<transcript>\n([\s\S]*?)<\/transcript>/.exec(prompt)?.[1] ?? '';
  const part = /while (P\d+) was presented/.exec(prompt)?.[1];
  const labelOf = (title: string | undefined) =>
    title === undefined ? undefined : [...legend.papers].find(([, t]) => normal(t) === normal(title))?.[0];
  const lines: Line[] = [];
  for (const [, speaker, text] of body.matchAll(/^\[\+?\d+:\d{2}:\d{2}\] (S\d+): (.*)$/gm)) {
    const paper = part ?? labelOf(titleOf(text!));
    lines.push({ speaker: speaker!, text: text!, ...(paper && { paper }) });
  }
  return { legend, lines };
}

/** A line ending in "?" is a question; the next line on the same paper by someone else is its answer. */
function heardIn(lines: Line[]) {
  return lines.flatMap((line, i) => {
    if (!line.text.endsWith('?')) return [];
    const answer = lines.slice(i + 1).find((l) => l.paper === line.paper && l.speaker !== line.speaker);
    if (!answer || answer.text.endsWith('?')) return [];
    return [{ question: line.text, answer: answer.text, asked_by: line.speaker, answered_by: answer.speaker }];
  });
}

/** Up to 3: the last line that is not a question on each of the first papers spoken about. */
function takeawaysIn(lines: Line[], name: (label: string) => string) {
  const papers = [...new Set(lines.flatMap((l) => (l.paper ? [l.paper] : [])))];
  return papers.slice(0, 3).flatMap((paper) => {
    const last = lines.filter((l) => l.paper === paper && !l.text.endsWith('?')).at(-1);
    return last ? [`${name(last.speaker)}: ${last.text}`] : [];
  });
}

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/** A whole session's summary, or (`part`) the notes on one part of it. */
function fromLines({ legend, lines }: ReturnType<typeof readTranscript>, part: boolean) {
  const name = (label: string) => legend.speakers.get(label) ?? 'a member';
  const who = [...legend.speakers.keys()].map((speaker) => {
    const theirs = lines.filter((l) => l.speaker === speaker);
    const papers = [...new Set(theirs.flatMap((l) => (l.paper ? [l.paper] : [])))];
    const where = [
      ...(theirs.some((l) => !l.paper) ? ['before or between the papers'] : []),
      ...(papers.length > 0 ? [`about ${list(papers.map((p) => short(legend.papers.get(p) ?? p)))}`] : []),
    ];
    return `${name(speaker)} spoke ${where.join(' and ')}`;
  });
  const opening = (paper: string | undefined) => {
    const first = lines.find((l) => l.paper === paper);
    return first && `${name(first.speaker)} opened with: “${first.text}”`;
  };
  const heard = heardIn(lines);
  const takeaways = takeawaysIn(lines, name);
  // A part's notes become its paper's chapter when the parts' notes are summarised (fromNotes).
  if (part) return { notes: `${opening(lines[0]?.paper) ?? ''} ${who.join('; ')}.`.trim(), heard, takeaways };
  const summary =
    `A scripted stand-in for a language model wrote this from the transcript's ${lines.length} lines, ` +
    `without understanding them. ${who.join('; ')}.`;
  const chapters = [...legend.papers.keys()].flatMap((paper) => {
    const summary = opening(paper);
    return summary ? [{ paper, summary }] : [];
  });
  return { summary, chapters, heard, takeaways };
}

/** The final answer when the session was too long for one prompt: from the notes the parts were given. */
function readNotes(prompt: string) {
  const legend = readLegend(prompt);
  const body = /<notes>\n([\s\S]*?)<\/notes>/.exec(prompt)?.[1] ?? '';
  const parts = [...body.matchAll(/^Part \d+, (?:while (P\d+) was presented|before or between the papers):\n(.*)$/gm)];
  return { legend, parts: parts.map(([, paper, notes]) => ({ notes: notes!, ...(paper && { paper }) })) };
}

function fromNotes({ legend, parts }: ReturnType<typeof readNotes>) {
  const chapters = [...legend.papers.keys()].flatMap((paper) => {
    const notes = parts.find((p) => p.paper === paper)?.notes;
    return notes ? [{ paper, summary: notes }] : [];
  });
  const summary =
    `A scripted stand-in for a language model wrote this from the notes on ${parts.length} parts of the session. ` +
    `Speakers: ${list([...legend.speakers.values()])}.`;
  return { summary, chapters, heard: [], takeaways: [] };
}
