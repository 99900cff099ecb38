import { randomBytes } from 'node:crypto';
import OpenAI, { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatCompletion, FakeLlm, FakeStt } from '../support/providers.js';

// The fakes against the real openai client: what the client sends is what the fakes record, and what the fakes
// answer (text, errors, Retry-After, hangs, resets, outages) reaches the client as the real providers' would.

/** Every byte value, bytes that look like multipart syntax, and random bytes: any damage to binary data shows. */
const wavBytes = Buffer.concat([
  Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n--\r\n\r\nContent-Disposition: form-data; name="model"\r\n\r\n--', 'latin1'),
  randomBytes(8192),
  Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x00, 0x0d, 0x0a]),
]);

function client(url: string, options: { timeout?: number } = {}): OpenAI {
  return new OpenAI({ baseURL: url, apiKey: 'test-key', maxRetries: 0, ...options });
}

/** The error `promise` rejects with, checked to be a `kind` (fails the test when it resolves or fails otherwise). */
async function failure<E>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
    return error as E;
  }
  throw new Error('expected the request to fail, and it succeeded');
}

async function utterance(): Promise<OpenAI.Audio.TranscriptionCreateParamsNonStreaming<'json'>> {
  return {
    file: await toFile(wavBytes, 'utterance.wav', { type: 'audio/wav' }),
    model: 'whisper-1',
    language: 'en',
    prompt: 'Attention Is All You Need',
    response_format: 'json',
  };
}

describe('FakeStt against the openai client', () => {
  let stt: FakeStt;
  beforeEach(async () => {
    stt = await FakeStt.start();
  });
  afterEach(() => stt.stop());

  it('records exactly the fields, the file bytes and the key the client sends, and returns the scripted text', async () => {
    stt.answer = () => ({ status: 200, body: { text: 'The transformer needs no recurrence.' } });
    const transcription = await client(stt.url).audio.transcriptions.create(await utterance());

    expect(transcription.text).toBe('The transformer needs no recurrence.');
    expect(stt.rejected).toEqual([]);
    expect(stt.requests).toHaveLength(1);
    const request = stt.requests[0]!;
    expect(request.path).toBe('/v1/audio/transcriptions');
    expect(request.authorization).toBe('Bearer test-key');
    expect(request.contentType).toMatch(/^multipart\/form-data; boundary=\S+$/);
    expect(request.model).toBe('whisper-1');
    expect(request.language).toBe('en');
    expect(request.prompt).toBe('Attention Is All You Need');
    expect(request.responseFormat).toBe('json');
    expect(request.fields).toEqual({
      model: 'whisper-1',
      language: 'en',
      prompt: 'Attention Is All You Need',
      response_format: 'json',
    });
    expect(request.fileName).toBe('utterance.wav');
    expect(request.fileType).toBe('audio/wav');
    expect(request.file.length).toBe(wavBytes.length);
    expect(request.file.equals(wavBytes)).toBe(true);
    expect(Math.abs(request.at - Date.now())).toBeLessThan(5_000);
  });

  it('answers by default with the byte count, as JSON or as plain text for the text format', async () => {
    const openai = client(stt.url);
    const json = await openai.audio.transcriptions.create(await utterance());
    const text: string = await openai.audio.transcriptions.create({ ...(await utterance()), response_format: 'text' });

    expect(json.text).toBe(`heard ${wavBytes.length} bytes`);
    expect(text).toBe(`heard ${wavBytes.length} bytes`);
    expect(stt.requests.map((r) => r.responseFormat)).toEqual(['json', 'text']);
  });

  it('hands the answer function each request and its index', async () => {
    const seen: Array<[string, number]> = [];
    stt.answer = (request, index) => {
      seen.push([request.prompt ?? '', index]);
      return { status: 200, body: { text: `answer ${index}` } };
    };
    const openai = client(stt.url);
    const first = await openai.audio.transcriptions.create({ ...(await utterance()), prompt: 'one' });
    const second = await openai.audio.transcriptions.create({ ...(await utterance()), prompt: 'two' });

    expect([first.text, second.text]).toEqual(['answer 0', 'answer 1']);
    expect(seen).toEqual([
      ['one', 0],
      ['two', 1],
    ]);
  });

  it('scripted 500 and 429 reach the client as APIErrors with their status, OpenAI error body and Retry-After', async () => {
    stt.answer = (_request, index) =>
      index === 0
        ? { status: 500, error: 'The STT backend crashed' }
        : { status: 429, error: 'Slow down', retryAfterSeconds: 7 };
    const openai = client(stt.url);

    const internal = await failure(openai.audio.transcriptions.create(await utterance()), OpenAI.InternalServerError);
    expect(internal).toBeInstanceOf(OpenAI.APIError);
    expect(internal.status).toBe(500);
    expect(internal.type).toBe('server_error');
    expect(internal.message).toContain('The STT backend crashed');
    expect(internal.headers.get('retry-after')).toBeNull();

    const limit = await failure(openai.audio.transcriptions.create(await utterance()), OpenAI.RateLimitError);
    expect(limit).toBeInstanceOf(OpenAI.APIError);
    expect(limit.status).toBe(429);
    expect(limit.code).toBe('rate_limit_exceeded');
    expect(limit.message).toContain('Slow down');
    expect(limit.headers.get('retry-after')).toBe('7');
    expect(limit.error).toEqual({ message: 'Slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' });

    expect(stt.requests).toHaveLength(2);
  });

  it('a hang makes a client with a 300 ms timeout fail with APIConnectionTimeoutError', async () => {
    stt.answer = () => ({ hang: true });
    const started = Date.now();
    await failure(
      client(stt.url, { timeout: 300 }).audio.transcriptions.create(await utterance()),
      OpenAI.APIConnectionTimeoutError,
    );

    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(stt.requests).toHaveLength(1);
  });

  it('a delay holds the answer back; a reset fails the client with APIConnectionError', async () => {
    stt.answer = (_request, index) =>
      index === 0 ? { status: 200, body: { text: 'late' }, delayMs: 200 } : { reset: true };
    const openai = client(stt.url);

    const started = Date.now();
    expect((await openai.audio.transcriptions.create(await utterance())).text).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    const error = await failure(openai.audio.transcriptions.create(await utterance()), OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('while down every connection fails with APIConnectionError (kept-alive ones too), and it recovers', async () => {
    const openai = client(stt.url, { timeout: 1_000 });
    await openai.audio.transcriptions.create(await utterance()); // leaves a kept-alive connection in the pool

    stt.down = true;
    const error = await failure(openai.audio.transcriptions.create(await utterance()), OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await failure(client(stt.url).audio.transcriptions.create(await utterance()), OpenAI.APIConnectionError);
    expect(stt.requests).toHaveLength(1);

    stt.down = false;
    expect((await openai.audio.transcriptions.create(await utterance())).text).toBe(`heard ${wavBytes.length} bytes`);
    expect(stt.requests).toHaveLength(2);
  });

  it('refuses JSON instead of multipart, and multipart without a model or a filename, with 400', async () => {
    const url = `${stt.url}/audio/transcriptions`;
    const asJson = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
      body: JSON.stringify({ model: 'whisper-1', file: wavBytes.toString('base64') }),
    });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toEqual({
      error: {
        message: expect.stringContaining('multipart/form-data'),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });

    const noModel = new FormData();
    noModel.append('file', new Blob([new Uint8Array(wavBytes)], { type: 'audio/wav' }), 'utterance.wav');
    const withoutModel = await fetch(url, { method: 'POST', body: noModel });
    expect(withoutModel.status).toBe(400);
    expect(((await withoutModel.json()) as { error: { message: string } }).error.message).toContain("'model'");

    const noFilename = new FormData();
    noFilename.append('file', 'not a file');
    noFilename.append('model', 'whisper-1');
    expect((await fetch(url, { method: 'POST', body: noFilename })).status).toBe(400);

    const emptyModel = await failure(
      client(stt.url).audio.transcriptions.create({ ...(await utterance()), model: '' }),
      OpenAI.BadRequestError,
    );
    expect(emptyModel.status).toBe(400);
    expect(emptyModel.message).toContain("'model'");

    expect(stt.requests).toEqual([]);
    expect(stt.rejected.map(({ path, status }) => ({ path, status }))).toEqual(
      Array.from({ length: 4 }, () => ({ path: '/v1/audio/transcriptions', status: 400 })),
    );
    expect(stt.rejected[0]!.reason).toContain('multipart/form-data');
    expect(stt.rejected[1]!.reason).toContain("'model'");
    expect(stt.rejected[2]!.reason).toContain('filename');
  });

  it('answers any other method or path with an OpenAI-style 404', async () => {
    const get = await fetch(`${stt.url}/audio/transcriptions`);
    expect(get.status).toBe(404);
    expect(await get.json()).toEqual({
      error: {
        message: 'Invalid URL (GET /v1/audio/transcriptions)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    await failure(
      client(stt.url).audio.translations.create({ file: await toFile(wavBytes, 'a.wav'), model: 'whisper-1' }),
      OpenAI.NotFoundError,
    );

    expect(stt.requests).toEqual([]);
    expect(stt.rejected.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: '/v1/audio/transcriptions', status: 404 },
      { method: 'POST', path: '/v1/audio/translations', status: 404 },
    ]);
  });
});

describe('FakeLlm against the openai client', () => {
  let llm: FakeLlm;
  beforeEach(async () => {
    llm = await FakeLlm.start();
  });
  afterEach(() => llm.stop());

  it('records the model, messages and response_format, and the client reads the scripted content', async () => {
    llm.answer = (request) => ({ status: 200, body: chatCompletion('{"a":1}', request.model) });
    const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: 'llama3',
      messages: [
        { role: 'system', content: 'Summarise the reading session as JSON.' },
        { role: 'user', content: 'Alice: attention is all you need.\nBob: ünïcödé — and "quotes".' },
      ],
      response_format: { type: 'json_object' },
    };
    const completion = await client(llm.url).chat.completions.create(params);

    expect(completion.choices[0]?.message.content).toBe('{"a":1}');
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ a: 1 });
    expect(completion.model).toBe('llama3');
    expect(llm.rejected).toEqual([]);
    expect(llm.requests).toHaveLength(1);
    const request = llm.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer test-key');
    expect(request.model).toBe('llama3');
    expect(request.messages).toEqual(params.messages);
    expect(request.responseFormat).toEqual({ type: 'json_object' });
    expect(request.body).toEqual(params);
  });

  it('scripted errors, hangs and outages reach the client as the OpenAI error classes', async () => {
    llm.answer = (_request, index) =>
      index === 0 ? { status: 503, error: 'Model loading', retryAfterSeconds: 2 } : { hang: true };
    const openai = client(llm.url, { timeout: 300 });
    const params: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: 'llama3',
      messages: [{ role: 'user', content: 'hi' }],
    };

    const unavailable = await failure(openai.chat.completions.create(params), OpenAI.InternalServerError);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('2');

    await failure(openai.chat.completions.create(params), OpenAI.APIConnectionTimeoutError);

    llm.down = true;
    const down = await failure(openai.chat.completions.create(params), OpenAI.APIConnectionError);
    expect(down).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(llm.requests).toHaveLength(2);
  });

  it('answers by default with a completion naming the message count', async () => {
    const completion = await client(llm.url).chat.completions.create({
      model: 'llama3',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'in ' },
            { type: 'text', text: 'parts' },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('heard 1 messages');
    expect(llm.requests[0]?.messages).toEqual([{ role: 'user', content: 'in parts' }]);
  });

  it('refuses a body without a model, with empty messages or not JSON with 400, and other paths with 404', async () => {
    const url = `${llm.url}/chat/completions`;
    const post = (body: string, contentType = 'application/json') =>
      fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });

    expect((await post(JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }))).status).toBe(400);
    const empty = await post(JSON.stringify({ model: 'llama3', messages: [] }));
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({
      error: { message: expect.stringContaining('messages'), type: 'invalid_request_error', param: null, code: null },
    });
    expect((await post('{"model": "llama3", "messages": [')).status).toBe(400);
    expect((await post('model=llama3', 'application/x-www-form-urlencoded')).status).toBe(400);
    await failure(client(llm.url).completions.create({ model: 'llama3', prompt: 'hi' }), OpenAI.NotFoundError);

    expect(llm.requests).toEqual([]);
    expect(llm.rejected.map(({ path, status }) => ({ path, status }))).toEqual([
      { path: '/v1/chat/completions', status: 400 },
      { path: '/v1/chat/completions', status: 400 },
      { path: '/v1/chat/completions', status: 400 },
      { path: '/v1/chat/completions', status: 400 },
      { path: '/v1/completions', status: 404 },
    ]);
  });
});
