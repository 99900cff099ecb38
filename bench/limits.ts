import { fileURLToPath } from 'node:url';
import type { Emulator } from '../tests/emulator/emulator.js';
import { DISCORD_RATE_LIMITS } from '../tests/emulator/rate-limits.js';
import { until } from '../tests/support/bot-process.js';
import { TestClock } from '../tests/support/clock.js';
import { loadScenario, replayPlayer, scenarioGuild } from '../tests/support/scenario.js';
import { startStack } from '../tests/support/stack.js';
import { startPrivateHarness, type Harness } from '../tests/support/harness.js';
import { configureSeedGuild } from '../tests/support/setup-guild.js';
import { storeStressSession } from '../tests/support/stress-session.js';
import { percentile, type Figure } from './stats.js';

const { global: globalRequests, messageCreate } = DISCORD_RATE_LIMITS;

/**
 * The least time Discord's limits allow for `requests` REST requests of which `posts` go to one channel: each
 * bucket lets its `limit` through at once and the next ones a window later (global: 50 a second; a channel's
 * posts: 5 per 5 s).
 */
export function floorMs(requests: number, posts: number): number {
  const windows = (n: number, rule: { limit: number; windowMs: number }) =>
    Math.max(0, Math.ceil(n / rule.limit) - 1) * rule.windowMs;
  return Math.max(windows(requests, globalRequests), windows(posts, messageCreate));
}

/** A recap's requests and posts from the moment `since` (the emulator's request log index). */
function recapTraffic(emu: Emulator, since: number, channels: string[]) {
  const requests = emu.requests.slice(since).filter((r) => !r.path.startsWith('/interactions/'));
  const posts = requests.filter(
    (r) => r.method === 'POST' && channels.some((c) => r.path === `/channels/${c}/messages`),
  );
  return { requests: requests.length, posts: posts.length };
}

/** The recap channel's digest as it grows, and a wait for the recap job that notes when its last post came. */
function recapWatch(h: Harness) {
  const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
  const digest = () => {
    const first = h.emu.messagesIn(recaps).at(-1);
    const thread = first && h.emu.world.channels.has(first.id) ? h.emu.messagesIn(first.id) : [];
    return { channels: [recaps, ...(first ? [first.id] : [])], count: h.emu.messagesIn(recaps).length + thread.length };
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
  return { digest, lastPostAfter };
}

/** The stress session (stored directly, as in tests/e2e/recap-stress.test.ts): from queueing its recap to the last post. */
async function stressRecap() {
  const h = await startPrivateHarness();
  try {
    await configureSeedGuild(h);
    const sessionId = await storeStressSession(h.bot.internals, h.guild.id);
    const { digest, lastPostAfter } = recapWatch(h);
    const [since, start, before] = [h.emu.requests.length, performance.now(), digest().count];
    await h.bot.internals.jobs.enqueue('session.recap', { guildId: h.guild.id, sessionId, edition: 'first' });
    const stress = await lastPostAfter(start, before);
    return { stress, traffic: recapTraffic(h.emu, since, digest().channels), provoked: h.emu.rateLimited.length };
  } finally {
    await h.stop();
  }
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
    const { digest, lastPostAfter } = recapWatch(h);

    const player = replayPlayer(h, scenario, clock);
    const end = scenario.steps.findIndex((s) => 'command' in s && s.command === '/session end');
    for (const step of scenario.steps.slice(0, end)) await player.play(step);
    const [since, start, before] = [h.emu.requests.length, performance.now(), digest().count];
    for (const step of scenario.steps.slice(end)) await player.play(step);
    const seed = await lastPostAfter(start, before);
    const seedTraffic = recapTraffic(h.emu, since, digest().channels);

    const provokedBySeed = h.emu.rateLimited.length;
    const stressed = await stressRecap();
    const [stress, stressTraffic] = [stressed.stress, stressed.traffic];
    const provoked = provokedBySeed + stressed.provoked;

    // A floor of 0 (everything fits in one window of each bucket) is taken as that one window, the global 1 s.
    const ratio = (ms: number, t: { requests: number; posts: number }) =>
      ms / Math.max(floorMs(t.requests, t.posts), globalRequests.windowMs);
    const figures: Record<string, Figure> = {
      recap_seed_messages: { value: seed.messages, unit: 'count', target: { op: '<=', value: 3 } },
      recap_seed_floor_ms: { value: floorMs(seedTraffic.requests, seedTraffic.posts), unit: 'ms' },
      recap_stress_floor_ms: { value: floorMs(stressTraffic.requests, stressTraffic.posts), unit: 'ms' },
      recap_seed_ms: { value: seed.ms, unit: 'ms', note: 'from the /session end reply to the last recap post' },
      recap_seed_floor_ratio: {
        value: ratio(seed.ms, seedTraffic),
        unit: 'ratio',
        note: `against ${floorMs(seedTraffic.requests, seedTraffic.posts)} ms for ${seedTraffic.requests} REST requests (50 a second) and ${seedTraffic.posts} posts (5 per 5 s in a channel), or one 1-s window if that is 0`,
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
        note: `against ${floorMs(stressTraffic.requests, stressTraffic.posts)} ms for ${stressTraffic.requests} REST requests (50 a second) and ${stressTraffic.posts} posts (5 per 5 s in a channel), or one 1-s window if that is 0`,
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
  let worst = { k: 0, askedAfter: 0 };
  let missing = 0;
  for (const q of questions) {
    const post = q.card && order.get(q.card.messageId);
    if (!post) {
      missing++;
      continue;
    }
    delays.push(post.at - q.askedAt);
    const over = post.at - q.askedAt - floorMs(0, post.k);
    if (over > overFloor) [overFloor, worst] = [over, { k: post.k, askedAfter: q.askedAt - postedSince }];
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
      `bucket's floor (a question asked ${(worst.askedAfter / 1000).toFixed(1)} s into the load, on post ${worst.k}), ` +
      `${missing} without a card`,
  };
}
