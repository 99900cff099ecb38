import { OpusDecoder } from 'opus-decoder';
import { STT_RATE, UtteranceBuffer } from '../domain/transcript/audio.js';

/**
 * One speaker's audio in memory: Opus packets in, 16 kHz mono samples out, in pieces of at most 30 s. libopus
 * itself decodes at 16 kHz and down-mixes Discord's stereo to mono (it can decode any stream at any of its rates),
 * which costs a third of decoding at 48 kHz and resampling after. The decoder (opus-decoder: libopus compiled to
 * WebAssembly, no native build) has a memory of its own, so any number of speakers can be heard at once.
 */
export class SpeakerAudio {
  /** Packets libopus could not decode (skipped: a lost or damaged packet costs 20 ms, not the utterance). */
  damaged = 0;

  private constructor(
    private readonly decoder: OpusDecoder<typeof STT_RATE>,
    private readonly utterance: UtteranceBuffer,
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

  /** What is left (nothing if shorter than a word), and the decoder's memory freed. */
  end(): Int16Array | undefined {
    const rest = this.utterance.end()?.samples;
    this.decoder.free();
    return rest;
  }

  /** Dropped without handing anything out (the member stopped being heard). */
  discard() {
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
