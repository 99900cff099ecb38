import { describe, expect, it } from 'vitest';
import { MAX_UTTERANCE_MS, rms, STT_RATE } from '../../src/domain/transcript/audio.js';
import { SpeakerAudio } from '../../src/voice/speaker-audio.js';
import { opusFrames, pitchOf, speechLike } from '../support/speech.js';

/**
 * The transcriber's decoding, with real Opus packets (made with opusscript's encoder, as the emulator's voice server
 * sends them): 48 kHz stereo speech in, 16 kHz mono samples out, in pieces of at most 30 s.
 */
const concat = (parts: Int16Array[]) => {
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
};

/** The left channel of 48 kHz stereo, every third sample: what the speech sounds like at 16 kHz. */
function leftAt16k(pcm: Int16Array) {
  const out = new Int16Array(Math.floor(pcm.length / 6));
  for (let i = 0; i < out.length; i++) out[i] = pcm[i * 6]!;
  return out;
}

describe('SpeakerAudio', () => {
  it('GIVEN 2 s of stereo speech as 100 Opus packets THEN 16 kHz mono comes out, as long, as loud and at the same pitch', async () => {
    const pcm = speechLike(2_000, { frequency: 180, seed: 7 });
    const audio = await SpeakerAudio.open();
    const pieces = opusFrames(pcm).flatMap((packet) => audio.push(packet));
    expect(pieces).toEqual([]);
    const samples = audio.end()!;
    expect(samples.length).toBe(2 * STT_RATE);
    const input = leftAt16k(pcm);
    const loudness = 20 * Math.log10(rms(samples.subarray(800)) / rms(input.subarray(800)));
    expect(Math.abs(loudness)).toBeLessThan(3);
    expect(Math.abs(pitchOf(samples, STT_RATE) - 180)).toBeLessThan(18);
    expect(audio.damaged).toBe(0);
  });

  it('GIVEN two voices THEN each keeps its own pitch (the decoder follows the speaker, not a fixed tone)', async () => {
    for (const frequency of [120, 240]) {
      const audio = await SpeakerAudio.open();
      for (const packet of opusFrames(speechLike(1_000, { frequency }))) audio.push(packet);
      expect(Math.abs(pitchOf(audio.end()!, STT_RATE) - frequency)).toBeLessThan(frequency / 10);
    }
  });

  it('GIVEN 65 s of speech THEN pieces of exactly 30 s come out as they complete, and the rest at the end', async () => {
    const audio = await SpeakerAudio.open();
    const packets = opusFrames(speechLike(65_000));
    const pieces: Int16Array[] = [];
    let heldMax = 0;
    for (const packet of packets) {
      pieces.push(...audio.push(packet));
      heldMax = Math.max(heldMax, audio.heldBytes);
    }
    expect(pieces.map((p) => p.length)).toEqual([2, 2].map(() => (MAX_UTTERANCE_MS / 1000) * STT_RATE));
    expect(audio.end()!.length).toBe(5 * STT_RATE);
    expect(heldMax).toBeLessThanOrEqual((MAX_UTTERANCE_MS / 1000) * STT_RATE * 2);
    expect(rms(concat(pieces))).toBeGreaterThan(1_000);
  });

  it('GIVEN a damaged packet among good ones THEN it is skipped and counted, and the rest decodes', async () => {
    const audio = await SpeakerAudio.open();
    const packets = opusFrames(speechLike(1_000));
    packets.splice(10, 0, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]));
    for (const packet of packets) audio.push(packet);
    expect(audio.damaged).toBe(1);
    expect(audio.end()!.length).toBe(STT_RATE);
  });

  it('GIVEN one speaker WHEN a second utterance follows the first THEN the same decoder hears it, from empty', async () => {
    const audio = await SpeakerAudio.open();
    for (const packet of opusFrames(speechLike(1_000, { frequency: 150 }))) audio.push(packet);
    expect(audio.end()!.length).toBe(STT_RATE);
    for (const packet of opusFrames(speechLike(600, { frequency: 220 }))) audio.push(packet);
    const second = audio.end()!;
    expect(second.length).toBe(0.6 * STT_RATE);
    expect(Math.abs(pitchOf(second, STT_RATE) - 220)).toBeLessThan(22);
    // A dropped utterance leaves nothing for the next.
    for (const packet of opusFrames(speechLike(500))) audio.push(packet);
    audio.discard();
    expect(audio.end()).toBeUndefined();
    audio.free();
  });

  it('GIVEN 40 speakers at once THEN every decoder works (each has memory of its own)', async () => {
    const speakers = await Promise.all(Array.from({ length: 40 }, () => SpeakerAudio.open()));
    const packets = opusFrames(speechLike(500));
    for (const packet of packets) for (const speaker of speakers) speaker.push(packet);
    const lengths = speakers.map((speaker) => speaker.end()?.length);
    expect(new Set(lengths)).toEqual(new Set([STT_RATE / 2]));
    expect(speakers.every((speaker) => speaker.damaged === 0)).toBe(true);
  });
});
