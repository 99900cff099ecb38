import { OpusDecoder } from 'opus-decoder';
import { STT_RATE, UtteranceBuffer } from '../domain/transcript/audio.js';

/**
 * One speaker's audio in memory: Opus packets in, 16 kHz mono samples out, in pieces of at most 30 s. libopus
 * itself decodes at 16 kHz and down-mixes Discord's stereo to mono (it can decode any stream at any of its rates).
 * The decoder (opus-decoder: libopus compiled to WebAssembly, no native build) has a memory of its own, so any
 * number of speakers can be heard at once; it is opened once per speaker and kept for their next utterances, as
 * opening one reserves a WebAssembly memory (tens of MB of address space) whose collection costs more than decoding.
 */
export class SpeakerAudio {
  /** Packets libopus could not decode (skipped: a lost or damaged packet costs 20 ms, not the utterance). */
  damaged = 0;

  private constructor(
    private readonly decoder: OpusDecoder<typeof STT_RATE>,
    private utterance: UtteranceBuffer,
  ) {}

  static async open() {
    const decoder = new OpusDecoder({ channels: 1, sampleRate: STT_RATE });
    await decoder.ready;
    // Times are the transcriber's (when a piece's first packet came): the buffer only counts samples.
    return new SpeakerAudio(decoder, new UtteranceBuffer(0));
  }

  /** The pieces this packet completed (a piece is complete at 30 s). */
  push(packet: Uint8Array): Int16Array[] {
    const { channelData, samplesDecoded, errors } = this.decoder.decodeFrame(packet);
    if (errors.length > 0 || samplesDecoded === 0) {
      this.damaged++;
      return [];
    }
    return this.utterance.push(toSamples(channelData[0]!, samplesDecoded)).map((piece) => piece.samples);
  }

  /** The utterance is over: what is left of it (nothing if shorter than a word). The next one starts empty. */
  end(): Int16Array | undefined {
    const rest = this.utterance.end()?.samples;
    this.utterance = new UtteranceBuffer(0);
    return rest;
  }

  /** The utterance is dropped without handing anything out (the member stopped being heard). */
  discard() {
    this.utterance.end();
    this.utterance = new UtteranceBuffer(0);
  }

  /** The decoder's memory goes; the speaker is not heard again in this session. */
  free() {
    this.utterance.end();
    this.decoder.free();
  }

  get heldBytes() {
    return this.utterance.heldBytes;
  }
}

/** libopus's floats (−1…1) as 16-bit samples, clamped. */
function toSamples(floats: Float32Array, count: number) {
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(floats[i]! * 32767)));
  return samples;
}
