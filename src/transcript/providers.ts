import OpenAI, { toFile } from 'openai';
import type { ChatMessage } from '../domain/transcript/summary-prompts.js';

/**
 * The two external services, both through the official `openai` package with a base URL: it speaks the protocols
 * every compatible server shares. It never retries on its own (`maxRetries: 0`): the jobs own retries, so a
 * restart loses none and the limits hold across processes.
 */
interface ProviderOptions {
  url: string;
  model: string;
  apiKey?: string | undefined;
  timeoutMs: number;
}

function client({ url, apiKey, timeoutMs }: ProviderOptions) {
  return new OpenAI({
    baseURL: url,
    // Self-hosted servers often need no key: then no Authorization header is sent at all.
    apiKey: apiKey ?? 'none',
    ...(!apiKey && { defaultHeaders: { Authorization: null } }),
    maxRetries: 0,
    timeout: timeoutMs,
  });
}

/** `POST {url}/audio/transcriptions` (OpenAI, Groq, faster-whisper servers, whisper.cpp's server). */
export class SpeechToText {
  private readonly openai: OpenAI;

  constructor(private readonly options: ProviderOptions & { language?: string | undefined }) {
    this.openai = client(options);
  }

  /** `prompt`: words to expect (the paper's title), which helps with names and jargon. */
  async transcribe(wav: Buffer, prompt?: string) {
    const result = await this.openai.audio.transcriptions.create({
      file: await toFile(wav, 'utterance.wav', { type: 'audio/wav' }),
      model: this.options.model,
      response_format: 'json',
      ...(this.options.language && { language: this.options.language }),
      ...(prompt && { prompt }),
    });
    return result.text;
  }
}

/** `POST {url}/chat/completions` (OpenAI, Ollama, vLLM, llama.cpp's server), asking for a JSON object. */
export class ChatModel {
  private readonly openai: OpenAI;

  constructor(private readonly options: ProviderOptions) {
    this.openai = client(options);
  }

  get model() {
    return this.options.model;
  }

  /** Asks for a JSON object; a server that refuses the JSON mode (some compatible ones answer 400) is asked plainly. */
  async complete(messages: ChatMessage[]) {
    const ask = (json: boolean) =>
      this.openai.chat.completions.create({
        model: this.options.model,
        messages,
        ...(json && { response_format: { type: 'json_object' as const }, temperature: 0.2 }),
      });
    const completion = await ask(true).catch((err: unknown) => {
      if (err instanceof OpenAI.BadRequestError) return ask(false);
      throw err;
    });
    return completion.choices[0]?.message.content ?? '';
  }
}

export type ProviderFailure = { retry: true; reason: string; afterMs?: number } | { retry: false; reason: string };

/** What a failed request means: worth retrying (the provider is down or busy) or not (a refused key, a bad file). */
export function providerFailure(err: unknown): ProviderFailure {
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return { retry: true, reason: 'the server did not answer in time' };
  if (err instanceof OpenAI.APIConnectionError) return { retry: true, reason: 'the server could not be reached' };
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const reason = `the server answered ${err.status}`;
    if (err.status === 429) return { retry: true, reason, afterMs: retryAfterMs(err.headers) };
    if (err.status >= 500 || err.status === 408 || err.status === 409) return { retry: true, reason };
    return { retry: false, reason };
  }
  return { retry: true, reason: 'the request failed' };
}

/** `retry-after-ms`, or `retry-after` in seconds or as a date; capped at 10 minutes. */
function retryAfterMs(headers: Headers | undefined) {
  const ms = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, 600_000);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(wait) && wait > 0 ? Math.min(wait, 600_000) : undefined;
}
