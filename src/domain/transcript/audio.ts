import { Buffer } from 'node:buffer';

/**
 * Audio plumbing for transcripts: 16 kHz mono samples in (libopus decodes Discord's voice at that rate), one WAV per
 * utterance out, which is what speech-to-text providers want. Plain arithmetic only, so it runs (and is tested)
 * without any I/O.
 */

export const STT_RATE = 16_000;
/** Longest utterance sent to a provider in one file. */
export const MAX_UTTERANCE_MS = 30_000;
/** Shorter ones (a cough, a click) are not sent. */
export const MIN_UTTERANCE_MS = 300;

const WAV_HEADER_BYTES = 44;

/** A canonical 44-byte-header PCM WAV (RIFF, fmt chunk PCM=1, mono, 16-bit, little endian). */
export function wavFile(samples: Int16Array, sampleRate: number = STT_RATE): Buffer {
  const channels = 1;
  const bytesPerSample = 2;
  const blockAlign = channels * bytesPerSample;
  const dataBytes = samples.length * bytesPerSample;
  const file = Buffer.alloc(WAV_HEADER_BYTES + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(file.length - 8, 4); // the RIFF size counts everything after this field
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16);
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(channels, 22);
  file.writeUInt32LE(sampleRate, 24);
  file.writeUInt32LE(sampleRate * blockAlign, 28); // byte rate
  file.writeUInt16LE(blockAlign, 32);
  file.writeUInt16LE(bytesPerSample * 8, 34);
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) file.writeInt16LE(samples[i]!, WAV_HEADER_BYTES + i * bytesPerSample);
  return file;
}

export interface Wav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Interleaved when there is more than one channel. */
  samples: Int16Array;
}

function fourCc(view: DataView, offset: number): string {
  let text = '';
  for (let i = 0; i < 4; i++) text += String.fromCharCode(view.getUint8(offset + i));
  return text;
}

/** Reads a PCM WAV as wavFile writes it (and other canonical PCM WAVs with extra chunks before `data`): throws an
 * Error with a clear message on anything malformed (bad RIFF/WAVE magic, no fmt/data chunk, non-PCM, truncated). */
export function readWav(data: Uint8Array): Wav {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 12 || fourCc(view, 0) !== 'RIFF' || fourCc(view, 8) !== 'WAVE') {
    throw new Error('Not a WAV file: it does not start with RIFF....WAVE');
  }
  const riffEnd = 8 + view.getUint32(4, true);
  if (riffEnd > data.byteLength) {
    throw new Error(`Truncated WAV file: its header says ${riffEnd} bytes, but there are ${data.byteLength}`);
  }

  let format: Omit<Wav, 'samples'> | undefined;
  let offset = 12;
  while (offset + 8 <= riffEnd) {
    const id = fourCc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (body + size > riffEnd) throw new Error(`Truncated WAV file: the "${id}" chunk runs past the end`);

    if (id === 'fmt ') {
      if (size < 16) throw new Error(`Malformed WAV file: the fmt chunk is ${size} bytes, at least 16 expected`);
      const formatCode = view.getUint16(body, true);
      if (formatCode !== 1) throw new Error(`Unsupported WAV file: format code ${formatCode}, only PCM (1) is read`);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const byteRate = view.getUint32(body + 8, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (bitsPerSample !== 16) throw new Error(`Unsupported WAV file: ${bitsPerSample}-bit samples, only 16-bit`);
      if (channels === 0 || sampleRate === 0) {
        throw new Error(`Malformed WAV file: ${channels} channels at ${sampleRate} Hz`);
      }
      if (blockAlign !== channels * 2 || byteRate !== sampleRate * blockAlign) {
        throw new Error(
          `Malformed WAV file: block align ${blockAlign} and byte rate ${byteRate} ` +
            `do not fit ${channels} channels of 16-bit at ${sampleRate} Hz`,
        );
      }
      format = { sampleRate, channels, bitsPerSample };
    } else if (id === 'data') {
      if (!format) throw new Error('Malformed WAV file: no fmt chunk before the data chunk');
      const frameBytes = format.channels * 2;
      if (size % frameBytes !== 0) {
        throw new Error(`Truncated WAV file: ${size} data bytes is not a whole number of ${frameBytes}-byte frames`);
      }
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { ...format, samples };
    }
    // Chunks are padded to an even length.
    offset = body + size + (size % 2);
  }
  throw new Error(format ? 'Malformed WAV file: no data chunk' : 'Malformed WAV file: no fmt chunk and no data chunk');
}

/** Root mean square of the samples, 0 for none: tells speech from silence. */
export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sumOfSquares = 0;
  for (let i = 0; i < samples.length; i++) sumOfSquares += samples[i]! * samples[i]!;
  return Math.sqrt(sumOfSquares / samples.length);
}

export interface Utterance {
  from: number;
  to: number;
  samples: Int16Array;
}

const SAMPLES_PER_MS = STT_RATE / 1_000;
const MAX_SAMPLES = MAX_UTTERANCE_MS * SAMPLES_PER_MS;
const MIN_SAMPLES = MIN_UTTERANCE_MS * SAMPLES_PER_MS;
/** Most utterances are a few seconds: start the buffer at 2 s and double it, up to the 30 s cap, as speech goes on. */
const FIRST_CAPACITY = 2_000 * SAMPLES_PER_MS;

/**
 * One speaker's current utterance, as 16 kHz mono samples. `startedAt` is when its first packet arrived (ms, app
 * clock). Times of what it hands out come from the sample count (from = startedAt + samples before / 16, to = from +
 * length / 16), so they are exact to the sample. Holds at most MAX_UTTERANCE_MS of audio: push() hands out each full
 * 30 s piece as soon as it is complete, and end() hands out the rest, or nothing if the rest is shorter than
 * MIN_UTTERANCE_MS. After end(), push() throws.
 */
export class UtteranceBuffer {
  /** Allocated on the first push and never larger than MAX_SAMPLES; dropped at end() so the memory goes with it. */
  private buffer: Int16Array | undefined;
  private filled = 0;
  /** Samples already handed out in full pieces: where the current piece starts. */
  private handedOut = 0;
  private ended = false;

  constructor(private readonly startedAt: number) {}

  push(samples: Int16Array): Utterance[] {
    if (this.ended) throw new Error('This utterance has ended: start a new UtteranceBuffer');
    const pieces: Utterance[] = [];
    let read = 0;
    while (read < samples.length) {
      const buffer = this.room(samples.length - read);
      const taken = Math.min(samples.length - read, buffer.length - this.filled);
      buffer.set(samples.subarray(read, read + taken), this.filled);
      this.filled += taken;
      read += taken;
      if (this.filled === MAX_SAMPLES) pieces.push(this.handOut());
    }
    return pieces;
  }

  end(): Utterance | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    const rest = this.filled >= MIN_SAMPLES ? this.handOut() : undefined;
    this.buffer = undefined;
    this.filled = 0;
    return rest;
  }

  /** Bytes of audio held now (for the memory bound and the benchmark). */
  get heldBytes(): number {
    return this.filled * Int16Array.BYTES_PER_ELEMENT;
  }

  /** The buffer, grown (by doubling, capped at 30 s) so that `wanted` more samples fit or it is full size. */
  private room(wanted: number): Int16Array {
    const needed = Math.min(MAX_SAMPLES, this.filled + wanted);
    if (this.buffer && this.buffer.length >= needed) return this.buffer;
    let capacity = this.buffer ? this.buffer.length : FIRST_CAPACITY;
    while (capacity < needed) capacity *= 2;
    const grown = new Int16Array(Math.min(MAX_SAMPLES, capacity));
    if (this.buffer) grown.set(this.buffer.subarray(0, this.filled));
    this.buffer = grown;
    return grown;
  }

  /** The samples held as an utterance of their own (a copy: the buffer is reused), then empty. */
  private handOut(): Utterance {
    const samples = this.buffer!.slice(0, this.filled);
    const from = this.startedAt + this.handedOut / SAMPLES_PER_MS;
    this.handedOut += this.filled;
    this.filled = 0;
    return { from, to: from + samples.length / SAMPLES_PER_MS, samples };
  }
}
