import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { readWav, rms, STT_RATE } from '../../src/domain/transcript/audio.js';
import { SessionStore } from '../../src/store/session-store.js';
import { TranscriptStore } from '../../src/store/transcript-store.js';
import { Emulator } from '../emulator/emulator.js';
import { VoiceServer } from '../emulator/voice.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv, eventually } from '../support/harness.js';
import { chatCompletion, FakeLlm, FakeStt, type ChatRequest, type SttRequest } from '../support/providers.js';
import { PrivateRedis, RedisServer } from '../support/redis-server.js';
import { MetadataServer } from '../support/metadata-server.js';
import { createHash } from 'node:crypto';
import { pitchOf } from '../support/speech.js';
import { wavFile } from '../../src/domain/transcript/audio.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { createWorkerRedis } from '../../src/store/redis.js';
import { ARXIV } from '../fixtures/papers.js';
import { PaperStore } from '../../src/store/paper-store.js';
import { testCertificate } from '../support/tls.js';

/**
 * The transcript end to end: the real bot process joins the emulator's voice server, which sends real Opus audio
 * (each member at their own pitch) as members speak; the bot decodes what opted-in members say, and local servers
 * speaking OpenAI's protocols stand in for the speech-to-text and language-model providers. The speech-to-text
 * server tells speakers apart by the pitch of the WAV it receives, so every line's text names whose audio it was.
 */
const certificate = testCertificate();
const API_KEY = 'sk-test-never-logged-4242';
/** Each member's pitch (Hz), far enough apart to tell by autocorrelation. */
const PITCH: Record<string, number> = { Charlie: 120, Cong: 200, David: 310 };

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  cleanup = [];
});

function voiceIn(request: SttRequest) {
  const wav = readWav(request.file);
  const pitch = pitchOf(wav.samples, wav.sampleRate);
  const [name] = Object.entries(PITCH).sort(([, a], [, b]) => Math.abs(a - pitch) - Math.abs(b - pitch))[0]!;
  return { wav, pitch, name };
}

/** Audio waits on a second Redis that keeps nothing on disk, as docker-compose.yml sets up (the bot requires it). */
async function world(extraEnv: Record<string, string> = {}, options: { role?: string } = {}) {
  const redis = await PrivateRedis.start();
  const audio = await RedisServer.start(['--appendonly', 'no']);
  cleanup.push(() => audio.stop());
  const emu = await new Emulator().start();
  const voice = await new VoiceServer(certificate).start();
  const stt = await FakeStt.start();
  const llm = await FakeLlm.start();
  const metadata = await new MetadataServer().start();
  emu.attachVoice(voice);
  cleanup.push(
    () => redis.stop(),
    () => emu.stop(),
    () => voice.stop(),
    () => stt.stop(),
    () => llm.stop(),
    () => metadata.stop(),
  );
  const guild = paperClub(emu);
  const env = botEnv(emu, redis.url, {
    LOG_LEVEL: 'debug',
    DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000',
    NODE_EXTRA_CA_CERTS: certificate.certPath,
    LECTERN_STT_URL: stt.url,
    LECTERN_STT_API_KEY: API_KEY,
    LECTERN_STT_MODEL: 'whisper-large-v3',
    LECTERN_STT_ATTEMPTS: '4',
    LECTERN_STT_BACKOFF_MS: '300',
    LECTERN_LLM_URL: llm.url,
    LECTERN_LLM_MODEL: 'llama3.1',
    LECTERN_METADATA_BASE_URL: metadata.url,
    LECTERN_ARXIV_INTERVAL_MS: '0',
    ...(options.role && { LECTERN_ROLE: options.role }),
    LECTERN_AUDIO_REDIS_URL: audio.url,
    ...extraEnv,
  });
  const bot = new BotProcess(env);
  cleanup.push(() => bot.kill('SIGKILL'));
  await bot.waitForLog(options.role === 'gateway' ? /gateway ready/ : /worker ready/);
  const store = new Redis(redis.url);
  const audioStore = new Redis(audio.url);
  cleanup.push(async () => {
    store.disconnect();
    audioStore.disconnect();
  });
  const transcripts = new TranscriptStore(store, audioStore);
  return { redis, emu, voice, stt, llm, guild, bot, env, transcripts, store, audioStore };
}
type World = Awaited<ReturnType<typeof world>>;

const as = (guild: WorldGuild, user: string) => ({ guild, user, channel: 'general' });

const PAPERS = ['2408.06292', '2408.03314'];
const TITLES = PAPERS.map((id) => ARXIV[id]!.title);

async function setUp({ emu, guild, store }: World, papers = PAPERS) {
  const host = as(guild, 'Tanishq');
  await emu
    .command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
    .answer();
  await emu.command(host, 'setup', 'roles', { host: '@hosts' }).answer();
  await emu.command(host, 'setup', 'voice', { enabled: true }).answer();
  const saved = await emu.command(host, 'setup', 'transcript', { enabled: true }).answer();
  expect(saved.content).toMatch(/^Saved\. During sessions, members who opt in/);
  for (const id of papers)
    await emu.command(as(guild, 'Aran'), 'paper', 'add', { url: `https://arxiv.org/abs/${id}` }).answer();
  // Titles known before the session: they are the speech-to-text prompt.
  const queued = new PaperStore(store);
  await eventually(
    async () => (await queued.list(guild.id)).every((p) => p.metadataStatus === 'ready'),
    10_000,
    'the papers metadata',
  );
  for (const name of Object.keys(PITCH)) emu.joinVoice(guild, name, 'paper-stage');
}

async function startSession({ emu, voice, guild }: World) {
  expect((await emu.command(as(guild, 'Tanishq'), 'session', 'start').answer()).content).toMatch(/^Session started/);
  await until(() => voice.connected(guild.id), 15_000, 'the bot to connect to the voice server');
  const stage = emu.world.channelByName(guild, 'paper-stage').id;
  await until(() => emu.messagesIn(stage).length === 1, 10_000, 'the notice in the stage chat');
  return emu.messagesIn(stage)[0]!;
}

async function endSession({ emu, guild }: World) {
  await emu.command(as(guild, 'Tanishq'), 'session', 'end').answer();
  const recaps = emu.world.channelByName(guild, 'recaps').id;
  await until(() => emu.messagesIn(recaps).length > 0, 60_000, 'the recap');
  const [digest] = emu.messagesIn(recaps);
  return { digest: digest!, file: emu.attachmentText(digest!.attachments[0]!.id) };
}

/** Speaks and waits until the bot has queued the utterance (an utterance ends after 800 ms of silence). */
async function say(w: World, name: string, ms: number) {
  const from = Date.now();
  await w.voice.speak(w.guild.id, w.emu.world.memberByName(w.guild, name).user.id, ms, { frequency: PITCH[name] });
  return { name, from, ms };
}

/** The transcript the bot stored for the live (or last) session. */
async function storedEntries(w: World) {
  const sessions = new SessionStore(w.store);
  const session = (await sessions.current(w.guild.id)) ?? (await sessions.lastEnded(w.guild.id));
  return session ? w.transcripts.entries(w.guild.id, session.id) : [];
}

/** The section of the recap file that starts with `heading`, up to the next `## `. */
function section(file: string, heading: string) {
  const start = file.indexOf(heading);
  if (start < 0) return '';
  const next = file.indexOf('\n## ', start + heading.length);
  return file.slice(start, next < 0 ? undefined : next);
}

/** A valid summary built from the labels the prompt gave: what a well-behaved model answers. */
function validSummary(request: ChatRequest) {
  const prompt = request.messages.map((m) => m.content).join('\n');
  const papers = [...prompt.matchAll(/^(P\d+) = /gm)].map((m) => m[1]!);
  const speakers = [...prompt.matchAll(/^(S\d+) = /gm)].map((m) => m[1]!);
  return JSON.stringify({
    summary: 'The group compared sparse attention with dense baselines and then discussed reward hacking.',
    chapters: papers.map((paper) => ({ paper, summary: `Chapter about ${paper}.` })),
    heard: [
      {
        question: 'Does the sparsity pattern transfer to longer contexts?',
        answer: 'Only with the learned routing, according to the authors.',
        asked_by: speakers[0],
        answered_by: speakers[1],
      },
    ],
    takeaways: ['Sparse attention needs learned routing.', 'Reward models can be gamed.'],
  });
}

describe('GIVEN /setup transcript enabled and speech-to-text and model servers', () => {
  it('WHEN two members opted in and one did not speak over each other across two papers THEN only the two are heard, and the recap has their lines in order under the right papers with names and times, and the written summary', async () => {
    const w = await world();
    const { emu, guild, stt, llm, bot } = w;
    stt.answer = (request) => {
      const { name } = voiceIn(request);
      return { status: 200, body: { text: `${name} speaking about ${request.prompt ?? 'nothing'}` } };
    };
    llm.answer = (request) => ({ status: 200, body: chatCompletion(validSummary(request), 'llama3.1') });
    await setUp(w);
    // Charlie opts in before the session with the command, Cong during it with the notice's button; David never.
    expect((await emu.command(as(guild, 'Charlie'), 'transcript', 'join').answer()).content).toMatch(
      /^You are opted in/,
    );
    const notice = await startSession(w);
    expect(notice.content).toContain('transcribe members who opted in');
    const button = (notice.components![0] as { components: Array<{ custom_id: string }> }).components[0]!;
    expect(button.custom_id).toBe('transcript:join');
    const pressed = await emu.button(as(guild, 'Cong'), notice, button.custom_id).answer();
    expect(pressed).toMatchObject({ ephemeral: true, content: expect.stringMatching(/^You are opted in/) });
    // The bot's nickname says it is transcribing.
    await until(
      () => emu.world.memberByName(guild, 'Lectern').nick === '🔴 Lectern (transcribing)',
      5_000,
      'the nickname saying so',
    );
    const status = await emu.command(as(guild, 'Hanish'), 'session', 'status').answer();
    const id = (name: string) => emu.world.memberByName(guild, name).user.id;
    const transcribed = status.embeds[0]!.fields!.find((f) => f.name === 'Transcribed')?.value ?? '';
    expect(transcribed.split(', ').sort()).toEqual([`<@${id('Charlie')}>`, `<@${id('Cong')}>`].sort());

    const spoken: Array<{ name: string; from: number; ms: number; paper: string }> = [];
    for (const [index, title] of TITLES.entries()) {
      const paper = index + 1;
      await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
      // All three at once, starting a little apart; then Charlie again after a pause.
      const turns = await Promise.all([
        say(w, 'Charlie', 1_500),
        new Promise((r) => setTimeout(r, 300)).then(() => say(w, 'Cong', 1_200)),
        new Promise((r) => setTimeout(r, 150)).then(() => say(w, 'David', 1_000)),
      ]);
      await new Promise((r) => setTimeout(r, 1_500));
      turns.push(await say(w, 'Charlie', 800));
      spoken.push(...turns.filter((t) => t.name !== 'David').map((t) => ({ ...t, paper: title })));
      await eventually(async () => (await storedEntries(w)).length === paper * 3, 20_000, `paper ${paper}'s lines`);
    }
    // Nobody's audio but the opted-in members' was ever subscribed to, or sent.
    const subscribed = bot.stdout
      .split('\n')
      .filter((line) => line.includes('audio subscription opened'))
      .map((line) => (JSON.parse(line) as { userId: string }).userId);
    expect(new Set(subscribed)).toEqual(new Set([id('Charlie'), id('Cong')]));
    expect(stt.requests.map((r) => voiceIn(r).name).sort()).toEqual(spoken.map((s) => s.name).sort());
    for (const request of stt.requests) {
      const { wav } = voiceIn(request);
      expect(request).toMatchObject({ model: 'whisper-large-v3', authorization: `Bearer ${API_KEY}` });
      expect(request.fileName).toBe('utterance.wav');
      expect({ rate: wav.sampleRate, channels: wav.channels, bits: wav.bitsPerSample }).toEqual({
        rate: STT_RATE,
        channels: 1,
        bits: 16,
      });
      expect(rms(wav.samples)).toBeGreaterThan(1_000);
    }
    // Each WAV lasts as long as the speech sent (in whole 20 ms packets), to within 50 ms.
    const durations = stt.requests.map((r) => (voiceIn(r).wav.samples.length / STT_RATE) * 1000).sort((a, b) => a - b);
    const sent = spoken.map((s) => Math.round(s.ms / 20) * 20).sort((a, b) => a - b);
    durations.forEach((d, i) => expect(Math.abs(d - sent[i]!)).toBeLessThanOrEqual(50));
    // The paper's title is the prompt (vocabulary for the provider).
    expect(new Set(stt.requests.map((r) => r.prompt))).toEqual(new Set(TITLES));

    const { digest, file } = await endSession(w);
    // The nickname is restored once the session ends.
    expect(emu.world.memberByName(guild, 'Lectern').nick).toBeUndefined();
    expect(digest.content).toContain('what was said and a written summary) is in the attached file');
    const transcript = section(file, '## Transcript');
    expect(transcript).not.toContain('David');
    const lines = transcript.split('\n').filter((l) => l.startsWith('- '));
    const expected = [...spoken].sort((a, b) => a.from - b.from);
    expect(lines).toHaveLength(expected.length);
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    lines.forEach((line, i) => {
      const { name, paper } = expected[i]!;
      expect(line).toMatch(
        new RegExp(
          `^- \\d\\d:\\d\\d:\\d\\d \\(\\+0:\\d\\d:\\d\\d\\) \\*\\*${name}\\*\\*: ${escaped(name)} speaking about `,
        ),
      );
      expect(line.endsWith(`speaking about ${paper}`.replace(/[:]/g, ':'))).toBe(true);
    });
    // Under the right papers: each paper's heading, then only the lines spoken while it was presented.
    const [first, second] = TITLES.map((t) => transcript.indexOf(`### ${t}`));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first!);
    expect(transcript.slice(first, second)).not.toContain(`about ${TITLES[1]}`);
    expect(transcript.slice(second)).not.toContain(`about ${TITLES[0]}`);
    // The written summary, its chapters, the heard Q&A and the suggested takeaways; marked as generated.
    expect(file).toContain('## Written summary (generated by llama3.1 from the transcript; it may contain mistakes)');
    expect(file).toContain('The group compared sparse attention with dense baselines');
    expect(file.match(/\*Chapter \(generated\), /g)).toHaveLength(2);
    expect(section(file, '## Heard in the discussion')).toContain('Does the sparsity pattern transfer');
    expect(section(file, '## Suggested takeaways (generated)')).toContain('Sparse attention needs learned routing.');
    // Only opted-in members' words went to the model, and no member id.
    const prompt = llm.requests.flatMap((r) => r.messages.map((m) => m.content)).join('\n');
    expect(prompt).toContain('Charlie speaking about');
    expect(prompt).not.toContain('David');
    expect(prompt).not.toContain(id('Charlie'));
    // The key is never logged.
    expect(bot.stdout + bot.stderr).not.toContain(API_KEY);
    expect(emu.violations).toEqual([]);
  }, 120_000);

  it('WHEN the provider answers 500 then 429 before succeeding, a member leaves mid-session and the model answers invalid JSON twice THEN every line arrives once, the leaver is no longer heard and their earlier lines are gone, and the recap goes out without a summary and says why', async () => {
    const w = await world();
    const { emu, guild, stt, llm } = w;
    const id = (name: string) => emu.world.memberByName(guild, name).user.id;
    stt.answer = (request, index) =>
      index === 0
        ? { status: 500, error: 'the GPU fell over' }
        : index === 1
          ? { status: 429, error: 'slow down', retryAfterSeconds: 1 }
          : { status: 200, body: { text: `${voiceIn(request).name} says something` } };
    llm.answer = () => ({ status: 200, body: chatCompletion('Sure! Here is the summary: the session was great.') });
    await setUp(w);
    for (const name of ['Charlie', 'Cong']) await emu.command(as(guild, name), 'transcript', 'join').answer();
    await startSession(w);
    await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
    await Promise.all([say(w, 'Charlie', 1_000), say(w, 'Cong', 1_000)]);
    await eventually(async () => (await storedEntries(w)).length === 2, 20_000, 'the first two lines, after retries');
    expect(stt.requests).toHaveLength(4);
    // The 429's Retry-After (1 s) was waited, not just the 300 ms backoff.
    const retried = stt.requests.slice(2).map((r) => r.at - stt.requests[1]!.at);
    expect(Math.max(...retried)).toBeGreaterThanOrEqual(950);

    const left = await emu.command(as(guild, 'Cong'), 'transcript', 'leave').answer();
    expect(left.content).toBe(
      'You are opted out: nobody hears you from now on. 1 of your lines not yet in a recap were removed.',
    );
    expect((await storedEntries(w)).map((e) => e.userId)).toEqual([id('Charlie')]);
    const sentBefore = stt.requests.length;
    await Promise.all([say(w, 'Charlie', 800), say(w, 'Cong', 800)]);
    await eventually(async () => (await storedEntries(w)).length === 2, 20_000, "Charlie's second line");
    // Cong's audio after leaving never reached the provider.
    expect(stt.requests.slice(sentBefore).map((r) => voiceIn(r).name)).toEqual(['Charlie']);

    const { file } = await endSession(w);
    const transcript = section(file, '## Transcript');
    expect(transcript.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(2);
    expect(transcript).not.toContain('Cong');
    expect(file).toContain("## Written summary\nNo written summary: the language model's answer was invalid twice");
    expect(file).not.toContain('## Heard in the discussion');
    // Asked twice: the second time with what was wrong with the first answer.
    expect(llm.requests).toHaveLength(2);
    expect(llm.requests[1]!.messages.at(-2)).toMatchObject({ role: 'assistant' });
    expect(llm.requests[1]!.messages.at(-1)!.content).toMatch(/JSON/);
    expect(emu.violations).toEqual([]);
  }, 120_000);

  it('WHEN the speech-to-text server is down past every retry THEN the utterance is kept as a gap, the session goes on (questions, board, recap), and lines come back once it is up', async () => {
    const w = await world();
    const { emu, guild, stt } = w;
    stt.answer = (request) => ({ status: 200, body: { text: `${voiceIn(request).name} is back` } });
    await setUp(w);
    await emu.command(as(guild, 'Charlie'), 'transcript', 'join').answer();
    await startSession(w);
    await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
    stt.down = true;
    const spoke = await say(w, 'Charlie', 1_000);
    // Meanwhile the session is unaffected.
    const asked = await emu
      .command(as(guild, 'Hanish'), 'ask', undefined, { question: 'Is the provider down?' })
      .answer();
    expect(asked.content).toMatch(/^Question logged/);
    await eventually(
      async () => (await storedEntries(w)).some((e) => 'gap' in e),
      20_000,
      'the gap after the last retry (4 tries, 300 ms doubling)',
    );
    const [gap] = await storedEntries(w);
    expect(gap).toMatchObject({ gap: 'not transcribed: the server could not be reached' });
    expect(Math.abs(gap!.from - spoke.from)).toBeLessThan(300);
    expect(gap!.to - gap!.from).toBeGreaterThan(900);
    stt.down = false;
    await say(w, 'Charlie', 800);
    await eventually(async () => (await storedEntries(w)).length === 2, 20_000, 'the line once the server is back');

    const { file } = await endSession(w);
    const lines = section(file, '## Transcript')
      .split('\n')
      .filter((l) => l.startsWith('- '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /\*\*Charlie\*\*: \*not transcribed, \d\d:\d\d:\d\d–\d\d:\d\d:\d\d \(not transcribed: the server could not be reached\)\*$/,
    );
    expect(lines[1]).toMatch(/\*\*Charlie\*\*: Charlie is back$/);
    expect(file).toContain('Is the provider down?');
    expect(emu.violations).toEqual([]);
  }, 120_000);

  it('WHEN the worker is killed (SIGKILL) with 50 utterances queued THEN after a restart each is transcribed and stored exactly once', async () => {
    const w = await world({ LECTERN_STT_CONCURRENCY: '4' }, { role: 'worker' });
    const { emu, guild, stt, store, audioStore, transcripts, bot, env } = w;
    const texts = new Map<string, string>();
    stt.answer = (request) => ({
      delayMs: 400,
      status: 200,
      body: { text: texts.get(createHash('sha256').update(request.file).digest('hex')) ?? 'unknown' },
    });
    const member = emu.world.memberByName(guild, 'Charlie').user.id;
    const sessions = new SessionStore(store);
    const { sessionId } = await sessions.start(guild.id, member, Date.now());
    await transcripts.start(guild.id, sessionId);
    await transcripts.join(guild.id, member, 0);
    // Queued as the gateway's transcriber queues them: the audio in Redis, then a job on the bot's own queue.
    const producer = new JobQueue(
      store,
      () => createWorkerRedis(w.redis.url),
      emu.applicationId,
      createLogger('silent'),
      Date.now,
    );
    cleanup.push(() => producer.close());
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const samples = new Int16Array(8_000).map((_, t) =>
        Math.round(8_000 * Math.sin((2 * Math.PI * (200 + i) * t) / 16_000)),
      );
      const wav = wavFile(samples);
      texts.set(createHash('sha256').update(wav).digest('hex'), `utterance ${i}`);
      const utteranceId = `u${String(i).padStart(3, '0')}`;
      ids.push(utteranceId);
      const from = 1_000 + i * 1_000;
      await transcripts.queue(guild.id, sessionId, { id: utteranceId, userId: member, from, to: from + 500, wav });
      await producer.enqueue(
        'transcribe',
        { guildId: guild.id, sessionId, utteranceId, userId: member, from, to: from + 500 },
        { jobId: `stt-${guild.id}-${utteranceId}` },
      );
    }
    // The audio waits on the audio Redis only: none of it is in the main one (which keeps an AOF).
    expect(await store.keys('*transcript:audio*')).toEqual([]);
    expect((await audioStore.keys('*transcript:audio*')).length).toBeGreaterThan(30);
    await eventually(async () => (await transcripts.entries(guild.id, sessionId)).length >= 8, 20_000, 'some lines');
    await bot.kill('SIGKILL');
    const killedAt = (await transcripts.entries(guild.id, sessionId)).length;
    expect(killedAt).toBeLessThan(50);
    const restarted = new BotProcess(env);
    cleanup.push(() => restarted.kill('SIGKILL'));
    await restarted.waitForLog(/worker ready/);
    await eventually(
      async () => (await transcripts.pending(guild.id, sessionId)) === 0,
      60_000,
      'every utterance transcribed after the restart',
    );
    const entries = await transcripts.entries(guild.id, sessionId);
    expect(entries.map((e) => e.id).sort()).toEqual(ids);
    expect(entries.map((e) => ('text' in e ? e.text : e.gap))).toEqual(ids.map((_, i) => `utterance ${i}`));
    // At-least-once to the provider: only the requests in flight at the kill (at most 4) were sent twice.
    expect(stt.requests.length - 50).toBeLessThanOrEqual(4);
    // No audio is left behind.
    expect(await audioStore.keys('*transcript:audio*')).toEqual([]);
  }, 120_000);

  it('WHEN a host stops the transcript THEN nobody is heard any more, the nickname is restored, status says so; /transcript show shows it and the archive page too', async () => {
    const w = await world();
    const { emu, guild, stt } = w;
    stt.answer = (request) => ({ status: 200, body: { text: `${voiceIn(request).name} @everyone **bold**` } });
    await setUp(w);
    const archive = await emu.command(as(guild, 'Tanishq'), 'setup', 'archive', { visibility: 'link' }).answer();
    const link = /(http:\/\/\S+\/a\/\S+\/)/.exec(archive.content)![1]!;
    await emu.command(as(guild, 'Charlie'), 'transcript', 'join').answer();
    await startSession(w);
    await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
    await say(w, 'Charlie', 800);
    await eventually(async () => (await storedEntries(w)).length === 1, 20_000, "Charlie's line");

    // Only hosts may stop it.
    const refused = await emu.command(as(guild, 'Charlie'), 'transcript', 'stop').answer();
    expect(refused.content).toMatch(/^Only hosts can do that/);
    const stopped = await emu.command(as(guild, 'Tanishq'), 'transcript', 'stop').answer();
    expect(stopped).toMatchObject({ ephemeral: false, content: expect.stringMatching(/^Transcript stopped/) });
    await until(() => emu.world.memberByName(guild, 'Lectern').nick === undefined, 5_000, 'the nickname restored');
    const again = await emu.command(as(guild, 'Tanishq'), 'transcript', 'stop').answer();
    expect(again.content).toBe('The transcript of this session was already stopped.');
    const status = await emu.command(as(guild, 'Hanish'), 'session', 'status').answer();
    expect(status.embeds[0]!.fields!.find((f) => f.name === 'Transcribed')?.value).toBe(
      'nobody: a host stopped the transcript',
    );
    const sent = stt.requests.length;
    await say(w, 'Charlie', 800);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(stt.requests).toHaveLength(sent);

    // /transcript show: the line, its speaker and time under the paper, mentions and markdown defused.
    const shown = await emu.command(as(guild, 'David'), 'transcript', 'show').answer();
    expect(shown.ephemeral).toBe(true);
    const charlie = emu.world.memberByName(guild, 'Charlie').user.id;
    const [heading, line, ...rest] = shown.content.split('\n');
    expect(heading).toBe(`**${TITLES[0]}**`);
    expect(line).toMatch(/^`\+0:00:\d\d` <@\d+>: Charlie @\u200deveryone \\\*\\\*bold\\\*\\\*$/);
    expect(line).toContain(`<@${charlie}>`);
    expect(rest).toEqual([]);

    await endSession(w);
    const sessionId = (await new SessionStore(w.store).lastEnded(guild.id))!.id;
    const page = await (await fetch(`${link}sessions/${sessionId}`)).text();
    expect(page).toContain('<h2 id="transcript">Transcript</h2>');
    expect(page).toContain('<strong>Charlie</strong>');
    expect(page).toContain('Charlie @everyone **bold**');
    const old = await emu.command(as(guild, 'David'), 'transcript', 'show', { date: '2001-01-01' }).answer();
    expect(old.content).toBe('No session took place on 2001-01-01.');
    expect(emu.violations).toEqual([]);
  }, 120_000);

  it('WHEN the host moves to the next paper while a member is still speaking THEN the line stays under the paper it began in; WHEN the setting is turned off mid-session THEN nobody is heard from then on', async () => {
    const w = await world();
    const { emu, guild, stt } = w;
    stt.answer = (request) => ({ status: 200, body: { text: `${voiceIn(request).name} about ${request.prompt}` } });
    await setUp(w);
    await emu.command(as(guild, 'Charlie'), 'transcript', 'join').answer();
    await startSession(w);
    await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
    const speaking = say(w, 'Charlie', 2_000);
    await new Promise((r) => setTimeout(r, 600));
    await emu.command(as(guild, 'Tanishq'), 'paper', 'next').answer();
    await speaking;
    await eventually(async () => (await storedEntries(w)).length === 1, 20_000, "Charlie's line");
    const [line] = await storedEntries(w);
    expect(line).toMatchObject({ text: `Charlie about ${TITLES[0]}` });
    expect(stt.requests[0]!.prompt).toBe(TITLES[0]);

    const off = await emu.command(as(guild, 'Tanishq'), 'setup', 'transcript', { enabled: false }).answer();
    expect(off.content).toBe(
      'Saved. Nobody is transcribed, from now on in this session too; members who opted in stay opted in for when it is back on.',
    );
    await until(() => emu.world.memberByName(guild, 'Lectern').nick === undefined, 5_000, 'the nickname restored');
    await say(w, 'Charlie', 800);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(stt.requests).toHaveLength(1);
    const { file } = await endSession(w);
    expect(
      section(file, '## Transcript')
        .split('\n')
        .filter((l) => l.startsWith('- ')),
    ).toHaveLength(1);
    expect(emu.violations).toEqual([]);
  }, 120_000);

  it('GIVEN a speech-to-text server but audio that would wait in a Redis writing to disk THEN the bot refuses to start and says what to set', async () => {
    const redis = await PrivateRedis.start();
    const emu = await new Emulator().start();
    cleanup.push(
      () => redis.stop(),
      () => emu.stop(),
    );
    // The private Redis keeps an AOF, as the main one in docker-compose.yml does.
    const bot = new BotProcess(botEnv(emu, redis.url, { LOG_LEVEL: 'info', LECTERN_STT_URL: 'http://127.0.0.1:9/v1' }));
    cleanup.push(() => bot.kill('SIGKILL'));
    expect((await bot.exited).code).toBe(1);
    expect(bot.stdout).toContain(
      'LECTERN_STT_URL is set, but the Redis that would hold audio waiting for its text (REDIS_URL) writes to disk',
    );
  }, 60_000);
});
