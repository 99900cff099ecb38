import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  MAX_UTTERANCE_MS,
  MIN_UTTERANCE_MS,
  STT_RATE,
  UtteranceBuffer,
  readWav,
  rms,
  wavFile,
  type Utterance,
} from '../../src/domain/transcript/audio.js';

/** Where two sample arrays first differ, -1 if they are the same (quicker than a deep equal on a million samples). */
function firstDifference(a: Int16Array, b: Int16Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** Deterministic pseudo-random numbers in [0, 1), so a failing split can be replayed from its seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function concat(parts: Int16Array[]): Int16Array {
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

describe('wavFile and readWav', () => {
  const text = (file: Buffer, at: number) => file.toString('ascii', at, at + 4);

  it('GIVEN 1,000 samples at 16 kHz THEN the header holds the hand-computed canonical fields', () => {
    const file = wavFile(new Int16Array(1_000));

    expect(file.length).toBe(44 + 2_000);
    expect(text(file, 0)).toBe('RIFF');
    expect(file.readUInt32LE(4)).toBe(2_036); // 2,044 bytes less the 8 of "RIFF" and this size
    expect(text(file, 8)).toBe('WAVE');
    expect(text(file, 12)).toBe('fmt ');
    expect(file.readUInt32LE(16)).toBe(16);
    expect(file.readUInt16LE(20)).toBe(1); // PCM
    expect(file.readUInt16LE(22)).toBe(1); // mono
    expect(file.readUInt32LE(24)).toBe(16_000);
    expect(file.readUInt32LE(28)).toBe(32_000); // 16,000 samples/s × 2 bytes
    expect(file.readUInt16LE(32)).toBe(2); // block align: 1 channel × 2 bytes
    expect(file.readUInt16LE(34)).toBe(16);
    expect(text(file, 36)).toBe('data');
    expect(file.readUInt32LE(40)).toBe(2_000);
  });

  it('GIVEN another sample rate THEN the rates in the header follow it', () => {
    const file = wavFile(new Int16Array(10), 8_000);
    expect(file.readUInt32LE(24)).toBe(8_000);
    expect(file.readUInt32LE(28)).toBe(16_000);
  });

  it('writes samples little endian', () => {
    const file = wavFile(new Int16Array([0x0102, -2]));
    expect([...file.subarray(44)]).toEqual([0x02, 0x01, 0xfe, 0xff]);
  });

  it('GIVEN samples written by wavFile THEN readWav reads them back unchanged', () => {
    const random = seeded(7);
    const samples = new Int16Array(5_001);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.floor(random() * 65_536) - 32_768;
    samples.set([-32_768, 32_767, 0, -1], 0);

    expect(readWav(wavFile(samples))).toEqual({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, samples });
  });

  it('GIVEN no samples THEN the round trip gives no samples', () => {
    expect(readWav(wavFile(new Int16Array(0))).samples).toEqual(new Int16Array(0));
  });

  it('GIVEN the WAV inside a larger buffer (a view with an offset) THEN readWav reads only the view', () => {
    const samples = new Int16Array([1, -2, 3, -4, 5]);
    const file = wavFile(samples);
    const outer = new Uint8Array(file.length + 11);
    outer.set(file, 5);
    expect(readWav(outer.subarray(5, 5 + file.length)).samples).toEqual(samples);
  });

  it('GIVEN a stereo WAV with an odd-sized chunk before data THEN readWav skips it and reads interleaved samples', () => {
    const header = Buffer.alloc(36);
    header.write('RIFF', 0, 'ascii');
    header.write('WAVE', 8, 'ascii');
    header.write('fmt ', 12, 'ascii');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(2, 22);
    header.writeUInt32LE(44_100, 24);
    header.writeUInt32LE(44_100 * 4, 28);
    header.writeUInt16LE(4, 32);
    header.writeUInt16LE(16, 34);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const data = Buffer.concat([Buffer.from('data'), Buffer.from([8, 0, 0, 0]), Buffer.from([1, 0, 2, 0, 3, 0, 4, 0])]);
    const file = Buffer.concat([header, list, data]);
    file.writeUInt32LE(file.length - 8, 4);

    expect(readWav(file)).toEqual({
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      samples: new Int16Array([1, 2, 3, 4]),
    });
  });

  it('GIVEN a truncated file THEN readWav throws saying so', () => {
    const file = wavFile(new Int16Array(100));
    expect(() => readWav(file.subarray(0, file.length - 10))).toThrow(/truncated/i);
    expect(() => readWav(file.subarray(0, 30))).toThrow(/truncated/i);
  });

  it('GIVEN a data chunk longer than the file says THEN readWav throws saying so', () => {
    const file = wavFile(new Int16Array(100));
    file.writeUInt32LE(400, 40);
    expect(() => readWav(file)).toThrow(/truncated.*data/i);
  });

  it('GIVEN something that is not a WAV file THEN readWav throws saying so', () => {
    expect(() => readWav(Buffer.from('{"text": "this is JSON, not audio"}'))).toThrow(/not a wav/i);
    expect(() => readWav(new Uint8Array(0))).toThrow(/not a wav/i);
    const riffButNotWave = wavFile(new Int16Array(4));
    riffButNotWave.write('AVI ', 8, 'ascii');
    expect(() => readWav(riffButNotWave)).toThrow(/not a wav/i);
  });

  it('GIVEN a non-PCM format code (3, float) THEN readWav throws naming it', () => {
    const file = wavFile(new Int16Array(4));
    file.writeUInt16LE(3, 20);
    expect(() => readWav(file)).toThrow(/format code 3/);
  });

  it('GIVEN 8-bit samples THEN readWav throws naming the sample size', () => {
    const file = wavFile(new Int16Array(4));
    file.writeUInt16LE(8, 34);
    expect(() => readWav(file)).toThrow(/8-bit/);
  });

  it('GIVEN no data chunk, or no fmt chunk THEN readWav throws naming what is missing', () => {
    const noData = wavFile(new Int16Array(0)).subarray(0, 36);
    noData.writeUInt32LE(28, 4);
    expect(() => readWav(noData)).toThrow(/no data chunk/);

    const noFmt = Buffer.concat([wavFile(new Int16Array(0)).subarray(0, 12), Buffer.from('data'), Buffer.alloc(4)]);
    noFmt.writeUInt32LE(noFmt.length - 8, 4);
    expect(() => readWav(noFmt)).toThrow(/no fmt chunk/);
  });
});

describe('rms', () => {
  it('GIVEN no samples THEN it is 0', () => {
    expect(rms(new Int16Array(0))).toBe(0);
  });

  it('GIVEN samples THEN it is the square root of their mean square', () => {
    expect(rms(new Int16Array([3, -4]))).toBeCloseTo(Math.sqrt((9 + 16) / 2), 12);
    expect(rms(new Int16Array([-500, -500, -500]))).toBe(500);
  });

  it('GIVEN a sine THEN it is the amplitude over √2', () => {
    const samples = new Int16Array(16_000);
    for (let i = 0; i < samples.length; i++)
      samples[i] = Math.round(10_000 * Math.sin((2 * Math.PI * 1_000 * i) / 16_000));
    expect(rms(samples)).toBeCloseTo(10_000 / Math.SQRT2, 0);
  });
});

describe('UtteranceBuffer', () => {
  const perMs = STT_RATE / 1_000;
  const chunk20ms = 20 * perMs;
  const fullPieceBytes = MAX_UTTERANCE_MS * perMs * 2;

  /** Samples counting up (wrapping at the int16 range), so any misplaced or lost sample shows. */
  const ramp = (start: number, length: number) => {
    const samples = new Int16Array(length);
    for (let i = 0; i < length; i++) samples[i] = ((start + i) % 65_536) - 32_768;
    return samples;
  };

  it('GIVEN 75 s in 20 ms chunks THEN it hands out 30 s, 30 s as they complete, then 15 s at end(), back to back', () => {
    const startedAt = 1_700_000_000_000;
    const buffer = new UtteranceBuffer(startedAt);
    const pieces: Utterance[] = [];
    const completedOnChunk: number[] = [];
    const chunks = 75_000 / 20;

    for (let c = 0; c < chunks; c++) {
      const out = buffer.push(ramp(c * chunk20ms, chunk20ms));
      if (out.length > 0) completedOnChunk.push(c);
      pieces.push(...out);
      expect(buffer.heldBytes).toBeLessThanOrEqual(fullPieceBytes + chunk20ms * 2);
    }
    const rest = buffer.end();
    expect(rest).toBeDefined();
    pieces.push(rest!);

    expect(completedOnChunk).toEqual([1_499, 2_999]); // the chunks ending at 30 s and 60 s
    expect(pieces.map((p) => p.samples.length)).toEqual([480_000, 480_000, 240_000]);
    expect(pieces.map((p) => [p.from, p.to])).toEqual([
      [startedAt, startedAt + 30_000],
      [startedAt + 30_000, startedAt + 60_000],
      [startedAt + 60_000, startedAt + 75_000],
    ]);
    expect(firstDifference(concat(pieces.map((p) => p.samples)), ramp(0, 75_000 * perMs))).toBe(-1);
    expect(buffer.heldBytes).toBe(0);
  });

  it('GIVEN one push longer than two pieces THEN it hands out both at once and keeps the rest', () => {
    const buffer = new UtteranceBuffer(0);
    const pieces = buffer.push(ramp(0, 65_000 * perMs));
    expect(pieces.map((p) => [p.from, p.to])).toEqual([
      [0, 30_000],
      [30_000, 60_000],
    ]);
    expect(buffer.heldBytes).toBe(5_000 * perMs * 2);
    expect(firstDifference(buffer.end()!.samples, ramp(60_000 * perMs, 5_000 * perMs))).toBe(-1);
  });

  it('GIVEN a length that is not whole milliseconds THEN times are exact to the sample', () => {
    const buffer = new UtteranceBuffer(1_000);
    buffer.push(new Int16Array(MIN_UTTERANCE_MS * perMs + 1));
    expect(buffer.end()).toMatchObject({ from: 1_000, to: 1_000 + MIN_UTTERANCE_MS + 1 / 16 });
  });

  it('GIVEN a 200 ms utterance (a cough) THEN end() gives nothing', () => {
    const buffer = new UtteranceBuffer(0);
    for (let c = 0; c < 10; c++) expect(buffer.push(ramp(0, chunk20ms))).toEqual([]);
    expect(buffer.end()).toBeUndefined();
  });

  it('GIVEN exactly the minimum length THEN end() hands it out; one sample less THEN nothing', () => {
    const exactly = new UtteranceBuffer(0);
    exactly.push(new Int16Array(MIN_UTTERANCE_MS * perMs));
    expect(exactly.end()).toMatchObject({ from: 0, to: MIN_UTTERANCE_MS });

    const short = new UtteranceBuffer(0);
    short.push(new Int16Array(MIN_UTTERANCE_MS * perMs - 1));
    expect(short.end()).toBeUndefined();
  });

  it('GIVEN exactly 60 s THEN end() has nothing left to hand out', () => {
    const buffer = new UtteranceBuffer(0);
    expect(buffer.push(new Int16Array(60_000 * perMs))).toHaveLength(2);
    expect(buffer.end()).toBeUndefined();
  });

  it('GIVEN an ended utterance THEN push throws and end() gives nothing again', () => {
    const buffer = new UtteranceBuffer(0);
    buffer.push(new Int16Array(STT_RATE));
    expect(buffer.end()).toBeDefined();
    expect(() => buffer.push(new Int16Array(chunk20ms))).toThrow(/ended/);
    expect(buffer.end()).toBeUndefined();
  });

  it('GIVEN a piece handed out THEN it does not share memory with the buffer or the next piece', () => {
    const buffer = new UtteranceBuffer(0);
    const [first] = buffer.push(ramp(0, 30_000 * perMs));
    const firstCopy = first!.samples.slice();

    // The next 30 s are written where the first were: the first piece must not see them.
    const [second] = buffer.push(ramp(12_345, 30_000 * perMs));
    expect(firstDifference(first!.samples, firstCopy)).toBe(-1);

    // Changing a piece handed out changes neither the next piece nor what is still held.
    first!.samples.fill(7);
    second!.samples.fill(9);
    buffer.push(ramp(99, 1_000 * perMs));
    expect(firstDifference(buffer.end()!.samples, ramp(99, 1_000 * perMs))).toBe(-1);
  });
});
