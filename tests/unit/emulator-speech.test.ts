import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import { OPUS_FRAME_SAMPLES, opusFrames, speechLike } from '../support/speech.js';

/**
 * The voice emulator's members speak real Opus: synthetic speech, encoded as a Discord client would. Decoded, it
 * must come back as loud as it went in, never silent for 100 ms, and at each speaker's own pitch.
 */

const RATE = 48_000;

function decode(packets: Buffer[]): Int16Array {
  const decoder = new OpusScript(RATE, 2, OpusScript.Application.VOIP);
  try {
    const parts = packets.map((packet) => decoder.decode(packet));
    const bytes = Buffer.concat(parts);
    return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } finally {
    decoder.delete();
  }
}

/** The left channel of interleaved stereo. */
function left(pcm: Int16Array): Float64Array {
  const mono = new Float64Array(pcm.length / 2);
  for (let i = 0; i < mono.length; i++) mono[i] = pcm[i * 2]!;
  return mono;
}

function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** The lag (in samples, 2–20 ms) at which the signal best matches itself: its fundamental period. */
function dominantPeriod(samples: Float64Array): number {
  const from = RATE / 500;
  const to = RATE / 50;
  let best = from;
  let bestScore = -Infinity;
  for (let lag = from; lag <= to; lag++) {
    let score = 0;
    for (let i = 0; i + lag < samples.length; i++) score += samples[i]! * samples[i + lag]!;
    score /= samples.length - lag;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

describe('GIVEN one second of speech-like audio WHEN it is encoded to Opus and decoded again', () => {
  const input = speechLike(1_000);
  const packets = opusFrames(input);
  const output = decode(packets);

  it('THEN it is 50 packets of 20 ms, Discord-sized, which decode to one second of 48 kHz stereo', () => {
    expect(input.length).toBe(RATE * 2);
    expect(packets).toHaveLength(50);
    for (const packet of packets) {
      expect(packet.length).toBeGreaterThan(3);
      expect(packet.length).toBeLessThanOrEqual(400);
    }
    expect(output.length).toBe(50 * OPUS_FRAME_SAMPLES * 2);
    expect(output.length).toBe(input.length);
  });

  it('THEN the input peaks near 0.3 of full scale and the decoded audio is within 3 dB of its loudness', () => {
    let peak = 0;
    for (const sample of input) peak = Math.max(peak, Math.abs(sample));
    expect(peak / 32_767).toBeCloseTo(0.3, 2);
    const difference = 20 * Math.log10(rms(output) / rms(input));
    expect(Math.abs(difference)).toBeLessThan(3);
  });

  it('THEN no 100 ms window of the decoded audio is silent, and it has loud and quiet parts', () => {
    const mono = left(output);
    const window = RATE / 10;
    const levels: number[] = [];
    for (let from = 0; from + window <= mono.length; from += window / 2) levels.push(rms(mono, from, from + window));
    expect(levels).toHaveLength(19);
    for (const level of levels) expect(level).toBeGreaterThan(0.01 * 32_767);
    // Syllables: 20 ms slices differ by far more than a steady tone's would.
    const slices: number[] = [];
    for (let from = 0; from + RATE / 50 <= mono.length; from += RATE / 50)
      slices.push(rms(mono, from, from + RATE / 50));
    expect(Math.max(...slices) / Math.min(...slices)).toBeGreaterThan(2.5);
  });

  it('THEN the same seed gives the same samples and another seed other ones', () => {
    expect(speechLike(200, { seed: 7 })).toEqual(speechLike(200, { seed: 7 }));
    expect(speechLike(200, { seed: 7 })).not.toEqual(speechLike(200, { seed: 8 }));
  });
});

describe('GIVEN two speakers at 120 Hz and 240 Hz WHEN their audio goes through Opus', () => {
  it('THEN each decodes at its own fundamental period', () => {
    const low = dominantPeriod(left(decode(opusFrames(speechLike(500, { frequency: 120, seed: 3 })))));
    const high = dominantPeriod(left(decode(opusFrames(speechLike(500, { frequency: 240, seed: 4 })))));
    // 400 and 200 samples at 48 kHz, give or take the intonation's drift.
    expect(Math.abs(low - RATE / 120)).toBeLessThan(RATE / 120 / 10);
    expect(Math.abs(high - RATE / 240)).toBeLessThan(RATE / 240 / 10);
  });

  it('THEN the last packet is padded: 30 ms of audio is two full packets', () => {
    const packets = opusFrames(speechLike(30));
    expect(packets).toHaveLength(2);
    expect(decode(packets).length).toBe(2 * OPUS_FRAME_SAMPLES * 2);
  });
});
