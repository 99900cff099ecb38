import { describe, expect, it } from 'vitest';
import { SpeakingTracker, talkTimes, type Segment } from '../../src/domain/voice/speaking.js';

/** Plays `[at, 'start'|'end', user]` events, then finishes at `endAt`; returns every segment. */
function play(
  events: Array<[number, 'start' | 'end', string]>,
  endAt: number,
): { segments: Segment[]; gaps: Array<{ from: number; to: number }> } {
  const tracker = new SpeakingTracker();
  for (const [at, kind, user] of events) tracker[kind](user, at);
  tracker.finish(endAt);
  return tracker.take();
}

describe('speaking segments', () => {
  it('keeps one stretch as one segment', () => {
    expect(
      play(
        [
          [1_000, 'start', 'a'],
          [5_000, 'end', 'a'],
        ],
        10_000,
      ).segments,
    ).toEqual([{ userId: 'a', from: 1_000, to: 5_000 }]);
  });

  it('merges pauses under 2 s and splits at 2 s or more', () => {
    const { segments } = play(
      [
        [0, 'start', 'a'],
        [1_000, 'end', 'a'],
        [2_999, 'start', 'a'],
        [4_000, 'end', 'a'], // 1,999 ms pause: merged
        [6_000, 'start', 'a'],
        [7_000, 'end', 'a'], // 2,000 ms pause: a new segment
      ],
      10_000,
    );
    expect(segments).toEqual([
      { userId: 'a', from: 0, to: 4_000 },
      { userId: 'a', from: 6_000, to: 7_000 },
    ]);
  });

  it('drops blips under 300 ms, but not a blip that merges into speech', () => {
    const { segments } = play(
      [
        [0, 'start', 'a'],
        [299, 'end', 'a'],
        [10_000, 'start', 'b'],
        [10_300, 'end', 'b'],
        [20_000, 'start', 'c'],
        [20_100, 'end', 'c'],
        [21_000, 'start', 'c'],
        [21_500, 'end', 'c'],
      ],
      30_000,
    );
    expect(segments).toEqual([
      { userId: 'b', from: 10_000, to: 10_300 },
      { userId: 'c', from: 20_000, to: 21_500 },
    ]);
  });

  it('keeps overlapping speakers apart', () => {
    const { segments } = play(
      [
        [0, 'start', 'a'],
        [1_000, 'start', 'b'],
        [3_000, 'end', 'a'],
        [4_000, 'end', 'b'],
      ],
      5_000,
    );
    expect(segments).toEqual([
      { userId: 'a', from: 0, to: 3_000 },
      { userId: 'b', from: 1_000, to: 4_000 },
    ]);
  });

  it('folds a flapping microphone (start/end every 100 ms for 10 s) into one segment', () => {
    const events: Array<[number, 'start' | 'end', string]> = [];
    for (let t = 0; t < 10_000; t += 200) events.push([t, 'start', 'a'], [t + 100, 'end', 'a']);
    expect(play(events, 20_000).segments).toEqual([{ userId: 'a', from: 0, to: 9_900 }]);
  });

  it('ignores a repeated start and an end without a start', () => {
    expect(
      play(
        [
          [0, 'end', 'a'],
          [1_000, 'start', 'a'],
          [1_500, 'start', 'a'],
          [3_000, 'end', 'a'],
          [3_100, 'end', 'a'],
        ],
        5_000,
      ).segments,
    ).toEqual([{ userId: 'a', from: 1_000, to: 3_000 }]);
  });

  it('ends segments when the connection drops, records the gap, and ignores events until it is back', () => {
    const tracker = new SpeakingTracker();
    tracker.start('a', 0);
    tracker.connectionLost(4_000);
    tracker.start('b', 5_000); // unheard: the bot was not connected
    tracker.connectionRestored(9_000);
    tracker.start('a', 9_500);
    tracker.end('a', 12_000);
    tracker.finish(20_000);
    expect(tracker.take()).toEqual({
      segments: [
        { userId: 'a', from: 0, to: 4_000 },
        { userId: 'a', from: 9_500, to: 12_000 },
      ],
      gaps: [{ from: 4_000, to: 9_000 }],
    });
  });

  it('closes what is open at the end of the session and ignores anything after it', () => {
    const tracker = new SpeakingTracker();
    tracker.start('a', 1_000);
    tracker.finish(8_000);
    tracker.start('b', 9_000);
    tracker.end('b', 12_000);
    tracker.finish(13_000);
    expect(tracker.take().segments).toEqual([{ userId: 'a', from: 1_000, to: 8_000 }]);
  });

  it('hands out a segment once it can no longer grow, and only once', () => {
    const tracker = new SpeakingTracker();
    tracker.start('a', 0);
    tracker.end('a', 1_000);
    tracker.tick(2_500);
    expect(tracker.take().segments).toEqual([]);
    tracker.tick(3_000);
    expect(tracker.take().segments).toEqual([{ userId: 'a', from: 0, to: 1_000 }]);
    tracker.finish(10_000);
    expect(tracker.take().segments).toEqual([]);
  });

  it('tracks 50 speakers at once, each exactly', () => {
    const tracker = new SpeakingTracker();
    for (let round = 0; round < 20; round++) {
      const base = round * 10_000;
      for (let u = 0; u < 50; u++) tracker.start(`m${u}`, base + u);
      for (let u = 0; u < 50; u++) tracker.end(`m${u}`, base + 5_000 + u);
      tracker.tick(base + 9_000);
    }
    tracker.finish(300_000);
    const { segments } = tracker.take();
    expect(segments).toHaveLength(1_000);
    expect(talkTimes(segments).map((t) => t.totalMs)).toEqual(Array.from({ length: 50 }, () => 100_000));
  });
});
