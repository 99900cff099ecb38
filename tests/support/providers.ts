import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Local stand-ins for the two model providers the voice transcript talks to: a
 * speech-to-text service speaking OpenAI's audio transcription protocol and an
 * OpenAI-compatible chat completions endpoint. Each answers what the test
 * scripts, records every well-formed request, and refuses malformed ones the
 * way the real protocol would (an OpenAI-style error JSON), so a client that
 * builds a wrong request fails here rather than in production.
 */

/** What one request to the speech-to-text provider carried. */
export interface SttRequest {
  /** Date.now() when the request arrived. */
  at: number;
  /** e.g. '/v1/audio/transcriptions' */
  path: string;
  /** The Authorization header, as sent. */
  authorization?: string;
  /** The request's content-type header. */
  contentType: string;
  model: string;
  language?: string;
  prompt?: string;
  responseFormat?: string;
  fileName: string;
  /** The file part's content type ('text/plain' when the part named none, as multipart/form-data parsing defines). */
  fileType: string;
  /** The file bytes. */
  file: Buffer;
  /** Every non-file field of the form (model, language, temperature, ...), as sent. */
  fields: Record<string, string>;
}

/** What one request to the chat completions endpoint carried. */
export interface ChatRequest {
  /** Date.now() when the request arrived. */
  at: number;
  /** e.g. '/v1/chat/completions' */
  path: string;
  /** The Authorization header, as sent. */
  authorization?: string;
  model: string;
  /** The messages; a content given as an array of text parts is joined into one string. */
  messages: Array<{ role: string; content: string }>;
  /** The request's `response_format`, if any. */
  responseFormat?: unknown;
  /** The whole JSON body. */
  body: Record<string, unknown>;
}

/** A request the server refused as malformed (wrong method or path, or a body the protocol does not allow). */
export interface RejectedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  reason: string;
}

/** Any reply may first wait `delayMs` (the hang and reset ones too). */
interface Delayed {
  delayMs?: number;
}

/**
 * How the provider answers one request:
 * - `{ status: 200, body }`: `body` as JSON (a string body is sent as text/plain, as the transcription endpoint
 *   answers `response_format` 'text', 'srt' and 'vtt');
 * - `{ status, error?, retryAfterSeconds? }`: an OpenAI-style error JSON `{ error: { message, type, param, code } }`,
 *   with a Retry-After header when `retryAfterSeconds` is given;
 * - `{ hang: true }`: never answers (the socket is destroyed on stop());
 * - `{ reset: true }`: destroys the connection without answering.
 */
export type ProviderReply = Delayed &
  (
    | { status: 200; body: unknown }
    | { status: number; error?: string; retryAfterSeconds?: number }
    | { hang: true }
    | { reset: true }
  );

/** A parsed request, or why it is refused. */
type Parsed<T> = { ok: T } | { status: number; reason: string };

/** The parts of the servers the two providers share: sockets, down, hang, reset, delays, errors, stop. */
abstract class FakeProvider<T> {
  readonly requests: T[] = [];
  readonly rejected: RejectedRequest[] = [];
  abstract answer: (request: T, index: number) => ProviderReply | Promise<ProviderReply>;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private isDown = false;
  private stopped = false;
  private replies = 0;

  protected constructor(private readonly endpoint: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      if (this.isDown || this.stopped) return void reset(socket);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Base URL to give the openai client (ends in '/v1'). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** While down, every connection (new or kept alive) is destroyed at once, as with a provider that is unreachable. */
  get down(): boolean {
    return this.isDown;
  }

  set down(value: boolean) {
    this.isDown = value;
    if (value) for (const socket of this.sockets) reset(socket);
  }

  protected async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Reads and checks one request's body; `ok` is what gets recorded and handed to `answer`. */
  protected abstract parse(req: IncomingMessage, body: Buffer, at: number, path: string): Promise<Parsed<T>>;

  /** The answer `answer` gives until a test replaces it (a scripted `answer` can fall back to it). */
  abstract defaultAnswer(request: T): ProviderReply;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    if (this.isDown) return void reset(req.socket);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-request
    }
    if (this.isDown) return void reset(req.socket);
    if (method !== 'POST' || path !== this.endpoint) {
      // What OpenAI answers for a method or path it does not serve.
      const reason = `Invalid URL (${method} ${path})`;
      this.rejected.push({ at, method, path, status: 404, reason });
      return this.sendError(res, 404, reason);
    }
    let parsed: Parsed<T>;
    try {
      parsed = await this.parse(req, body, at, path);
    } catch (error) {
      parsed = { status: 400, reason: `Could not parse the request body: ${String(error)}` };
    }
    if (!('ok' in parsed)) {
      this.rejected.push({ at, method, path, status: parsed.status, reason: parsed.reason });
      return this.sendError(res, parsed.status, parsed.reason);
    }
    const index = this.requests.push(parsed.ok) - 1;
    let reply: ProviderReply;
    try {
      reply = await this.answer(parsed.ok, index);
    } catch (error) {
      reply = { status: 500, error: `The test's answer function threw: ${String(error)}` };
    }
    if (reply.delayMs) await waitOrClosed(reply.delayMs, res);
    if (res.destroyed || this.stopped) return;
    if (this.isDown) return void reset(req.socket);
    if ('hang' in reply) return; // the socket stays open until the client gives up or stop() destroys it
    if ('reset' in reply) return void reset(req.socket);
    if ('body' in reply) {
      const text = typeof reply.body === 'string';
      const payload = text ? (reply.body as string) : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': text ? 'text/plain; charset=utf-8' : 'application/json',
        'x-request-id': this.requestId(),
      });
      return void res.end(payload);
    }
    this.sendError(res, reply.status, reply.error, reply.retryAfterSeconds);
  }

  private sendError(res: ServerResponse, status: number, message?: string, retryAfterSeconds?: number): void {
    const { type, code } = errorKind(status);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': this.requestId() };
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    const error = { message: message ?? defaultMessage(status), type, param: null, code };
    res.writeHead(status, headers).end(JSON.stringify({ error }));
  }

  private requestId(): string {
    return `req_fake_${++this.replies}`;
  }
}

/** The speech-to-text provider: `POST /v1/audio/transcriptions`, multipart/form-data. */
export class FakeStt extends FakeProvider<SttRequest> {
  /** Decides each answer; default: 200 `{ text: 'heard N bytes' }` (plain text for the 'text', 'srt' and 'vtt' formats). */
  answer: (request: SttRequest, index: number) => ProviderReply | Promise<ProviderReply> = (request) =>
    this.defaultAnswer(request);

  private constructor() {
    super('/v1/audio/transcriptions');
  }

  static start(): Promise<FakeStt> {
    return new FakeStt().listen();
  }

  defaultAnswer(request: SttRequest): ProviderReply {
    const text = `heard ${request.file.length} bytes`;
    const plain = ['text', 'srt', 'vtt'].includes(request.responseFormat ?? '');
    return { status: 200, body: plain ? text : { text } };
  }

  protected async parse(req: IncomingMessage, body: Buffer, at: number, path: string): Promise<Parsed<SttRequest>> {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(contentType) || !/;\s*boundary=("?)[^";]+\1/i.test(contentType))
      return { status: 400, reason: `Expected multipart/form-data with a boundary, got '${contentType}'` };
    let form: FormData;
    try {
      // undici's parser (the one fetch uses): exact bytes for file parts, UTF-8 for the other fields.
      form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    } catch {
      return { status: 400, reason: 'The multipart/form-data body could not be parsed' };
    }
    const files = form.getAll('file');
    const file = files[0];
    if (files.length !== 1 || !(file instanceof File) || file.name === '')
      return { status: 400, reason: "Expected exactly one 'file' part with a filename" };
    const fields: Record<string, string> = {};
    for (const [name, value] of form) {
      if (name === 'file') continue;
      if (typeof value !== 'string') return { status: 400, reason: `Unexpected file part '${name}'` };
      if (name in fields) return { status: 400, reason: `The field '${name}' is given twice` };
      fields[name] = value;
    }
    const model = fields.model;
    if (!model) return { status: 400, reason: "Missing required parameter: 'model'" };
    if (fields.stream === 'true') return { status: 400, reason: 'FakeStt does not stream transcriptions' };
    const authorization = req.headers.authorization;
    return {
      ok: {
        at,
        path,
        ...(authorization !== undefined && { authorization }),
        contentType,
        model,
        ...(fields.language !== undefined && { language: fields.language }),
        ...(fields.prompt !== undefined && { prompt: fields.prompt }),
        ...(fields.response_format !== undefined && { responseFormat: fields.response_format }),
        fileName: file.name,
        fileType: file.type,
        file: Buffer.from(await file.arrayBuffer()),
        fields,
      },
    };
  }
}

/** The chat completions endpoint: `POST /v1/chat/completions`, JSON. */
export class FakeLlm extends FakeProvider<ChatRequest> {
  /** Decides each answer; default: 200 with `chatCompletion('heard N messages', model)`. */
  answer: (request: ChatRequest, index: number) => ProviderReply | Promise<ProviderReply> = (request) =>
    this.defaultAnswer(request);

  private constructor() {
    super('/v1/chat/completions');
  }

  static start(): Promise<FakeLlm> {
    return new FakeLlm().listen();
  }

  defaultAnswer(request: ChatRequest): ProviderReply {
    return { status: 200, body: chatCompletion(`heard ${request.messages.length} messages`, request.model) };
  }

  protected async parse(req: IncomingMessage, body: Buffer, at: number, path: string): Promise<Parsed<ChatRequest>> {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType))
      return { status: 400, reason: `Expected an application/json body, got '${contentType}'` };
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, reason: 'The body is not valid JSON' };
    }
    if (!isRecord(json)) return { status: 400, reason: 'The body is not a JSON object' };
    if (typeof json.model !== 'string' || json.model === '')
      return { status: 400, reason: "Missing required parameter: 'model'" };
    if (!Array.isArray(json.messages) || json.messages.length === 0)
      return { status: 400, reason: "'messages' must be a non-empty array" };
    const messages: ChatRequest['messages'] = [];
    for (const [i, message] of json.messages.entries()) {
      const content = isRecord(message) ? textOf(message.content) : undefined;
      if (!isRecord(message) || typeof message.role !== 'string' || content === undefined)
        return { status: 400, reason: `'messages[${i}]' needs a string role and a text content` };
      messages.push({ role: message.role, content });
    }
    if (json.stream === true) return { status: 400, reason: 'FakeLlm does not stream completions' };
    const authorization = req.headers.authorization;
    return {
      ok: {
        at,
        path,
        ...(authorization !== undefined && { authorization }),
        model: json.model,
        messages,
        ...(json.response_format !== undefined && { responseFormat: json.response_format }),
        body: json,
      },
    };
  }
}

let completions = 0;

/** A chat completion body whose first choice's message content is `content` (what a provider returns). */
export function chatCompletion(content: string, model = 'fake-model'): unknown {
  return {
    id: `chatcmpl-fake-${++completions}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message content as text: a string, or an array of text parts joined; undefined for anything else. */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => (isRecord(part) && part.type === 'text' ? part.text : undefined));
  return texts.every((text) => typeof text === 'string') ? texts.join('') : undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** Destroys a connection with a TCP reset (ECONNRESET at the client), as a provider that drops it would. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function' && socket.readyState !== 'opening') socket.resetAndDestroy();
  else socket.destroy();
}

/** Resolves after `ms`, or earlier when the response's connection closes. */
function waitOrClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/** OpenAI's error `type` and `code` for a status. */
function errorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: null };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Incorrect API key provided.';
  if (status === 429) return 'Rate limit reached for requests. Please try again later.';
  if (status === 503) return 'The server is overloaded or not ready yet.';
  if (status >= 500) return 'The server had an error while processing your request. Sorry about that!';
  return `The request failed with status ${status}.`;
}
