import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  DISCORD_RATE,
  Downsampler,
  MAX_UTTERANCE_MS,
  MIN_UTTERANCE_MS,
  STT_RATE,
  UtteranceBuffer,
  readWav,
  rms,
  wavFile,
  type Utterance,
} from '../../src/domain/transcript/audio.js';

/** 48 kHz interleaved stereo, each channel given as a function of the time in seconds. */
function stereo(frames: number, left: (t: number) => number, right: (t: number) => number = left): Int16Array {
  const pcm = new Int16Array(frames * 2);
  for (let f = 0; f < frames; f++) {
    pcm[2 * f] = Math.round(left(f / DISCORD_RATE));
    pcm[2 * f + 1] = Math.round(right(f / DISCORD_RATE));
  }
  return pcm;
}

const sine =
  (hz: number, amplitude: number, phase = 0.3) =>
  (t: number) =>
    amplitude * Math.sin(2 * Math.PI * hz * t + phase);
const silence = () => 0;

/** The output after the filter has filled up (its 63 taps span 21 output samples; skip a few more). */
const settled = (samples: Int16Array) => samples.subarray(32);

function downsample(pcm: Int16Array): Int16Array {
  return new Downsampler().push(pcm);
}

/** Mono 48 kHz as the Downsampler should see it: the mean of L and R. */
function monoOf(pcm: Int16Array): Int16Array {
  const mono = new Int16Array(pcm.length / 2);
  for (let f = 0; f < mono.length; f++) mono[f] = Math.round((pcm[2 * f]! + pcm[2 * f + 1]!) / 2);
  return mono;
}

function zeroCrossings(samples: Int16Array): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings;
}

/** Where two sample arrays first differ, -1 if they are the same (quicker than a deep equal on a million samples). */
function firstDifference(a: Int16Array, b: Int16Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

const decibels = (ratio: number) => 20 * Math.log10(ratio);

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

describe('Downsampler', () => {
  it('GIVEN a 1 kHz sine at 48 kHz stereo THEN it comes out at 16 kHz mono with the same frequency and loudness', () => {
    const input = stereo(DISCORD_RATE, sine(1_000, 10_000));
    const output = settled(downsample(input));

    // A 1 kHz sine crosses zero 2,000 times a second, whatever the sample rate.
    const seconds = output.length / STT_RATE;
    expect(Math.abs(zeroCrossings(output) - 2 * 1_000 * seconds)).toBeLessThanOrEqual(2);
    expect(Math.abs(rms(output) / rms(monoOf(input)) - 1)).toBeLessThan(0.05);
  });

  it.each([100, 300, 3_000, 5_000, 6_000])(
    'GIVEN a %i Hz tone (speech band) THEN its loudness is kept within 5%',
    (hz) => {
      const input = stereo(DISCORD_RATE, sine(hz, 8_000));
      const ratio = rms(settled(downsample(input))) / rms(monoOf(input));
      expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    },
  );

  it('GIVEN a 12 kHz tone (above the new 8 kHz Nyquist) THEN it is attenuated by at least 20 dB', () => {
    const input = stereo(DISCORD_RATE, sine(12_000, 10_000));
    const ratio = rms(settled(downsample(input))) / rms(monoOf(input));
    expect(decibels(ratio)).toBeLessThan(-20);
  });

  it.each([8_800, 9_500, 11_000, 14_000, 18_000, 23_000])(
    'GIVEN a %i Hz tone, which would alias into the kept band THEN it is attenuated by at least 40 dB',
    (hz) => {
      const input = stereo(DISCORD_RATE, sine(hz, 10_000));
      const ratio = rms(settled(downsample(input))) / rms(monoOf(input));
      expect(decibels(ratio)).toBeLessThan(-40);
    },
  );

  it('GIVEN sound on one channel only THEN the output is the average of both: half as loud', () => {
    const both = rms(settled(downsample(stereo(DISCORD_RATE, sine(1_000, 10_000)))));
    const leftOnly = settled(downsample(stereo(DISCORD_RATE, sine(1_000, 10_000), silence)));
    const rightOnly = settled(downsample(stereo(DISCORD_RATE, silence, sine(1_000, 10_000))));

    expect(Math.abs(rms(leftOnly) / both - 0.5)).toBeLessThan(0.5 * 0.05);
    expect(Math.abs(rms(rightOnly) / both - 0.5)).toBeLessThan(0.5 * 0.05);
    expect(rightOnly).toEqual(leftOnly);
  });

  it('GIVEN opposite signals on the two channels THEN they cancel out', () => {
    const output = downsample(stereo(DISCORD_RATE, sine(1_000, 10_000), sine(1_000, -10_000)));
    expect(rms(output)).toBe(0);
  });

  it('GIVEN 48,000 stereo frames THEN it gives 16,000 samples', () => {
    expect(downsample(new Int16Array(48_000 * 2)).length).toBe(16_000);
  });

  it('GIVEN frames one at a time THEN a sample comes out on every third frame', () => {
    const downsampler = new Downsampler();
    const lengths = Array.from({ length: 9 }, () => downsampler.push(new Int16Array([1_000, 1_000])).length);
    expect(lengths).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it.each([1, 2, 3, 4, 5])(
    'GIVEN a signal pushed in random even-length splits (seed %i) THEN the output is byte-identical to one push',
    (seed) => {
      const random = seeded(seed);
      const noise = () => (random() * 2 - 1) * 20_000;
      const input = stereo(DISCORD_RATE, (t) => sine(440, 8_000)(t) + noise(), noise);
      const whole = downsample(input);

      const downsampler = new Downsampler();
      const parts: Int16Array[] = [];
      let framesSeen = 0;
      for (let at = 0; at < input.length;) {
        // Split sizes from an empty push to 2,000 frames: many are not multiples of 3 or of 960.
        const frames = Math.min(Math.floor(random() * 2_000), input.length / 2 - framesSeen);
        const part = downsampler.push(input.subarray(at, at + frames * 2));
        framesSeen += frames;
        at += frames * 2;
        parts.push(part);
        expect(parts.reduce((n, p) => n + p.length, 0)).toBe(Math.floor(framesSeen / 3));
      }

      expect(firstDifference(concat(parts), whole)).toBe(-1);
    },
  );

  it('GIVEN a full-scale square wave, which overshoots when filtered THEN the output is clamped, not wrapped', () => {
    const output = downsample(
      stereo(DISCORD_RATE, (t) => (Math.sin(2 * Math.PI * 2_000 * t + 0.3) >= 0 ? 32_767 : -32_768)),
    );
    expect(Math.max(...output)).toBe(32_767);
    expect(Math.min(...output)).toBe(-32_768);
    // Wrapping would turn the overshoot at each peak into a sample of the opposite sign: the 2 kHz would gain crossings.
    const seconds = settled(output).length / STT_RATE;
    expect(Math.abs(zeroCrossings(settled(output)) - 2 * 2_000 * seconds)).toBeLessThanOrEqual(2);
  });

  it('GIVEN an odd number of samples (half a stereo frame) THEN it throws', () => {
    expect(() => new Downsampler().push(new Int16Array(3))).toThrow(/L,R pairs/);
  });
});

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

describe('the audio pipeline', () => {
  it('GIVEN 1 s of Discord voice in 20 ms packets THEN the provider gets a 1 s 16 kHz mono WAV of the same tone', () => {
    const voice = stereo(DISCORD_RATE, sine(500, 6_000));
    const downsampler = new Downsampler();
    const utterance = new UtteranceBuffer(5_000);
    const framesPer20ms = DISCORD_RATE / 50;
    for (let at = 0; at < voice.length; at += framesPer20ms * 2) {
      expect(utterance.push(downsampler.push(voice.subarray(at, at + framesPer20ms * 2)))).toEqual([]);
    }
    const heard = utterance.end()!;
    expect([heard.from, heard.to]).toEqual([5_000, 6_000]);

    const wav = readWav(wavFile(heard.samples));
    expect(wav).toMatchObject({ sampleRate: STT_RATE, channels: 1, bitsPerSample: 16 });
    expect(wav.samples.length).toBe(STT_RATE);
    expect(
      Math.abs(zeroCrossings(settled(wav.samples)) - 2 * 500 * (settled(wav.samples).length / STT_RATE)),
    ).toBeLessThanOrEqual(2);
  });
});
