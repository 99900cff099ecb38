import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { MAX_UTTERANCE_MS, STT_RATE, wavFile } from '../src/domain/transcript/audio.js';
import type { TranscriptEntry } from '../src/domain/transcript/transcript.js';
import { jobPayloads, transcribeJobId, type JobHandlers, type JobName } from '../src/jobs/contract.js';
import { transcribeHandler } from '../src/jobs/handlers/transcribe.js';
import { JobQueue, jobPrefix, type LaneOptions } from '../src/jobs/job-queue.js';
import { keys } from '../src/store/keys.js';
import { connectRedis, createWorkerRedis, type RedisClient } from '../src/store/redis.js';
import { TranscriptStore } from '../src/store/transcript-store.js';
import { SpeechToText } from '../src/transcript/providers.js';
import { SpeakerAudio } from '../src/voice/speaker-audio.js';
import { FakeStt } from '../tests/support/providers.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { opusFrames, random, speechLike } from '../tests/support/speech.js';
import { percentile, type Figure, type Target } from './stats.js';

/**
 * The opt-in voice transcript under load. Three parts, each in this process:
 * 1. the CPU the bot spends per packet of an opted-in speaker (SpeakerAudio: libopus in WebAssembly decoding straight
 *    to 16 kHz mono, and its UtteranceBuffer; then a WAV per finished piece), for 20 speakers speaking at once,
 *    as process CPU (V8's helper threads, which do most of the collecting, included), and again with a heap the size
 *    of a bot's. As the transcriber does it, one SpeakerAudio per speaker, opened at their first utterance, kept
 *    between utterances and freed at the end; and, for comparison, the old way: one opened and freed per utterance;
 * 2. the memory a speaker holds while speaking, between utterances and after free(), and whether 100 live decoders
 *    all decode;
 * 3. the `lectern-stt` lane draining a 3-hour, 10-speaker session against a 1 s provider at concurrency 4, on real
 *    Redis and BullMQ: the session replayed compressed, and its last 100 utterances queued at once.
 */

const SPEAKERS = 20;
const SPEECH_MS = 60_000;
const FRAME_MS = 20;
const TICKS = SPEECH_MS / FRAME_MS;
/** The memory probe: 29 s pushed, just under the 30 s at which the buffer hands its audio out. */
const MEMORY_TICKS = 29_000 / FRAME_MS;
/** The live-decoder probe: this many SpeakerAudio open at once, each given this much speech, interleaved. */
const LIVE_DECODERS = 100;
const LIVE_TICKS = 1_000 / FRAME_MS;
const CORE_TARGET: Target = { op: '<', value: 0.5 };
/**
 * Small objects held while the audio path is timed again: this process's heap is far smaller than a bot's (its
 * guilds, members and channels cached), and how long a full collection takes grows with the heap. About 100 MB.
 */
const BALLAST_OBJECTS = 700_000;
/** 30 s of 16 kHz 16-bit mono: the most an UtteranceBuffer may hold. */
const HELD_BOUND = (MAX_UTTERANCE_MS / 1000) * STT_RATE * Int16Array.BYTES_PER_ELEMENT;
/** What Discord clients send when a member stops talking (the transcriber skips it, as here). */
const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
/** Packets the transcriber keeps while a decoder opens (its MAX_EARLY_PACKETS). */
const MAX_EARLY_PACKETS = 50;

const SESSION_MS = 3 * 3_600_000;
const SESSION_SPEAKERS = 10;
/** The steady-state replay runs this many times faster than the session (3 h in 60 s). */
const COMPRESSION = 180;
const PROVIDER_MS = 1_000;
const STT_LANE: LaneOptions = { concurrency: 4, attempts: 6, backoffMs: 2_000 };
const BURST = 100;

const MB = 2 ** 20;
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const cpuMsSince = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1_000;
};
let began = performance.now();
const progress = (what: string) =>
  console.error(`  [transcript ${((performance.now() - began) / 1000).toFixed(0)} s] ${what}`);

/** One speaker's minute of speech: the Opus packets a client sends, the same sealed as RTP, and its utterances. */
interface Voice {
  packets: Buffer[];
  /** RTP header + AES-256-GCM ciphertext + tag + 4-byte nonce, as aead_aes256_gcm_rtpsize carries them. */
  sealed: Buffer[];
  /** Ticks at which a new utterance starts (the first at 0): utterances of 2–30 s, back to back. */
  starts: Set<number>;
}

const SECRET_KEY = randomBytes(32);

function seal(packet: Buffer, sequence: number, ssrc: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt8(0x80, 0);
  header.writeUInt8(0x78, 1);
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE((sequence * 960) >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(sequence, 0);
  const cipher = createCipheriv('aes-256-gcm', SECRET_KEY, nonce);
  cipher.setAAD(header);
  const encrypted = Buffer.concat([cipher.update(packet), cipher.final()]);
  return Buffer.concat([header, encrypted, cipher.getAuthTag(), nonce.subarray(0, 4)]);
}

/** What @discordjs/voice's VoiceReceiver.decrypt does per packet in aead_aes256_gcm_rtpsize mode (no DAVE). */
function unseal(buffer: Buffer, nonce: Buffer): Buffer {
  buffer.copy(nonce, 0, buffer.length - 4);
  let headerSize = 12;
  if ((buffer.readUint8() >> 4) & 1) headerSize += 4;
  const header = buffer.subarray(0, headerSize);
  const encrypted = buffer.subarray(headerSize, buffer.length - 16 - 4);
  const authTag = buffer.subarray(buffer.length - 16 - 4, buffer.length - 4);
  const decipher = createDecipheriv('aes-256-gcm', SECRET_KEY, nonce);
  decipher.setAAD(header);
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

/** Emulator-side work, before any timing: speech, its Opus packets, their RTP sealing and the utterance cuts. */
function prepareVoices(): Voice[] {
  const voices: Voice[] = [];
  for (let s = 0; s < SPEAKERS; s++) {
    const packets = opusFrames(speechLike(SPEECH_MS, { frequency: 95 + 9 * s, seed: 100 + s }));
    const sealed = packets.map((p, i) => seal(p, i, 1_000 + s));
    const next = random(500 + s);
    const starts = new Set<number>();
    for (let tick = 0; tick < TICKS; tick += Math.round((2_000 + 28_000 * next() ** 2) / FRAME_MS)) starts.add(tick);
    voices.push({ packets, sealed, starts });
  }
  return voices;
}

/**
 * What the runs saw: WAV bytes (summed so the work cannot be skipped), the most any buffer held, how long each
 * SpeakerAudio took to open and each utterance waited for its decoder (both reset before each timed run), and
 * anything the transcriber would have lost (packets past the early cap, utterances over before their decoder
 * opened, packets libopus refused), counted across all runs.
 */
const sink = {
  wavBytes: 0,
  wavs: 0,
  heldMax: 0,
  openMs: [] as number[],
  waitMs: [] as number[],
  earlyDropped: 0,
  lost: 0,
  damaged: 0,
};

function wav(samples: Int16Array) {
  sink.wavBytes += wavFile(samples).length;
  sink.wavs++;
}

/** The transcriber's way (one decoder per speaker), or the old one (a decoder per utterance), for comparison. */
type Opening = 'per speaker' | 'per utterance';

/** The decoder's memory goes (SpeakerAudio.free), the packets it refused counted first. */
function release(audio: SpeakerAudio) {
  sink.damaged += audio.damaged;
  audio.free();
}

/**
 * The transcriber's decoders, as Transcriber.decoderOf and stop keep them: 'per speaker' opens one SpeakerAudio at
 * a speaker's first utterance, keeps it between their utterances and frees them all at the end; 'per utterance'
 * (the old way) opens one at each utterance's start and frees it at its end.
 */
class Decoders {
  private readonly open = new Map<number, Promise<SpeakerAudio>>();

  constructor(private readonly opening: Opening) {}

  of(speaker: number): Promise<SpeakerAudio> {
    let audio = this.open.get(speaker);
    if (audio && this.opening === 'per speaker') return audio;
    const asked = performance.now();
    audio = SpeakerAudio.open().then((opened) => {
      sink.openMs.push(performance.now() - asked);
      return opened;
    });
    if (this.opening === 'per speaker') this.open.set(speaker, audio);
    return audio;
  }

  /** An utterance is done with its decoder: kept for the speaker's next one, or (the old way) freed. */
  done(audio: SpeakerAudio) {
    if (this.opening === 'per utterance') release(audio);
  }

  /** As Transcriber.stop: every decoder freed. */
  async free() {
    const opened = [...this.open.values()];
    this.open.clear();
    for (const audio of await Promise.all(opened)) release(audio);
  }
}

/**
 * One utterance as Transcriber.speakingStarted and finish handle it: the speaker's decoder asked for (packets
 * meanwhile kept, up to MAX_EARLY_PACKETS; even a decoder already open is handed over a microtask later), Discord's
 * silence frames skipped, each finished 30 s piece and the rest at the end given to `piece` (a WAV, or kept for the
 * WAV-only timing).
 */
class Listening {
  private audio: SpeakerAudio | undefined;
  private early: Buffer[] = [];
  private closed = false;
  readonly opened: Promise<void>;

  constructor(
    private readonly decoders: Decoders,
    speaker: number,
    private readonly piece: (samples: Int16Array) => void,
  ) {
    const asked = performance.now();
    this.opened = decoders.of(speaker).then((audio) => {
      sink.waitMs.push(performance.now() - asked);
      if (this.closed) return decoders.done(audio);
      this.audio = audio;
      for (const packet of this.early.splice(0)) this.decode(packet);
    });
  }

  write(packet: Buffer) {
    if (packet.equals(SILENCE_FRAME)) return;
    if (this.audio) this.decode(packet);
    else if (this.early.length < MAX_EARLY_PACKETS) this.early.push(packet);
    else sink.earlyDropped++;
  }

  get heldBytes() {
    return this.audio?.heldBytes ?? 0;
  }

  private decode(packet: Buffer) {
    for (const samples of this.audio!.push(packet)) this.piece(samples);
    sink.heldMax = Math.max(sink.heldMax, this.audio!.heldBytes);
  }

  /**
   * As Transcriber.finish: the rest handed out, the decoder kept for the speaker's next utterance (the old way:
   * freed); an utterance whose decoder is not in hand yet is lost.
   */
  end() {
    this.closed = true;
    if (!this.audio) return void sink.lost++;
    const rest = this.audio.end();
    this.decoders.done(this.audio);
    this.audio = undefined;
    if (rest) this.piece(rest);
  }
}

/**
 * Every speaker's packets in 20 ms ticks, interleaved as they arrive; a turn of the event loop after each tick. At
 * the end, the last utterances end and every decoder is freed (Transcriber.stop).
 */
async function stream(
  voices: Voice[],
  ticks: number,
  piece: (samples: Int16Array) => void,
  opening: Opening = 'per speaker',
) {
  const decoders = new Decoders(opening);
  const live: Listening[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    for (let s = 0; s < voices.length; s++) {
      const voice = voices[s]!;
      let listening = live[s];
      if (!listening || voice.starts.has(tick)) {
        listening?.end();
        live[s] = listening = new Listening(decoders, s, piece);
      }
      listening.write(voice.packets[tick]!);
    }
    await turn();
  }
  await Promise.all(live.map((l) => l.opened));
  for (const listening of live) listening.end();
  await decoders.free();
}

async function decryptOnly(voices: Voice[], ticks: number) {
  const nonce = Buffer.alloc(12);
  let bytes = 0;
  for (let tick = 0; tick < ticks; tick++) {
    for (const voice of voices) bytes += unseal(voice.sealed[tick]!, nonce).length;
    await turn();
  }
  const expected = voices.reduce((sum, v) => sum + v.packets.slice(0, ticks).reduce((n, p) => n + p.length, 0), 0);
  if (bytes !== expected) throw new Error(`decrypted ${bytes} bytes of Opus, expected ${expected}`);
}

/** SpeakerAudio alone: the same stream, its pieces kept rather than made WAVs. */
async function decodeOnly(voices: Voice[], ticks: number, pieces: Int16Array[] = [], opening: Opening = 'per speaker') {
  await stream(voices, ticks, (samples) => pieces.push(samples), opening);
  return pieces;
}

/** wavFile alone, on pieces decoded beforehand (untimed), one after another. */
function wavOnly(pieces: Int16Array[]) {
  const started = process.cpuUsage();
  for (const samples of pieces) wav(samples);
  return cpuMsSince(started);
}

/** Garbage collections seen (their count, and their main-thread pauses in ms), while transcriptFigures runs. */
const collections = { count: 0, ms: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    [collections.count, collections.ms] = [collections.count + 1, collections.ms + entry.duration];
});

/** CPU and wall time of `work`, and the collections during it (the observer reports a little later: waited for). */
async function timed(work: () => Promise<unknown>) {
  gc();
  await sleep(20);
  const before = { ...collections };
  const started = process.cpuUsage();
  const wall = performance.now();
  await work();
  const [cpu, took] = [cpuMsSince(started), performance.now() - wall];
  await sleep(20);
  return { cpu, wall: took, collections: collections.count - before.count, gcMs: collections.ms - before.ms };
}

/**
 * WebAssembly memories' resident bytes, from /proc/self/smaps (Linux; undefined elsewhere). V8 reserves each memory
 * with guard pages: a read-write mapping (the memory's pages) right before a large inaccessible one (the rest of
 * the reservation); the kernel counts only touched pages of the first as resident.
 */
function wasmResident(): { memories: number; bytes: number } | undefined {
  let smaps: string;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const mappings: Array<{ start: bigint; end: bigint; perms: string; rssKb: number }> = [];
  for (const line of smaps.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+)/.exec(line);
    if (range)
      mappings.push({ start: BigInt(`0x${range[1]}`), end: BigInt(`0x${range[2]}`), perms: range[3]!, rssKb: 0 });
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && mappings.length > 0) mappings.at(-1)!.rssKb = Number(rss[1]);
  }
  let [memories, bytes] = [0, 0];
  mappings.forEach((m, i) => {
    const next = mappings[i + 1];
    const guard = next && next.start === m.end && next.perms.startsWith('---') && next.end - next.start > 2n ** 32n;
    if (guard && m.perms.startsWith('rw')) [memories, bytes] = [memories + 1, bytes + m.rssKb * 1024];
  });
  return { memories, bytes };
}

/**
 * Memory once collected: V8 frees array buffers' and WebAssembly memories off the main thread, so gc and wait,
 * thrice. `js`: heapUsed + arrayBuffers (objects, and the samples held); `wasm`: external − arrayBuffers (each
 * decoder's whole WebAssembly memory, resident or not); `wasmResident`: the pages of those memories resident;
 * `resident`: js + wasmResident; `v8`: heapUsed + external, all V8 counts.
 */
async function settledMemory() {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(30);
  }
  const m = process.memoryUsage();
  const wasm = wasmResident();
  const js = m.heapUsed + m.arrayBuffers;
  return {
    js,
    wasm: m.external - m.arrayBuffers,
    wasmMemories: wasm?.memories ?? NaN,
    wasmResident: wasm?.bytes ?? NaN,
    resident: js + (wasm?.bytes ?? NaN),
    v8: m.heapUsed + m.external,
  };
}
type Memory = Awaited<ReturnType<typeof settledMemory>>;
/** Per speaker, in MB (the count of memories as it is). */
const perSpeaker = (now: Memory, base: Memory, count: number) =>
  Object.fromEntries(
    Object.entries(now).map(([k, v]) => [k, (v - base[k as keyof Memory]) / count / (k === 'wasmMemories' ? 1 : MB)]),
  ) as Memory;

const sameSamples = (a: Int16Array | undefined, b: Int16Array | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * LIVE_DECODERS SpeakerAudio opened at once (opusscript's shared heap broke the live ones past a few dozen), each
 * given a second of a voice, interleaved packet by packet; one is ok when nothing was damaged and its samples are
 * those the same packets give through a decoder alone.
 */
async function liveDecoders(voices: Voice[]) {
  const alone: Array<Int16Array | undefined> = [];
  for (const voice of voices) {
    const audio = await SpeakerAudio.open();
    for (const packet of voice.packets.slice(0, LIVE_TICKS)) audio.push(packet);
    alone.push(audio.end());
    audio.free();
  }
  const opening = performance.now();
  const live = await Promise.all(Array.from({ length: LIVE_DECODERS }, () => SpeakerAudio.open()));
  const openAllMs = performance.now() - opening;
  for (let tick = 0; tick < LIVE_TICKS; tick++)
    live.forEach((audio, i) => audio.push(voices[i % voices.length]!.packets[tick]!));
  let ok = 0;
  live.forEach((audio, i) => {
    const damaged = audio.damaged;
    if (sameSamples(audio.end(), alone[i % voices.length]) && damaged === 0) ok++;
    audio.free();
  });
  const silent = alone.filter((samples) => !samples || samples.every((v) => v === 0)).length;
  if (silent > 0) throw new Error(`${silent} reference decodes gave no audio`);
  return { ok, openAllMs };
}

async function audioFigures() {
  progress(`encoding ${SPEAKERS} speakers × ${SPEECH_MS / 1000} s of speech (emulator side, untimed)`);
  const voices = prepareVoices();
  const utterances = voices.reduce((n, v) => n + v.starts.size, 0);

  // Warm-up: the JIT and opus-decoder's compiled WebAssembly module, both ways of opening decoders.
  await stream(voices.slice(0, 2), 500, wav);
  await stream(voices.slice(0, 2), 500, wav, 'per utterance');
  wavOnly(await decodeOnly(voices.slice(0, 2), 500));
  await decryptOnly(voices.slice(0, 2), 500);
  Object.assign(sink, { wavBytes: 0, wavs: 0, heldMax: 0, earlyDropped: 0, lost: 0, damaged: 0 });
  /** A timed run of the stream, and the opens and decoder waits it saw. */
  const run = async (work: () => Promise<unknown>) => {
    Object.assign(sink, { openMs: [], waitMs: [] });
    const took = await timed(work);
    return { ...took, openMs: sink.openMs, waitMs: sink.waitMs };
  };

  progress('timing decode + WAV, then each alone (one decoder per speaker, as the transcriber does)');
  const full = await run(() => stream(voices, TICKS, wav));
  const wavs = sink.wavs;
  const pieces: Int16Array[] = [];
  const decode = await run(() => decodeOnly(voices, TICKS, pieces));
  const pieceCount = pieces.length;
  gc();
  const wavCpu = wavOnly(pieces);
  pieces.length = 0;
  progress('the old way, for comparison: a decoder opened and freed per utterance');
  const oldFull = await run(() => stream(voices, TICKS, wav, 'per utterance'));
  const oldDecode = await run(() => decodeOnly(voices, TICKS, [], 'per utterance'));
  const decrypt = await timed(() => decryptOnly(voices, TICKS));

  progress(`again, with ${BALLAST_OBJECTS.toLocaleString('en')} more small objects on the heap (a bot's caches)`);
  const heapBefore = (await settledMemory()).js;
  const ballast = Array.from({ length: BALLAST_OBJECTS }, (_, i) => ({ id: i, name: `member ${i}`, roles: [i] }));
  const ballastMb = ((await settledMemory()).js - heapBefore) / MB;
  const bigHeap = await run(() => stream(voices, TICKS, wav));
  const bigHeapDecode = await run(() => decodeOnly(voices, TICKS));
  const oldBigHeap = await run(() => stream(voices, TICKS, wav, 'per utterance'));
  ballast.length = 0;
  const perMinute = (cpu: number) => cpu / SPEAKERS / (SPEECH_MS / 60_000);
  const share = full.cpu / SPEECH_MS;
  const shareWithDecrypt = (full.cpu + decrypt.cpu) / SPEECH_MS;
  /** The share of the old way's CPU that one decoder per speaker saves. */
  const saved = (now: number, old: number) => 1 - now / old;

  // Memory: 20 speakers 29 s into an utterance, then with it over (decoders kept), then after free().
  progress(`memory of ${SPEAKERS} speakers 29 s into an utterance, between utterances and after free()`);
  const baseline = await settledMemory();
  const decoders = new Decoders('per speaker');
  const live: Listening[] = voices.map((_, s) => new Listening(decoders, s, wav));
  await Promise.all(live.map((l) => l.opened));
  for (let tick = 0; tick < MEMORY_TICKS; tick++) {
    for (let s = 0; s < SPEAKERS; s++) live[s]!.write(voices[s]!.packets[tick]!);
    await turn();
  }
  const speaking = perSpeaker(await settledMemory(), baseline, SPEAKERS);
  const heldAt29 = Math.max(...live.map((l) => l.heldBytes));
  for (const listening of live) listening.end();
  live.length = 0;
  const between = perSpeaker(await settledMemory(), baseline, SPEAKERS);
  await decoders.free();
  const after = perSpeaker(await settledMemory(), baseline, SPEAKERS);
  const heldMax = Math.max(sink.heldMax, heldAt29);

  progress(`${LIVE_DECODERS} decoders live at once`);
  const liveProbe = await liveDecoders(voices);
  const lostNote =
    `across all the runs above: ${sink.lost} utterances ended before their decoder was in hand, ` +
    `${sink.earlyDropped} packets past the early cap, ${sink.damaged} packets libopus refused`;

  const ms = (n: number) => n.toFixed(1);
  const mb = (n: number) => n.toFixed(3);
  const pct = (n: number) => `${(n * 100).toFixed(0)} %`;
  const decryptNote = '@discordjs/voice decrypting the packets is not included (see _decrypt figures)';
  const oldWay = 'the old way: a SpeakerAudio opened at each utterance and freed at its end';
  const figures: Record<string, Figure> = {
    transcript_cpu_per_speaker_minute: {
      value: perMinute(full.cpu),
      unit: 'ms',
      note:
        "CPU (user+system) per minute of one speaker's speech: SpeakerAudio (one per speaker, opened at their " +
        'first utterance, kept between utterances, freed at the end, as the transcriber does; libopus in ' +
        `WebAssembly decoding at 16 kHz mono, UtteranceBuffer) and a WAV per finished piece, ${SPEAKERS} speakers ` +
        `streamed packet by packet at once (${utterances} utterances); ${decryptNote}`,
    },
    transcript_cpu_20_speakers_core_share: {
      value: share,
      unit: 'share',
      target: CORE_TARGET,
      note: `of one core: CPU for ${SPEAKERS} speakers' minute / 60,000 ms; ${decryptNote}`,
    },
    transcript_cpu_decode_per_speaker_minute: {
      value: perMinute(decode.cpu),
      unit: 'ms',
      note:
        'SpeakerAudio alone (one per speaker: open, push, end per utterance, free; same packets and utterances), ' +
        'its pieces kept rather than made WAVs',
    },
    transcript_cpu_per_speaker_minute_open_per_utterance: {
      value: perMinute(oldFull.cpu),
      unit: 'ms',
      note:
        `transcript_cpu_per_speaker_minute done ${oldWay} (${oldFull.openMs.length} opens, ` +
        `${oldFull.collections} collections vs ${full.collections}): one decoder per speaker saves ` +
        `${pct(saved(full.cpu, oldFull.cpu))}`,
    },
    transcript_cpu_decode_per_speaker_minute_open_per_utterance: {
      value: perMinute(oldDecode.cpu),
      unit: 'ms',
      note:
        `transcript_cpu_decode_per_speaker_minute done ${oldWay}: the difference is what opening (and ` +
        `collecting) a decoder per utterance cost; one per speaker saves ${pct(saved(decode.cpu, oldDecode.cpu))}`,
    },
    transcript_cpu_per_speaker_minute_big_heap: {
      value: perMinute(bigHeap.cpu),
      unit: 'ms',
      note:
        `transcript_cpu_per_speaker_minute again with ${ballastMb.toFixed(0)} MB more of small objects held ` +
        `(${bigHeap.collections} collections): each collection has more to mark`,
    },
    transcript_cpu_20_speakers_core_share_big_heap: {
      value: bigHeap.cpu / SPEECH_MS,
      unit: 'share',
      target: CORE_TARGET,
      note: `of one core, with the ${ballastMb.toFixed(0)} MB more on the heap`,
    },
    transcript_cpu_decode_per_speaker_minute_big_heap: {
      value: perMinute(bigHeapDecode.cpu),
      unit: 'ms',
      note: `transcript_cpu_decode_per_speaker_minute with the ${ballastMb.toFixed(0)} MB more on the heap`,
    },
    transcript_cpu_per_speaker_minute_big_heap_open_per_utterance: {
      value: perMinute(oldBigHeap.cpu),
      unit: 'ms',
      note:
        `transcript_cpu_per_speaker_minute_big_heap done ${oldWay} (${oldBigHeap.collections} collections): one ` +
        `decoder per speaker saves ${pct(saved(bigHeap.cpu, oldBigHeap.cpu))}`,
    },
    transcript_gc_pause_per_speaker_minute: {
      value: perMinute(full.gcMs),
      unit: 'ms',
      note:
        `main-thread garbage-collection pauses during the decode + WAV run (${full.collections} collections), ` +
        "part of transcript_cpu_per_speaker_minute; each decoder's WebAssembly memory counts as V8 external memory",
    },
    transcript_gc_pause_per_speaker_minute_open_per_utterance: {
      value: perMinute(oldFull.gcMs),
      unit: 'ms',
      note: `the same, ${oldWay} (${oldFull.collections} collections)`,
    },
    transcript_cpu_wav_per_speaker_minute: {
      value: perMinute(wavCpu),
      unit: 'ms',
      note: `wavFile alone, on the ${pieceCount} pieces the decode-only run handed out`,
    },
    transcript_cpu_decrypt_per_speaker_minute: {
      value: perMinute(decrypt.cpu),
      unit: 'ms',
      note: "AES-256-GCM per RTP packet as @discordjs/voice's aead_aes256_gcm_rtpsize decrypt does; no DAVE (E2EE) layer",
    },
    transcript_cpu_20_speakers_core_share_with_decrypt: {
      value: shareWithDecrypt,
      unit: 'share',
      note: 'as transcript_cpu_20_speakers_core_share plus the AES-256-GCM decryption',
    },
    transcript_open_p50_ms: {
      value: percentile(full.openMs, 50),
      unit: 'ms',
      note:
        'SpeakerAudio.open() (a WebAssembly instance of the compiled module) to ready, once per speaker (at their ' +
        `first utterance), during the ${SPEAKERS}-speaker decode + WAV run; packets wait meanwhile (up to ` +
        `${MAX_EARLY_PACKETS}). ${lostNote}`,
    },
    transcript_open_p99_ms: {
      value: percentile(full.openMs, 99),
      unit: 'ms',
      note:
        `of ${full.openMs.length} opens, all asked for in the run's first tick, so each waits for the others' ` +
        'instantiation: not comparable with transcript_open_per_utterance_*, whose opens are mostly spread out',
    },
    transcript_decoder_wait_p99_ms: {
      value: percentile(full.waitMs, 99),
      unit: 'ms',
      note:
        `per utterance (${full.waitMs.length}), its start to its speaker's decoder in hand: the open at a ` +
        `speaker's first, a microtask after (p50 ${percentile(full.waitMs, 50).toFixed(3)} ms)`,
    },
    transcript_open_per_utterance_p50_ms: {
      value: percentile(oldFull.openMs, 50),
      unit: 'ms',
      note: `SpeakerAudio.open() to ready, ${oldWay}, during that decode + WAV run; packets wait meanwhile`,
    },
    transcript_open_per_utterance_p99_ms: {
      value: percentile(oldFull.openMs, 99),
      unit: 'ms',
      note: `of ${oldFull.openMs.length} opens, one per utterance`,
    },
    ...(Number.isFinite(speaking.resident) && {
      transcript_memory_per_speaker_speaking: {
        value: speaking.resident,
        unit: 'MB',
        note:
          `per speaker, ${SPEAKERS} speakers each 29 s into an utterance (their SpeakerAudio live), after gc: ` +
          "heapUsed + arrayBuffers (the samples held) + the resident pages of the decoder's WebAssembly memory (smaps)",
      },
      transcript_memory_per_speaker_between: {
        value: between.resident,
        unit: 'MB',
        note:
          "the same once the utterance ended (its WAVs made) and the decoder kept for the speaker's next one, as " +
          'the transcriber keeps it until it stops or the member leaves (the old way held nothing here)',
      },
      transcript_wasm_resident_per_decoder: {
        value: speaking.wasmResident,
        unit: 'MB',
        note:
          `the resident pages of one live decoder's WebAssembly memory after 29 s of speech (/proc/self/smaps; ` +
          `${(speaking.wasmMemories * SPEAKERS).toFixed(0)} more memories seen with ${SPEAKERS} speakers)`,
      },
    }),
    transcript_memory_per_speaker_speaking_js: {
      value: speaking.js,
      unit: 'MB',
      note: 'the same, heapUsed + arrayBuffers alone: no WebAssembly memory',
    },
    transcript_memory_per_speaker_speaking_v8: {
      value: speaking.v8,
      unit: 'MB',
      note:
        "the same, heapUsed + external: as V8 counts it, each decoder's whole WebAssembly memory in external " +
        '(transcript_wasm_memory_per_decoder), resident or not',
    },
    transcript_memory_per_speaker_between_v8: {
      value: between.v8,
      unit: 'MB',
      note:
        'heapUsed + external per speaker between utterances (the decoder kept): its whole WebAssembly memory ' +
        'stays counted by V8 for as long as the member is heard in the session',
    },
    transcript_wasm_memory_per_decoder: {
      value: speaking.wasm,
      unit: 'MB',
      note:
        "external − arrayBuffers per live SpeakerAudio: the WebAssembly memory opus-decoder's instance starts " +
        'with; committed address space that V8 counts as external memory (it weighs in when V8 collects), but ' +
        'mostly never touched, so not resident',
    },
    transcript_memory_per_speaker_after: {
      value: after.v8,
      unit: 'MB',
      note:
        'heapUsed + external per speaker after the decoders were freed (SpeakerAudio.free(), as when the ' +
        'transcriber stops or the member leaves), dropped and gc ran: the WebAssembly memories go once collected',
    },
    transcript_held_bytes_max: {
      value: heldMax,
      unit: 'count',
      target: { op: '<=', value: HELD_BOUND },
      note: 'bytes: the most SpeakerAudio.heldBytes seen after any push in the runs above (bound: 30 s of audio)',
    },
    transcript_live_decoders_ok: {
      value: liveProbe.ok,
      unit: 'count',
      note:
        `of ${LIVE_DECODERS} SpeakerAudio open at once, each given ${LIVE_TICKS} packets interleaved with the ` +
        "others': those with no damaged packet and the same samples as the packets decoded alone",
    },
    transcript_live_decoders_failed: {
      value: LIVE_DECODERS - liveProbe.ok,
      unit: 'count',
      target: { op: '<=', value: 0 },
    },
    transcript_open_100_at_once_ms: {
      value: liveProbe.openAllMs,
      unit: 'ms',
      note: `${LIVE_DECODERS} SpeakerAudio.open() at once, to the last ready`,
    },
  };
  const line =
    `Transcript audio (${SPEAKERS} speakers × ${SPEECH_MS / 1000} s at once, ${utterances} utterances of 2–30 s, ` +
    `${wavs} WAVs; one SpeakerAudio per speaker, kept between utterances): ${ms(perMinute(full.cpu))} ms CPU per ` +
    `speaker-minute for SpeakerAudio (libopus/WebAssembly at 16 kHz mono + UtteranceBuffer) + WAV, of which ` +
    `${ms(perMinute(full.gcMs))} ms gc pauses (${full.collections} collections); decode alone ` +
    `${ms(perMinute(decode.cpu))} (${decode.collections} collections), WAV alone ${ms(perMinute(wavCpu))}; so ` +
    `${SPEAKERS} speakers take ${(share * 100).toFixed(1)} % of one core (target < ${CORE_TARGET.value * 100} %; ` +
    `wall ${(full.wall / 1000).toFixed(1)} s for the 60 s); the AES-256-GCM decryption @discordjs/voice does first ` +
    `adds ${ms(perMinute(decrypt.cpu))} ms (${(shareWithDecrypt * 100).toFixed(1)} % with it; DAVE E2EE not ` +
    `included). The old way (a decoder opened and freed per utterance): ${ms(perMinute(oldFull.cpu))} ms ` +
    `(${oldFull.collections} collections, ${ms(perMinute(oldFull.gcMs))} ms gc pauses), decode alone ` +
    `${ms(perMinute(oldDecode.cpu))}: one decoder per speaker saves ${pct(saved(full.cpu, oldFull.cpu))} ` +
    `(decode alone ${pct(saved(decode.cpu, oldDecode.cpu))}). With ${ballastMb.toFixed(0)} MB more of small ` +
    `objects on the heap: ${ms(perMinute(bigHeap.cpu))} ms (${bigHeap.collections} collections, ` +
    `${((bigHeap.cpu / SPEECH_MS) * 100).toFixed(1)} % of a core), decode alone ${ms(perMinute(bigHeapDecode.cpu))}; ` +
    `the old way ${ms(perMinute(oldBigHeap.cpu))} ms (${oldBigHeap.collections} collections; saved ` +
    `${pct(saved(bigHeap.cpu, oldBigHeap.cpu))}). SpeakerAudio.open p50 ${ms(percentile(full.openMs, 50))} / p99 ` +
    `${ms(percentile(full.openMs, 99))} ms (${full.openMs.length} opens, one per speaker; an utterance waits for ` +
    `its decoder p99 ${ms(percentile(full.waitMs, 99))} ms; the old way's ${oldFull.openMs.length} opens p50 ` +
    `${ms(percentile(oldFull.openMs, 50))} / p99 ${ms(percentile(oldFull.openMs, 99))} ms; ${lostNote}). Memory ` +
    `per speaker 29 s into an utterance: ${mb(speaking.resident)} MB (${mb(speaking.js)} MB JS heap + samples, ` +
    `${mb(speaking.wasmResident)} MB of the decoder's WebAssembly memory resident); as V8 counts it ` +
    `${mb(speaking.v8)} MB, each decoder's whole ${mb(speaking.wasm)} MB WebAssembly memory being external; ` +
    `between utterances (decoder kept) ${mb(between.resident)} MB resident, ${mb(between.v8)} MB as V8 counts it; ` +
    `after free() and gc ${mb(after.v8)} MB heap + external. ` +
    `SpeakerAudio.heldBytes max ${heldMax.toLocaleString('en')} (bound ${HELD_BOUND.toLocaleString('en')}). ` +
    `${LIVE_DECODERS} decoders live at once (opened in ${ms(liveProbe.openAllMs)} ms): ${liveProbe.ok} decode ` +
    'exactly as a decoder alone does.';
  return { figures, line };
}

/** One utterance of the session, times in ms from its start. */
interface Planned {
  index: number;
  userId: string;
  from: number;
  to: number;
}

/**
 * A 3-hour session of 10 members taking turns: mostly one at a time (the presenter, speaker 0, about a third of the
 * turns), utterances of 2–30 s (most short), pauses of 0.3–3 s, and 15 % of turns with someone cutting in for 2–6 s.
 * Ordered by end: when the transcriber queues each.
 */
function sessionSchedule(): Planned[] {
  const next = random(2024);
  const users = Array.from({ length: SESSION_SPEAKERS }, (_, i) => `31000000000000${String(1000 + i)}`);
  const busyUntil = new Array<number>(SESSION_SPEAKERS).fill(0);
  const planned: Array<Omit<Planned, 'index'>> = [];
  const add = (speaker: number, from: number, to: number) => {
    if (to - from < 2_000) return;
    planned.push({ userId: users[speaker]!, from, to });
    busyUntil[speaker] = to;
  };
  let last = -1;
  for (let t = 5_000; t < SESSION_MS;) {
    let speaker = last;
    while (speaker === last) speaker = next() < 0.3 ? 0 : 1 + Math.floor(next() * (SESSION_SPEAKERS - 1));
    const from = Math.max(t, busyUntil[speaker]! + 300);
    const length = 2_000 + 28_000 * next() ** 2;
    const to = Math.min(SESSION_MS, from + length);
    add(speaker, from, to);
    if (next() < 0.15) {
      let other = speaker;
      while (other === speaker) other = Math.floor(next() * SESSION_SPEAKERS);
      const start = Math.max(from + next() * length * 0.8, busyUntil[other]! + 300);
      add(other, start, Math.min(SESSION_MS, start + 2_000 + 4_000 * next()));
    }
    last = speaker;
    t = to + 300 + 2_700 * next();
  }
  return planned.sort((a, b) => a.to - b.to || a.from - b.from).map((p, index) => ({ ...p, index }));
}

/** The real TranscriptStore, noting when each line is stored. */
class TimedTranscriptStore extends TranscriptStore {
  readonly storedAt = new Map<string, number>();
  gaps = 0;

  override async resolve(guildId: string, sessionId: string, entry: TranscriptEntry) {
    const outcome = await super.resolve(guildId, sessionId, entry);
    if (outcome === 'stored') this.storedAt.set(entry.id, performance.now());
    if ('gap' in entry) this.gaps++;
    return outcome;
  }
}

const GUILD = '310000000000000001';
/** The session's start on the app clock (members opted in before it). */
const BASE = Date.UTC(2025, 0, 6, 18);

async function queueFigures() {
  const schedule = sessionSchedule();
  let overlapping = 0;
  let reach = 0;
  for (const u of [...schedule].sort((a, b) => a.from - b.from)) {
    if (u.from < reach) overlapping++;
    reach = Math.max(reach, u.to);
  }
  const spoken = schedule.reduce((ms, u) => ms + u.to - u.from, 0);

  const privateRedis = process.env.REDIS_URL ? undefined : await PrivateRedis.start();
  const url = process.env.REDIS_URL ?? privateRedis!.url;
  // Its own application id, so a shared REDIS_URL keeps this run's jobs apart (and they are removed after).
  const applicationId = `32${Date.now()}`.padEnd(18, '0').slice(0, 18);
  const connections: RedisClient[] = [];
  const connect = async (name: string) => {
    const connection = await connectRedis(url, { name });
    connections.push(connection);
    return connection;
  };
  const queues: JobQueue[] = [];
  // Warnings (a job that failed and will be retried, an utterance kept as a gap) are counted, the first few kept.
  const warnings: string[] = [];
  let warned = 0;
  const logger = pino(
    { level: 'warn' },
    {
      write: (json: string) => {
        if (warned++ < 5) {
          const { msg, err, reason } = JSON.parse(json) as {
            msg?: string;
            err?: { message?: string };
            reason?: string;
          };
          warnings.push([msg, err?.message ?? reason].filter(Boolean).join(': '));
        }
      },
    },
  );
  const jobQueue = async (name: string) => {
    const jobs = new JobQueue(
      await connect(name),
      () => createWorkerRedis(url, { name: `${name}-worker` }),
      applicationId,
      logger,
      Date.now,
      { stt: STT_LANE },
    );
    queues.push(jobs);
    return jobs;
  };
  const stt = await FakeStt.start();
  try {
    const store = new TimedTranscriptStore(await connect('bench-transcript'));
    for (const userId of new Set(schedule.map((u) => u.userId))) await store.join(GUILD, userId, BASE - 60_000);
    const speech = new SpeechToText({ url: stt.url, model: 'whisper-1', timeoutMs: 60_000 });
    const ran = new Map<string, number>();
    /** When each utterance's job was in the queue, and when a worker's handler began it. */
    const queuedAt = new Map<string, number>();
    const pickedAt = new Map<string, number>();
    const handlers = (worker: string): JobHandlers => {
      const transcribe = transcribeHandler({ transcripts: store, stt: speech, logger });
      const noop = async () => {};
      const all = Object.fromEntries((Object.keys(jobPayloads) as JobName[]).map((name) => [name, noop]));
      return {
        ...(all as unknown as JobHandlers),
        transcribe: async (data, job) => {
          ran.set(worker, (ran.get(worker) ?? 0) + 1);
          pickedAt.set(data.utteranceId, performance.now());
          await transcribe(data, job);
        },
      };
    };
    const provider = { inFlight: 0, maxInFlight: 0, delayMs: PROVIDER_MS };
    stt.answer = async () => {
      provider.inFlight++;
      provider.maxInFlight = Math.max(provider.maxInFlight, provider.inFlight);
      await sleep(provider.delayMs);
      provider.inFlight--;
      return { status: 200, body: { text: 'A line of what was said about the paper.' } };
    };
    const wavOf = (u: Planned) => wavFile(new Int16Array(Math.round(((u.to - u.from) * STT_RATE) / 1000)));
    const idOf = (prefix: string, u: Planned) => `${prefix}${u.index}`;
    const heard = (id: string, u: Planned) => ({
      id,
      userId: u.userId,
      from: Math.round(BASE + u.from),
      to: Math.round(BASE + u.to),
    });
    /** What the transcriber queues for an utterance: its audio (with what was heard), then its job. */
    const queueAudio = (sessionId: string, id: string, u: Planned) =>
      store.queue(GUILD, sessionId, { ...heard(id, u), wav: wavOf(u) });
    const transcribeJob = (sessionId: string, id: string, u: Planned) => {
      const { from, to, userId } = heard(id, u);
      const data = { guildId: GUILD, sessionId, utteranceId: id, userId, from, to };
      return { name: 'transcribe' as const, data, options: { jobId: transcribeJobId(GUILD, id) } };
    };
    const untilStored = async (ids: string[], timeoutMs: number) => {
      for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; await sleep(20))
        if (ids.every((id) => store.storedAt.has(id))) return;
      const missing = ids.filter((id) => !store.storedAt.has(id)).length;
      throw new Error(
        `${missing} of ${ids.length} lines not stored in ${timeoutMs / 1000} s (gaps: ${store.gaps}; ` +
          `${warned} warnings: ${warnings.join(' | ') || 'none'})`,
      );
    };

    // a. Steady state: the session replayed COMPRESSION times faster, the provider too; each utterance queued at its
    // end as the transcriber does (its WAV to Redis, then its job), from its own speaker's chain.
    progress(`steady state: ${schedule.length} utterances of 3 h replayed in ${SESSION_MS / COMPRESSION / 1000} s`);
    const steadySession = 'steady';
    await store.start(GUILD, steadySession);
    const steady = await jobQueue('bench-steady');
    await steady.startWorker(handlers('steady'));
    provider.delayMs = PROVIDER_MS / COMPRESSION;
    const endAt = new Map<string, number>();
    let backlogPeak = 0;
    let exactPeak = 0;
    let sampling = true;
    const sampler = (async () => {
      for (; sampling; await sleep(20))
        backlogPeak = Math.max(backlogPeak, await steady.backlog('stt').catch(() => backlogPeak));
    })();
    const chains = new Map<string, Promise<void>>();
    const started = performance.now() + 500;
    for (const u of schedule) {
      const due = started + u.to / COMPRESSION;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const id = idOf('s', u);
      endAt.set(id, due);
      exactPeak = Math.max(exactPeak, endAt.size - store.storedAt.size);
      const queued = (chains.get(u.userId) ?? Promise.resolve()).then(async () => {
        const { name, data, options } = transcribeJob(steadySession, id, u);
        await queueAudio(steadySession, id, u);
        await steady.enqueue(name, data, options);
        queuedAt.set(id, performance.now());
      });
      chains.set(u.userId, queued);
    }
    try {
      await Promise.all(chains.values());
      await untilStored([...endAt.keys()], 60_000);
    } finally {
      sampling = false;
      await sampler;
    }
    const steadyWarnings = warned;
    const steadyMaxInFlight = provider.maxInFlight;
    const lags = [...endAt].map(([id, due]) => store.storedAt.get(id)! - due);
    // Where the lag goes: queueing (WAV made, audio stored, job added), the job waiting for a worker, the handler.
    const steadyIds = [...endAt.keys()];
    const part = (from: (id: string) => number, to: (id: string) => number) =>
      percentile(
        steadyIds.map((id) => to(id) - from(id)),
        50,
      );
    const queueingP50 = part(
      (id) => endAt.get(id)!,
      (id) => queuedAt.get(id)!,
    );
    const pickupP50 = part(
      (id) => queuedAt.get(id)!,
      (id) => pickedAt.get(id)!,
    );
    const handlerP50 = part(
      (id) => pickedAt.get(id)!,
      (id) => store.storedAt.get(id)!,
    );
    const lastId = idOf('s', schedule.at(-1)!);
    const lastLag = store.storedAt.get(lastId)! - endAt.get(lastId)!;
    const steadyLines = (await store.entries(GUILD, steadySession)).filter((e) => 'text' in e).length;
    if (steadyLines !== schedule.length) throw new Error(`${steadyLines} lines stored of ${schedule.length}`);
    await steady.close();

    // b. The burst: the session's last BURST utterances queued while no worker runs (as after an outage), then two
    // workers ("processes") start on the same lane, against the real 1 s provider.
    progress(`burst: the last ${BURST} utterances at once, two workers, a 1 s provider, concurrency 4`);
    const burstSession = 'burst';
    await store.start(GUILD, burstSession);
    const tail = schedule.slice(-BURST);
    const burstIds = tail.map((u) => idOf('b', u));
    for (const u of tail) await queueAudio(burstSession, idOf('b', u), u);
    const [workerA, workerB] = [await jobQueue('bench-burst-a'), await jobQueue('bench-burst-b')];
    await workerA.enqueueAll(tail.map((u) => transcribeJob(burstSession, idOf('b', u), u)));
    provider.delayMs = PROVIDER_MS;
    provider.maxInFlight = 0;
    const burstBacklog = await workerA.backlog('stt');
    const burstStart = performance.now();
    await Promise.all([workerA.startWorker(handlers('a')), workerB.startWorker(handlers('b'))]);
    await untilStored(burstIds, 120_000);
    const burstMs = Math.max(...burstIds.map((id) => store.storedAt.get(id)!)) - burstStart;
    const burstWarnings = warned - steadyWarnings;
    const ideal = (BURST / STT_LANE.concurrency) * PROVIDER_MS;
    const burstLines = (await store.entries(GUILD, burstSession)).filter((e) => 'text' in e).length;
    if (burstLines !== BURST) throw new Error(`${burstLines} burst lines stored of ${BURST}`);
    if (stt.rejected.length > 0) throw new Error(`the provider refused a request: ${stt.rejected[0]!.reason}`);

    const s = (n: number) => (n / 1000).toFixed(2);
    const lagP50 = percentile(lags, 50);
    const lagP99 = percentile(lags, 99);
    const scheduleNote =
      `${schedule.length} utterances (2–30 s, ${(spoken / 3_600_000).toFixed(2)} h of speech, ` +
      `${overlapping} overlapping another) of a 3-hour session of ${SESSION_SPEAKERS} speakers`;
    const steadyNote =
      `the session replayed ${COMPRESSION}x faster with the provider's 1 s also / ${COMPRESSION}, lane concurrency ` +
      `${STT_LANE.concurrency}, one worker; ms on the compressed clock`;
    const figures: Record<string, Figure> = {
      transcript_session_utterances: { value: schedule.length, unit: 'count', note: scheduleNote },
      transcript_steady_compression: { value: COMPRESSION, unit: 'ratio', note: steadyNote },
      transcript_steady_last_line_ms: {
        value: lastLag,
        unit: 'ms',
        note: `${steadyNote}: the last utterance's end (when it is queued) to its line stored`,
      },
      transcript_steady_last_line_scaled_ms: {
        value: lastLag * COMPRESSION,
        unit: 'ms',
        note:
          `transcript_steady_last_line_ms × ${COMPRESSION}: the provider's share scales back to 1 s, but so does ` +
          'the fixed Redis/BullMQ/HTTP overhead (which does not shrink with the clock), so this overstates',
      },
      transcript_steady_lag_p50_ms: { value: lagP50, unit: 'ms', note: `${steadyNote}: every utterance's lag` },
      transcript_steady_lag_p99_ms: { value: lagP99, unit: 'ms', note: `${steadyNote}: every utterance's lag` },
      transcript_steady_queueing_p50_ms: {
        value: queueingP50,
        unit: 'ms',
        note: "an utterance's end to its job added (its WAV made, its audio stored), as the transcriber does",
      },
      transcript_steady_pickup_p50_ms: {
        value: pickupP50,
        unit: 'ms',
        note: 'the job added to a worker starting its handler',
      },
      transcript_steady_handler_p50_ms: {
        value: handlerP50,
        unit: 'ms',
        note: `the handler (consent check, audio read, the provider's ${(PROVIDER_MS / COMPRESSION).toFixed(1)} ms, line stored)`,
      },
      transcript_steady_last_line_real_estimate_ms: {
        value: lastLag - PROVIDER_MS / COMPRESSION + PROVIDER_MS,
        unit: 'ms',
        note: "transcript_steady_last_line_ms with the provider's compressed time replaced by its real 1 s, the rest as measured",
      },
      transcript_steady_backlog_peak: {
        value: backlogPeak,
        unit: 'count',
        note: "JobQueue.backlog('stt') sampled every 20 ms (compressed; 3 s of session time)",
      },
      transcript_steady_backlog_peak_exact: {
        value: exactPeak,
        unit: 'count',
        note: 'utterances queued and not yet stored, counted at each queueing (sampling can miss a peak)',
      },
      transcript_steady_provider_max_in_flight: {
        value: steadyMaxInFlight,
        unit: 'count',
        target: { op: '<=', value: STT_LANE.concurrency },
      },
      transcript_steady_warnings: {
        value: steadyWarnings,
        unit: 'count',
        note: 'warnings the workers logged in the steady state (a job failed and was retried, a gap kept)',
      },
      transcript_burst_warnings: { value: burstWarnings, unit: 'count', note: 'the same in the burst' },
      transcript_burst_100_ms: {
        value: burstMs,
        unit: 'ms',
        note:
          `the session's last ${BURST} utterances queued at once, then two workers start (two JobQueues, ` +
          `concurrency ${STT_LANE.concurrency} global), provider 1 s a request: start to the last line stored`,
      },
      transcript_burst_100_to_ideal: {
        value: burstMs / ideal,
        unit: 'ratio',
        note: `to ${BURST} / ${STT_LANE.concurrency} × 1 s = ${ideal / 1000} s`,
      },
      transcript_burst_provider_max_in_flight: {
        value: provider.maxInFlight,
        unit: 'count',
        target: { op: '<=', value: STT_LANE.concurrency },
        note: 'requests the provider was answering at once during the burst, across both workers',
      },
    };
    const line =
      `Transcript queue (3 h, ${SESSION_SPEAKERS} speakers: ${schedule.length} utterances of 2–30 s, ` +
      `${overlapping} overlapping; provider 1 s a request, lane concurrency ${STT_LANE.concurrency}, real Redis + ` +
      `BullMQ + transcribeHandler): replayed ${COMPRESSION}x compressed (provider ${(PROVIDER_MS / COMPRESSION).toFixed(1)} ms), ` +
      `the last line was stored ${lastLag.toFixed(1)} ms after its utterance ended (× ${COMPRESSION} = ` +
      `${s(lastLag * COMPRESSION)} s, an overstatement: the fixed overhead scales too; with only the provider's ` +
      `time scaled back, ${s(lastLag - PROVIDER_MS / COMPRESSION + PROVIDER_MS)} s), lag p50 ${lagP50.toFixed(1)} / ` +
      `p99 ${lagP99.toFixed(1)} ms compressed (p50s: queueing ${queueingP50.toFixed(1)}, waiting for a worker ` +
      `${pickupP50.toFixed(1)}, handler ${handlerP50.toFixed(1)} ms), backlog peak ${backlogPeak} sampled ` +
      `(${exactPeak} counted), ${steadyMaxInFlight} requests at once at most, ${steadyWarnings} warnings: the lane ` +
      `keeps up. Burst: the last ` +
      `${BURST} utterances queued at once (backlog ${burstBacklog}) drained by two workers in ${s(burstMs)} s vs ` +
      `${s(ideal)} s ideal (${(burstMs / ideal).toFixed(2)}x; worker a ran ${ran.get('a') ?? 0}, b ` +
      `${ran.get('b') ?? 0}), at most ${provider.maxInFlight} requests at the provider at once (limit ` +
      `${STT_LANE.concurrency}, global), ${burstWarnings} warnings.` +
      (warnings.length > 0 ? ` First warnings: ${warnings.join(' | ')}.` : '');
    return { figures, line };
  } finally {
    await Promise.all(queues.map((q) => q.close()));
    await stt.stop();
    if (!privateRedis) {
      // A shared Redis: remove this run's keys.
      const admin = new Redis(url);
      for (const pattern of [`${jobPrefix(applicationId)}*`, keys.guildPattern(GUILD)]) {
        const found: string[] = [];
        for await (const batch of admin.scanStream({ match: pattern, count: 500 })) found.push(...(batch as string[]));
        for (let i = 0; i < found.length; i += 500) await admin.del(...found.slice(i, i + 500));
      }
      admin.disconnect();
    }
    for (const connection of connections) connection.disconnect();
    await privateRedis?.stop();
  }
}

/** The transcript's audio path (CPU, memory) and its speech-to-text lane (steady state, burst). */
export async function transcriptFigures(): Promise<{ line: string; figures: Record<string, Figure> }> {
  began = performance.now();
  gcObserver.observe({ entryTypes: ['gc'] });
  const audio = await audioFigures().finally(() => gcObserver.disconnect());
  const queue = await queueFigures();
  return { figures: { ...audio.figures, ...queue.figures }, line: `${audio.line}\n${queue.line}` };
}
