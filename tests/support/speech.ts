import OpusScript from 'opusscript';

/**
 * Synthetic speech for the voice emulator: not words, but audio with the traits a speech pipeline looks at. A
 * voiced tone (a fundamental with a few harmonics, its pitch drifting a little as intonation does), in syllables
 * of about 250 ms (4 a second) whose loudness rises and falls, over a faint breath noise. It is never fully silent
 * over 100 ms, its peak is 0.3 of full scale, and each speaker can be given a pitch of their own.
 */

const SAMPLE_RATE = 48_000;
const CHANNELS = 2;
/** 20 ms at 48 kHz: the frame Discord clients send. */
export const OPUS_FRAME_SAMPLES = 960;
/** What Discord clients send; the encoder's default is about twice that. */
const OPUS_BITRATE = 64_000;
const OPUS_SET_BITRATE_REQUEST = 4002;

const PEAK = 0.3;
/** The envelope's lowest point between syllables, relative to a syllable's peak. */
const FLOOR = 0.15;
/** Relative amplitudes of the fundamental and its harmonics: a rough vowel, loudest at the bottom. */
const HARMONICS = [1, 0.7, 0.5, 0.35, 0.2, 0.12];

/** mulberry32: a small seeded generator, so the same seed always gives the same audio (or the same session). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * `durationMs` of speech-like audio: 48 kHz, interleaved stereo (the same on both channels), signed 16-bit.
 * `frequency` is the fundamental in Hz (150 unless given); `seed` picks the syllables' lengths and loudness and the
 * harmonics' phases, so the same options always give the same samples.
 */
export function speechLike(durationMs: number, options: { frequency?: number; seed?: number } = {}): Int16Array {
  const frequency = options.frequency ?? 150;
  const next = random(options.seed ?? 1);
  const frames = Math.max(0, Math.round((durationMs * SAMPLE_RATE) / 1000));
  const mono = new Float64Array(frames);

  // Syllables of 180–320 ms, each with its own loudness (0.55–1 of the peak).
  const phases = HARMONICS.map(() => next() * 2 * Math.PI);
  const offsetCos = phases.map(Math.cos);
  const offsetSin = phases.map(Math.sin);
  const driftPhase = next() * 2 * Math.PI;
  let syllableStart = 0;
  let syllableLength = Math.round((0.18 + 0.14 * next()) * SAMPLE_RATE);
  let syllableLoudness = 0.55 + 0.45 * next();
  let phase = 0;
  for (let i = 0; i < frames; i++) {
    if (i - syllableStart >= syllableLength) {
      syllableStart = i;
      syllableLength = Math.round((0.18 + 0.14 * next()) * SAMPLE_RATE);
      syllableLoudness = 0.55 + 0.45 * next();
    }
    const t = i / SAMPLE_RATE;
    // Intonation: the pitch drifts ±4% at 0.7 Hz; the phase is integrated so the drift makes no clicks.
    phase += (2 * Math.PI * frequency * (1 + 0.04 * Math.sin(2 * Math.PI * 0.7 * t + driftPhase))) / SAMPLE_RATE;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
    // sin(nφ + θ) = sin(nφ)·cos θ + cos(nφ)·sin θ, with sin(nφ) and cos(nφ) by the Chebyshev recurrence: two
    // Math.sin/cos calls a sample rather than one per harmonic.
    const sin1 = Math.sin(phase);
    const cos1 = Math.cos(phase);
    let sinN = sin1;
    let cosN = cos1;
    let sinPrevious = 0;
    let cosPrevious = 1;
    let voiced = 0;
    for (let h = 0; h < HARMONICS.length; h++) {
      voiced += HARMONICS[h]! * (sinN * offsetCos[h]! + cosN * offsetSin[h]!);
      const sinNext = 2 * cos1 * sinN - sinPrevious;
      const cosNext = 2 * cos1 * cosN - cosPrevious;
      sinPrevious = sinN;
      cosPrevious = cosN;
      sinN = sinNext;
      cosN = cosNext;
    }
    const rise = Math.sin((Math.PI * (i - syllableStart)) / syllableLength);
    const envelope = FLOOR + (syllableLoudness - FLOOR) * rise * rise;
    mono[i] = envelope * voiced + 0.02 * (next() * 2 - 1);
  }

  let peak = 0;
  for (const sample of mono) peak = Math.max(peak, Math.abs(sample));
  const scale = peak > 0 ? (PEAK * 32_767) / peak : 0;
  const pcm = new Int16Array(frames * CHANNELS);
  for (let i = 0; i < frames; i++) {
    const sample = Math.round(mono[i]! * scale);
    pcm[i * CHANNELS] = sample;
    pcm[i * CHANNELS + 1] = sample;
  }
  return pcm;
}

/**
 * Encodes 48 kHz interleaved stereo PCM into 20 ms Opus packets (960 frames each, the last padded with silence), at
 * 64 kb/s as Discord clients send.
 */
export function opusFrames(pcm: Int16Array): Buffer[] {
  const encoder = new OpusScript(SAMPLE_RATE, CHANNELS, OpusScript.Application.VOIP);
  try {
    encoder.encoderCTL(OPUS_SET_BITRATE_REQUEST, OPUS_BITRATE);
    const step = OPUS_FRAME_SAMPLES * CHANNELS;
    const packets: Buffer[] = [];
    for (let start = 0; start < pcm.length; start += step) {
      const frame = new Int16Array(step);
      frame.set(pcm.subarray(start, start + step));
      // opusscript takes the samples as little-endian bytes (as on every platform Node runs tests on).
      packets.push(encoder.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), OPUS_FRAME_SAMPLES));
    }
    return packets;
  } finally {
    // The encoder lives on opusscript's emscripten heap, which the garbage collector does not free.
    encoder.delete();
  }
}

/**
 * The fundamental frequency of mono audio (Hz), by autocorrelation over 60–400 Hz: tells which member's voice a
 * WAV holds, as the emulator gives each member their own pitch.
 */
export function pitchOf(samples: Int16Array, sampleRate: number): number {
  const [minLag, maxLag] = [Math.floor(sampleRate / 400), Math.ceil(sampleRate / 60)];
  const n = Math.min(samples.length, sampleRate) - maxLag;
  let best = { lag: minLag, score: -Infinity };
  for (let lag = minLag; lag <= maxLag; lag++) {
    let score = 0;
    for (let i = 0; i < n; i++) score += samples[i]! * samples[i + lag]!;
    // Longer lags (sub-harmonics) must clearly beat the shorter ones to win.
    if (score > best.score * 1.05) best = { lag, score };
  }
  return sampleRate / best.lag;
}
