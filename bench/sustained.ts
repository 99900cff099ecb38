import type { Emulator, Invoker } from '../tests/emulator/emulator.js';
import type { InteractionRecord } from '../tests/emulator/interactions.js';
import { percentile, type Figure } from './stats.js';

const RATE = 500;
const SECONDS = 20;
const MEMBERS = 200;

/**
 * Sustained load: `/ask` at 500 a second for 20 s from 200 members, sent on
 * a fixed schedule whatever the answers do. Each member may ask 5 a minute,
 * so most are refused by the rate limit: that is an answer too. An error is
 * an interaction not answered within 3 s, or answered "something went wrong".
 */
export async function sustainedAsk(
  emu: Emulator,
  host: Invoker,
  readers: string[],
): Promise<{ figures: Record<string, Figure>; line: string }> {
  const members = readers.slice(0, MEMBERS);
  const total = RATE * SECONDS;
  const records: InteractionRecord[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1_000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    records.push(
      emu.command({ ...host, user: members[i % members.length]! }, 'ask', undefined, {
        question: `Sustained question ${i}?`,
      }),
    );
  }
  const sendSeconds = (performance.now() - started) / 1_000;
  const answers = await Promise.all(records.map((r) => r.answer(10_000).catch(() => undefined)));
  const trips = records.map((r) => r.roundTripMs ?? Number.POSITIVE_INFINITY);
  const errors = records.filter(
    (r, i) => !answers[i] || (r.roundTripMs ?? Infinity) > 3_000 || /Something went wrong/.test(answers[i]!.content),
  ).length;
  const accepted = answers.filter((a) => a?.content.startsWith('Question logged')).length;
  const [p50, p99] = [percentile(trips, 50), percentile(trips, 99)];
  return {
    figures: {
      sustained_ask_sent: { value: total, unit: 'count' },
      sustained_ask_rate: { value: total / sendSeconds, unit: 'per_s' },
      sustained_ask_errors: { value: errors, unit: 'count' },
      sustained_ask_accepted: { value: accepted, unit: 'count' },
      sustained_ask_p50: { value: p50, unit: 'ms' },
      sustained_ask_p99: { value: p99, unit: 'ms' },
    },
    line:
      `sustained: ${total.toLocaleString('en-US')} /ask at ${(total / sendSeconds).toFixed(0)}/s for ` +
      `${sendSeconds.toFixed(1)} s from ${MEMBERS} members → ${errors} errors, ${accepted} logged (the rest refused ` +
      `by the 5-a-minute limit), reply p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
  };
}
