import { fileURLToPath } from 'node:url';
import type { Emulator } from '../tests/emulator/emulator.js';
import { DISCORD_RATE_LIMITS } from '../tests/emulator/rate-limits.js';
import { until } from '../tests/support/bot-process.js';
import { TestClock } from '../tests/support/clock.js';
import { loadScenario, replayPlayer, scenarioGuild } from '../tests/support/scenario.js';
import { startStack } from '../tests/support/stack.js';
import { storeStressSession } from '../tests/support/stress-session.js';
import { percentile, type Figure } from './stats.js';

const { global: globalRequests, messageCreate } = DISCORD_RATE_LIMITS;

/**
 * The least time Discord's limits allow for `requests` REST requests of which `posts` go to one channel: the
 * global limit's rate, or the channel's 5-per-5-s bucket (the first `limit` at once, then its rate).
 */
export function floorMs(requests: number, posts: number): number {
  const global = (requests / globalRequests.limit) * globalRequests.windowMs;
  const channel = (Math.max(0, posts - messageCreate.limit) / messageCreate.limit) * messageCreate.windowMs;
  return Math.max(global, channel);
}

/** A recap's requests and posts from the moment `since` (the emulator's request log index). */
function recapTraffic(emu: Emulator, since: number, channels: string[]) {
  const requests = emu.requests.slice(since).filter((r) => !r.path.startsWith('/interactions/'));
  const posts = requests.filter(
    (r) => r.method === 'POST' && channels.some((c) => r.path === `/channels/${c}/messages`),
  );
  return { requests: requests.length, posts: posts.length };
}

/**
 * The recap under Discord's rate limits, as a member sees it: from `/session end` (the seed session, replayed
 * through the real commands) or from the recap job being queued (the stress session, stored directly) to its
 * last post arriving, against the floor the limits set for the requests it makes.
 */
export async function recapUnderLimits(): Promise<{ figures: Record<string, Figure>; line: string }> {
  const scenario = loadScenario(fileURLToPath(new URL('../scenarios/seed-session.json', import.meta.url)));
  const clock = new TestClock();
  const stack = await startStack({ clock: clock.now, guild: (emu) => scenarioGuild(emu, scenario) });
  const { h } = stack;
  try {
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    const digest = () => {
      const first = h.emu.messagesIn(recaps).at(-1);
      const thread = first && h.emu.world.channels.has(first.id) ? h.emu.messagesIn(first.id) : [];
      return {
        channels: [recaps, ...(first ? [first.id] : [])],
        count: h.emu.messagesIn(recaps).length + thread.length,
      };
    };
    /** Polls every 2 ms until the recap job is done; the time of the last new post, from `start`. */
    const lastPostAfter = async (start: number, before: number) => {
      let [last, seen] = [start, before];
      let done = false;
      const watch = (async () => {
        while (!done) {
          const now = digest().count;
          if (now !== seen) [seen, last] = [now, performance.now()];
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await until(() => digest().count > before, 60_000, 'the recap');
      await h.jobs.done({ timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      done = true;
      await watch;
      return { ms: last - start, messages: seen - before };
    };

    const player = replayPlayer(h, scenario, clock);
    const end = scenario.steps.findIndex((s) => 'command' in s && s.command === '/session end');
    for (const step of scenario.steps.slice(0, end)) await player.play(step);
    let [since, start, before] = [h.emu.requests.length, performance.now(), digest().count];
    for (const step of scenario.steps.slice(end)) await player.play(step);
    const seed = await lastPostAfter(start, before);
    const seedTraffic = recapTraffic(h.emu, since, digest().channels);

    const sessionId = await storeStressSession(h.bot.internals, h.guild.id);
    [since, start, before] = [h.emu.requests.length, performance.now(), digest().count];
    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    const stress = await lastPostAfter(start, before);
    const stressTraffic = recapTraffic(h.emu, since, digest().channels);
    const provoked = h.emu.rateLimited.length;

    const ratio = (ms: number, t: { requests: number; posts: number }) => ms / floorMs(t.requests, t.posts);
    const figures: Record<string, Figure> = {
      recap_seed_messages: { value: seed.messages, unit: 'count', target: { op: '<=', value: 3 } },
      recap_seed_ms: { value: seed.ms, unit: 'ms', note: 'from the /session end reply to the last recap post' },
      recap_seed_floor_ratio: {
        value: ratio(seed.ms, seedTraffic),
        unit: 'ratio',
        note: `floor: ${seedTraffic.requests} REST requests at 50/s, ${seedTraffic.posts} posts in a 5-per-5-s channel`,
      },
      recap_stress_messages: { value: stress.messages, unit: 'count', target: { op: '<=', value: 5 } },
      recap_stress_ms: {
        value: stress.ms,
        unit: 'ms',
        target: { op: '<', value: 15_000 },
        note: 'from queueing the recap job to its last post',
      },
      recap_stress_floor_ratio: {
        value: ratio(stress.ms, stressTraffic),
        unit: 'ratio',
        note: `floor: ${stressTraffic.requests} REST requests at 50/s, ${stressTraffic.posts} posts in a 5-per-5-s channel`,
      },
      recap_provoked_429s: { value: provoked, unit: 'count', target: { op: '<=', value: 0 } },
    };
    return {
      figures,
      line:
        `recap under the rate limits: seed session ${seed.messages} messages, last post ${seed.ms.toFixed(0)} ms after ` +
        `/session end (${figures.recap_seed_floor_ratio!.value.toFixed(2)}x the floor of its ${seedTraffic.requests} ` +
        `requests); stress session ${stress.messages} messages in ${stress.ms.toFixed(0)} ms ` +
        `(${figures.recap_stress_floor_ratio!.value.toFixed(2)}x the floor of its ${stressTraffic.requests} requests); ` +
        `${provoked} 429s provoked`,
    };
  } finally {
    await stack.stop();
  }
}

/** Question-to-card delays, and how far each card came after the floor of the posts before it in its thread. */
export function cardDelays(
  emu: Emulator,
  threadId: string,
  questions: Array<{ askedAt: number; card?: { messageId: string } }>,
  postedSince: number,
): { figures: Record<string, Figure>; line: string } {
  const posts = emu.posts.filter((p) => p.action === 'create' && p.channelId === threadId && p.at >= postedSince);
  const order = new Map(posts.map((p, i) => [p.message.id, { k: i + 1, at: p.at }]));
  const delays: number[] = [];
  let overFloor = Number.NEGATIVE_INFINITY;
  let missing = 0;
  for (const q of questions) {
    const post = q.card && order.get(q.card.messageId);
    if (!post) {
      missing++;
      continue;
    }
    delays.push(post.at - q.askedAt);
    overFloor = Math.max(overFloor, post.at - q.askedAt - floorMs(0, post.k));
  }
  const [p50, p99] = [percentile(delays, 50), percentile(delays, 99)];
  return {
    figures: {
      card_delay_p50: { value: p50, unit: 'ms' },
      card_delay_p99: { value: p99, unit: 'ms' },
      card_delay_over_floor_max: {
        value: overFloor,
        unit: 'ms',
        target: { op: '<=', value: 2_000 },
        note: "each card's delay minus the thread bucket's floor for the posts up to it",
      },
      card_posts: { value: posts.length, unit: 'count' },
      cards_missing: { value: missing, unit: 'count', target: { op: '<=', value: 0 } },
    },
    line:
      `cards under the rate limits: ${delays.length} questions on ${posts.length} posts, question to card ` +
      `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, at most ${overFloor.toFixed(0)} ms past the ` +
      `bucket's floor, ${missing} without a card`,
  };
}
