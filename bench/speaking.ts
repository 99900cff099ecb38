import { SpeakingTracker } from '../src/domain/voice/speaking.js';
import { percentile, type Figure } from './stats.js';

/** A deterministic pseudo-random stream, so every run replays the same session. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A 3-hour session with 50 speakers, as @discordjs/voice reports it: each
 * member talks in turns of a few seconds to two minutes, with the microphone
 * flapping (start/end) at short pauses. Events in time order.
 */
function sessionEvents(speakers = 50, hours = 3): Array<[number, 'start' | 'end', string]> {
  const next = random(42);
  const events: Array<[number, 'start' | 'end', string]> = [];
  const end = hours * 3_600_000;
  for (let s = 0; s < speakers; s++) {
    const userId = `${100_000_000_000_000_000n + BigInt(s)}`;
    let t = next() * 60_000;
    while (t < end) {
      const turn = 3_000 + next() * 120_000;
      const turnEnd = Math.min(end, t + turn);
      while (t < turnEnd) {
        const burst = 200 + next() * 4_000;
        events.push([t, 'start', userId], [Math.min(turnEnd, t + burst), 'end', userId]);
        t += burst + 100 + next() * 1_500;
      }
      t = turnEnd + 30_000 + next() * 600_000;
    }
  }
  return events.sort((a, b) => a[0] - b[0]);
}

/** CPU per 1,000 speaking events, and the heap the tracker holds over a 3-hour, 50-speaker session. */
export function speakingFigures(): { figures: Record<string, Figure>; line: string } {
  const events = sessionEvents();
  const perThousand: number[] = [];
  let segments = 0;
  let heapPeak = 0;
  for (let round = 0; round < 6; round++) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const tracker = new SpeakingTracker();
    const cpu = process.cpuUsage();
    let flushAt = 1_000;
    let checkAt = 600_000;
    segments = 0;
    for (const [at, kind, userId] of events) {
      tracker[kind](userId, at);
      // The service flushes once a second, as in the bot.
      if (at >= flushAt) {
        tracker.tick(at);
        segments += tracker.take().segments.length;
        flushAt = at + 1_000;
        // Every ten minutes (first round only, as collecting skews the CPU figure): what the tracker still holds.
        if (round === 0 && at >= checkAt) {
          checkAt += 600_000;
          global.gc?.();
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed - heapBefore);
        }
      }
    }
    tracker.finish(3 * 3_600_000);
    segments += tracker.take().segments.length;
    const used = process.cpuUsage(cpu);
    if (round > 0) perThousand.push(((used.user + used.system) / events.length) * 1_000);
  }
  const cpuPer1000 = percentile(perThousand, 50);
  return {
    figures: {
      speaking_events_3h_50: { value: events.length, unit: 'count' },
      speaking_cpu_per_1000_events: { value: cpuPer1000 / 1_000, unit: 'ms' },
      speaking_segments_3h_50: { value: segments, unit: 'count' },
      speaking_tracker_heap_3h_50: { value: heapPeak / 2 ** 20, unit: 'MB' },
    },
    line:
      `speaking tracker: ${events.length.toLocaleString('en-US')} events (3 h, 50 speakers) → ` +
      `${segments.toLocaleString('en-US')} segments; CPU ${(cpuPer1000 / 1_000).toFixed(3)} ms per 1,000 events ` +
      `(p50 of 5); retained heap at most ${(heapPeak / 2 ** 20).toFixed(2)} MB`,
  };
}
