import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIMessage } from 'discord-api-types/v10';
import { Redis } from 'ioredis';
import { JobQueue } from '../src/jobs/job-queue.js';
import { keys } from '../src/store/keys.js';
import { createLogger } from '../src/logger.js';
import { Emulator } from '../tests/emulator/emulator.js';
import { BotProcess, until } from '../tests/support/bot-process.js';
import { paperClub, paperClubSpec } from '../tests/support/guild.js';
import { botEnv } from '../tests/support/harness.js';
import { settled } from '../tests/support/scenario.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { cacheMetadata, interactionCases, timeBoardEdit, type Case } from './cases.js';
import { BUILT_BOT, buildBot, memoryFigures } from './memory.js';
import { cardDelays, recapUnderLimits } from './limits.js';
import { recapFigures } from './recap.js';
import { archiveFigures } from './archive.js';
import { transcriptFigures } from './transcript.js';
import { RedisTrips } from './redis-trips.js';
import { reminderWaves } from './reminders.js';
import { describeSize, LARGE, prepareGuild, SMALL, storesOn, type BenchGuild } from './sizes.js';
import { speakingFigures } from './speaking.js';
import { sustainedAsk } from './sustained.js';
import { meets, percentile, table, writeResults, type Figure, type Target } from './stats.js';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1000);
const WARMUP = Math.min(200, ROUNDS);
/** Interactions of each case, in each guild, watched through MONITOR for Redis round trips. */
const TRIP_ROUNDS = 50;
/** `--only=recap` runs only the recap under the rate limits and updates its figures in results.json. `--only=interactions` stops after the interaction table (the quick check: with `--rounds=100`, about 70 s here). */
const ONLY_INTERACTIONS = process.argv.includes('--only=interactions');
/** `--cases=ping,ask,board_job` times only those (with --only=interactions, for profiling one path). */
const ONLY_CASES = process.argv
  .find((a) => a.startsWith('--cases='))
  ?.split('=')[1]
  ?.split(',');
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

/** The targets: a large session costs at most 1.3x a small one; at most 3 Redis round trips an interaction. */
const SIZE_RATIO_TARGET: Target = { op: '<=', value: 1.3 };
const TRIPS_TARGET: Target = { op: '<=', value: 3 };
const BOARD = 'board_job';
const TRIPS_NOTE =
  "small session: round trips of the gateway process's connections per interaction (50 in a row, 5 ms apart), " +
  'with the job enqueues after the reply and the gateway events it causes (the voice state after /speakers next)';
const JOB_TRIPS_NOTE = 'small session: of the round trips, those on the jobs connection (job enqueues after the reply)';
const SIZES_NOTE =
  `large: ${describeSize(LARGE)}; small: ${describeSize(SMALL)}. The issue asks for 100 queued papers; ` +
  'the queue is capped at MAX_QUEUE = 50, so the large session has a full queue plus 50 papers in history. ' +
  'Two guilds in one bot, same run; isolated samples alternate between them.';

/**
 * `rounds` sequential round trips in `g`: interaction dispatched → its callback reaching the emulator.
 * `between` (untimed) runs after each; `quiet` there makes each start on an idle bot.
 */
async function roundTrips(
  emu: Emulator,
  c: Case,
  g: BenchGuild,
  rounds: number,
  between?: () => Promise<void>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const record = c.run(g);
    await record.answer();
    samples.push(record.roundTripMs!);
    await c.after?.(g);
    await between?.();
  }
  if (emu.violations.length > 0) throw new Error(`emulator recorded violations: ${JSON.stringify(emu.violations[0])}`);
  return samples;
}

const ms = (n: number) => n.toFixed(2);
const ordinal = (n: number) =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
const began = performance.now();
/** Progress on stderr, so a long run shows where it is (the table goes to stdout). */
const phase = (what: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(0)} s] ${what}`);

async function main(): Promise<void> {
  if (process.argv.includes('--only=archive')) {
    const archive = await archiveFigures();
    console.log(archive.line);
    const last = JSON.parse(readFileSync(RESULTS, 'utf8')) as { run: object; figures: Record<string, Figure> };
    writeResults(RESULTS, { ...last.figures, ...archive.figures }, { ...last.run, archiveRerun: true });
    return;
  }
  if (process.argv.includes('--only=transcript')) {
    const transcript = await transcriptFigures();
    console.log(transcript.line);
    const last = JSON.parse(readFileSync(RESULTS, 'utf8')) as { run: object; figures: Record<string, Figure> };
    // Every transcript_ figure is this run's: one the bench no longer measures does not linger from the last.
    const others = Object.entries(last.figures).filter(([name]) => !name.startsWith('transcript_'));
    writeResults(
      RESULTS,
      { ...Object.fromEntries(others), ...transcript.figures },
      { ...last.run, transcriptRerun: true },
    );
    return;
  }
  if (process.argv.includes('--only=recap')) {
    const recap = await recapUnderLimits();
    console.log(recap.line);
    // Its figures replace the recap's in the last full run's results; the rest stay as that run measured them.
    const last = JSON.parse(readFileSync(RESULTS, 'utf8')) as { run: object; figures: Record<string, Figure> };
    writeResults(RESULTS, { ...last.figures, ...recap.figures }, { ...last.run, recapRerun: true });
    return;
  }
  const privateRedis = process.env.REDIS_URL ? undefined : await PrivateRedis.start();
  const redisUrl = process.env.REDIS_URL ?? privateRedis!.url;
  // Interaction replies are timed with Discord's rate limits off (callbacks are exempt from them, but the card and
  // board posts each reply sets off would pace the rounds at 5 per 5 s); everything after runs with them on.
  const emu = await new Emulator({ rateLimits: false }).start();
  // Enough members that the per-member limits (/ask, /paper add) never trip during the run.
  const readers = Array.from({ length: 600 }, (_, i) => `Reader ${i}`);
  const members = [...paperClubSpec().members!, ...readers.map((name) => ({ name }))];
  const smallGuild = paperClub(emu, { name: 'Small paper club', members });
  const largeGuild = paperClub(emu, { name: 'Large paper club', members });

  // As in production at scale: the compiled bot, one process holding the gateway and answering, another running the
  // jobs; the emulator (with its schema checks) stays in this process, so its work is not timed as the bot's.
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each bot process there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const env = (role: string) => botEnv(emu, redisUrl, { LOG_LEVEL: 'info', LECTERN_ROLE: role });
  buildBot();
  const gateway = new BotProcess(env('gateway'), BUILT_BOT, profile);
  const worker = new BotProcess(env('worker'), BUILT_BOT, profile);
  await Promise.all([gateway.waitForLog(/gateway ready/), worker.waitForLog(/worker ready/)]);
  const botLogs = () =>
    [gateway, worker]
      .map(
        (p) =>
          p.stdout
            .split('\n')
            .filter((l) => !l.includes('"level":30'))
            .slice(-20)
            .join('\n') + p.stderr,
      )
      .join('\n');

  phase('bot ready; seeding the two sessions');
  const redis = new Redis(redisUrl);
  const stores = storesOn(redis);
  // Every /paper add of the run names a cached paper: warm-up, isolated and back to back rounds, then the trip count.
  await cacheMetadata(redis, WARMUP + 2 * ROUNDS + TRIP_ROUNDS);
  let small: BenchGuild;
  let large: BenchGuild;
  try {
    small = await prepareGuild(emu, stores, smallGuild, SMALL, readers);
    phase('small session ready; seeding the large one');
    large = await prepareGuild(emu, stores, largeGuild, LARGE, readers);
  } catch (e) {
    console.log(botLogs());
    throw e;
  }
  const guilds = [small, large];

  const jobs = new JobQueue(
    redis,
    () => new Redis(redisUrl, { maxRetriesPerRequest: null }),
    emu.applicationId,
    createLogger('silent'),
    Date.now,
  );
  // Until the jobs running or waiting are done (`delayed`: and the delayed ones, board edits), or 5 s.
  const drain = async ({ delayed = false } = {}) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const counts = await jobs.counts();
      const pending = (counts.waiting ?? 0) + (counts.active ?? 0) + (delayed ? (counts.delayed ?? 0) : 0);
      if (pending === 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const quiet = () => settled(emu, jobs, 4, 2);
  const cases = interactionCases(emu, redis, stores, quiet).filter((c) => !ONLY_CASES || ONLY_CASES.includes(c.name));
  const timeBoard = !ONLY_CASES || ONLY_CASES.includes(BOARD);

  phase('warming up');
  try {
    for (const c of cases) for (const g of guilds) await roundTrips(emu, c, g, WARMUP);
  } catch (e) {
    console.log('gateway exit', gateway.child.exitCode, botLogs());
    throw e;
  }
  // Isolated (the figures): one interaction of each case in turn, in each guild in turn (which goes first
  // alternates), each started once the bot is quiet (the jobs the last one set off done), as when members'
  // commands are seconds apart; taking them in turn gives every case and both sizes the same machine. Back to
  // back (small session only): a block of one case, each round started as soon as the last reply is in, so it
  // shares the machine with the card posts the last one set off. Between blocks the worker finishes what the
  // block caused.
  phase('timing the interactions');
  const samples = new Map(cases.map((c) => [c.name, { small: [] as number[], large: [] as number[] }]));
  const backToBack = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let block = 0; block < 10; block++) {
    await drain();
    for (let round = 0; round < ROUNDS / 10; round++) {
      const order = (block + round) % 2 === 0 ? [small, large] : [large, small];
      for (const c of cases)
        for (const g of order) samples.get(c.name)![g.size.name].push(...(await roundTrips(emu, c, g, 1, quiet)));
    }
    for (const c of cases) {
      await drain();
      backToBack.get(c.name)!.push(...(await roundTrips(emu, c, small, Math.ceil(ROUNDS / 10))));
    }
  }

  // The board job, in its own phase: the interactions above leave delayed board edits that would absorb a
  // queued one, so those finish first; then one edit in each guild in turn, each once the bot is quiet.
  const board = { small: [] as number[], large: [] as number[] };
  if (timeBoard) {
    phase('timing the board job');
    await drain({ delayed: true });
    for (let round = 0; round < Math.min(20, ROUNDS) + ROUNDS; round++) {
      for (const g of round % 2 === 0 ? [small, large] : [large, small]) {
        const took = await timeBoardEdit(emu, jobs, g);
        if (round >= Math.min(20, ROUNDS)) board[g.size.name].push(took);
        await quiet();
      }
    }
  }

  // Redis round trips per interaction: TRIP_ROUNDS more of each case in each guild, one at a time, through MONITOR.
  phase('counting Redis round trips');
  await drain();
  const trips = new RedisTrips(redisUrl);
  await trips.start(/^lectern-gateway-/, /-jobs$/);
  const redisUse = new Map<string, { commands: number; trips: number; jobTrips: number }>();
  let [gaps, nearThreshold] = [0, 0];
  for (const c of cases) {
    for (const g of guilds) {
      const seen = await trips.measure(async () => {
        for (let i = 0; i < TRIP_ROUNDS; i++) {
          await c.run(g).answer();
          await new Promise((resolve) => setTimeout(resolve, 5));
          await c.after?.(g);
        }
      });
      redisUse.set(`${c.name}/${g.size.name}`, {
        commands: seen.commands / TRIP_ROUNDS,
        trips: seen.trips / TRIP_ROUNDS,
        jobTrips: seen.jobTrips / TRIP_ROUNDS,
      });
      [gaps, nearThreshold] = [gaps + seen.gaps, nearThreshold + seen.near];
    }
  }
  trips.stop();

  const figures: Record<string, Figure> = {};
  const rows: string[][] = [];
  const ping = samples.get('ping');
  const sizeRatios = (name: string, s: number[], l: number[]) => {
    const [s50, s99, l50, l99] = [percentile(s, 50), percentile(s, 99), percentile(l, 50), percentile(l, 99)];
    Object.assign(figures, {
      [`${name}_large_p50`]: { value: l50, unit: 'ms', note: `large session: ${describeSize(LARGE)}` },
      [`${name}_large_p99`]: { value: l99, unit: 'ms' },
      [`${name}_size_ratio_p50`]: { value: l50 / s50, unit: 'ratio', target: SIZE_RATIO_TARGET, note: SIZES_NOTE },
      [`${name}_size_ratio_p99`]: { value: l99 / s99, unit: 'ratio', target: SIZE_RATIO_TARGET, note: SIZES_NOTE },
    });
    return [String(s.length), ms(s50), ms(s99), ms(l50), ms(l99), (l50 / s50).toFixed(2), (l99 / s99).toFixed(2)];
  };
  for (const { name } of cases) {
    const { small: s, large: l } = samples.get(name)!;
    const [p50, p99] = [percentile(s, 50), percentile(s, 99)];
    const b = backToBack.get(name)!;
    const [b50, b99] = [percentile(b, 50), percentile(b, 99)];
    figures[`${name}_p50`] = { value: p50, unit: 'ms', note: 'small session, isolated' };
    figures[`${name}_p99`] = { value: p99, unit: 'ms', note: 'small session, isolated' };
    const sized = sizeRatios(name, s, l);
    figures[`${name}_back_to_back_p50`] = { value: b50, unit: 'ms', note: 'small session' };
    figures[`${name}_back_to_back_p99`] = { value: b99, unit: 'ms', note: 'small session' };
    let pingCells = ['1.00 / 1.00 (baseline)', `${ms(b50)} / ${ms(b99)} ms`];
    if (name !== 'ping' && ping) {
      // Reported without a target (the issue retired the old 1.5x one).
      const r = [p50 / percentile(ping.small, 50), p99 / percentile(ping.small, 99)];
      const rb = [b50 / percentile(backToBack.get('ping')!, 50), b99 / percentile(backToBack.get('ping')!, 99)];
      Object.assign(figures, {
        [`${name}_p50_ratio`]: { value: r[0]!, unit: 'ratio', note: 'small session, to /ping, no target' },
        [`${name}_p99_ratio`]: { value: r[1]!, unit: 'ratio', note: 'small session, to /ping, no target' },
        [`${name}_back_to_back_p50_ratio`]: { value: rb[0]!, unit: 'ratio' },
        [`${name}_back_to_back_p99_ratio`]: { value: rb[1]!, unit: 'ratio' },
      });
      pingCells = [`${r[0]!.toFixed(2)} / ${r[1]!.toFixed(2)}`, `${rb[0]!.toFixed(2)} / ${rb[1]!.toFixed(2)}`];
    }
    const [us, ul] = [redisUse.get(`${name}/small`)!, redisUse.get(`${name}/large`)!];
    Object.assign(figures, {
      [`${name}_redis_round_trips`]: { value: us.trips, unit: 'count', target: TRIPS_TARGET, note: TRIPS_NOTE },
      [`${name}_redis_round_trips_jobs`]: { value: us.jobTrips, unit: 'count', note: JOB_TRIPS_NOTE },
      [`${name}_redis_commands`]: { value: us.commands, unit: 'count', note: 'small session' },
      [`${name}_large_redis_round_trips`]: { value: ul.trips, unit: 'count', target: TRIPS_TARGET },
      [`${name}_large_redis_round_trips_jobs`]: { value: ul.jobTrips, unit: 'count' },
      [`${name}_large_redis_commands`]: { value: ul.commands, unit: 'count' },
    });
    const tripCell = (u: typeof us) => `${u.trips.toFixed(2)} (${u.jobTrips.toFixed(2)})`;
    const trips = `${tripCell(us)} / ${tripCell(ul)}`;
    rows.push([name, ...sized, ...pingCells, trips, `${us.commands.toFixed(2)} / ${ul.commands.toFixed(2)}`]);
  }
  if (timeBoard) {
    const [s50, s99] = [percentile(board.small, 50), percentile(board.small, 99)];
    figures[`${BOARD}_p50`] = {
      value: s50,
      unit: 'ms',
      note: 'small session: from queueing session.board (as a change does) to the emulator receiving the board edit',
    };
    figures[`${BOARD}_p99`] = { value: s99, unit: 'ms', note: 'small session' };
    rows.push([BOARD, ...sizeRatios(BOARD, board.small, board.large), '—', '—', '—', '—']);
  }
  figures.redis_gaps_near_trip_threshold = {
    value: gaps === 0 ? 0 : nearThreshold / gaps,
    unit: 'share',
    note: 'gaps between the gateway commands that are 75-300 µs, where the 150 µs trip split is least sure',
  };
  const interactionTable = table(
    [
      'case',
      'n',
      'small p50 ms',
      'small p99 ms',
      'large p50 ms',
      'large p99 ms',
      'size ratio p50',
      'size ratio p99',
      'p50 / p99 ÷ ping',
      'back to back p50 / p99 ÷ ping',
      'Redis trips (jobs) s / l',
      'Redis cmds s / l',
    ],
    rows,
  );
  const missed = () =>
    Object.entries(figures)
      .filter(([, f]) => meets(f) === false)
      .map(([k, f]) => `${k} = ${f.value.toFixed(2)} (target ${f.target!.op} ${f.target!.value})`);
  const legend =
    `\nsizes: ${SIZES_NOTE}\n${BOARD}: from queueing session.board to the emulator receiving the board's edit.\n` +
    `Redis gaps near the 150 µs trip split: ${(figures.redis_gaps_near_trip_threshold.value * 100).toFixed(1)} %\n` +
    `p99 of ${ROUNDS} samples is the ${ordinal(ROUNDS - Math.ceil(0.99 * ROUNDS) + 1)} largest: a few stalls on ` +
    'this shared machine move it, so p99 ratios are noisy where p50 ones are not.';

  const stopBot = async () => {
    await jobs.close();
    redis.disconnect();
    await Promise.all([gateway.kill('SIGTERM'), worker.kill('SIGTERM')]);
    await emu.stop();
  };
  if (ONLY_INTERACTIONS) {
    console.log(`${interactionTable}\n${legend}`);
    console.log(`\nnot meeting their target: ${missed().join('; ') || 'none'}`);
    await stopBot();
    await privateRedis?.stop();
    return;
  }

  phase("under Discord's rate limits: burst, sustained load and its cards");
  emu.enableRateLimits();
  // A burst: 500 members upvote a fresh question at the same moment.
  const host = small.host;
  await emu.command(host, 'ask', undefined, { question: 'The burst question' }).answer();
  let burstCard: APIMessage | undefined;
  const burstQuestion = (c: APIMessage) => c.embeds[0]?.description === 'The burst question';
  await until(() => (burstCard = emu.messagesIn(small.card.channel_id).find(burstQuestion)) !== undefined);
  if (!burstCard) throw new Error('no card for the burst question');
  const burstId = (burstCard.components![0] as { components: Array<{ custom_id: string }> }).components[0]!.custom_id;
  const burst = readers.slice(0, 500).map((name) => emu.button({ ...host, user: name }, burstCard!, burstId));
  await Promise.all(burst.map((r) => r.answer(30_000)));
  const burstTrips = burst.map((r) => r.roundTripMs!);
  const asked = await stores.questions.questions(small.guild.id, small.sessionId);
  const counted = asked.find((q) => q.text === 'The burst question')!.votes;
  const errors = burst.filter((r) => !(r.callback && r.roundTripMs! < 3_000)).length;
  figures.upvote_burst_500_counted = { value: counted, unit: 'count' };
  figures.upvote_burst_500_p50 = { value: percentile(burstTrips, 50), unit: 'ms' };
  figures.upvote_burst_500_p99 = { value: percentile(burstTrips, 99), unit: 'ms' };
  figures.upvote_burst_500_late_or_failed = { value: errors, unit: 'count' };
  const burstLine =
    `burst: 500 upvotes at once → ${counted} counted, ${errors} late or failed, ` +
    `reply p50 ${percentile(burstTrips, 50).toFixed(1)} ms, p99 ${percentile(burstTrips, 99).toFixed(1)} ms`;

  const sustainedFrom = Date.now();
  const sustained = await sustainedAsk(emu, host, readers);
  Object.assign(figures, sustained.figures);
  // Every question logged gets its card: wait for the last (the thread takes 5 posts per 5 s).
  const uncarded = keys.uncarded(small.guild.id, small.sessionId);
  for (const deadline = Date.now() + 600_000; (await redis.zcard(uncarded)) > 0 && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 200));
  const sustainedQuestions = (await stores.questions.questions(small.guild.id, small.sessionId)).filter(
    (q) => q.askedAt >= sustainedFrom,
  );
  const cards = cardDelays(emu, small.card.channel_id, sustainedQuestions, sustainedFrom);
  Object.assign(figures, cards.figures);
  for (let i = 0; i < 6; i++) await drain({ delayed: true });

  figures.provoked_429s = {
    value: emu.rateLimited.length,
    unit: 'count',
    target: { op: '<=', value: 0 },
    note: 'requests the bot sent past a Discord rate limit, once the limits were on',
  };
  await stopBot();
  phase('1,000 servers whose agendas and reminders fall due in the same second (a bot of their own)');
  const reminders = await reminderWaves();
  Object.assign(figures, reminders.figures);
  phase('the recap under the rate limits (the seed session replayed, then the stress session)');
  const recapLimits = await recapUnderLimits();
  Object.assign(figures, recapLimits.figures);
  const memory = await memoryFigures(redisUrl);
  Object.assign(figures, memory.figures);
  phase('the web archive: 200 sessions of 30 questions');
  const archive = await archiveFigures();
  Object.assign(figures, archive.figures);
  phase('the voice transcript: 20 speakers decoded, and a 3-hour session through the speech-to-text lane');
  const transcript = await transcriptFigures();
  Object.assign(figures, transcript.figures);
  await privateRedis?.stop();
  const recap = recapFigures();
  const speaking = speakingFigures();
  Object.assign(figures, recap.figures, speaking.figures);
  console.log(`${interactionTable}\n${legend}`);
  console.log(
    [
      burstLine,
      sustained.line,
      cards.line,
      reminders.line,
      recapLimits.line,
      recap.line,
      speaking.line,
      memory.line,
      archive.line,
      transcript.line,
    ]
      .map((line) => `\n${line}`)
      .join(''),
  );
  console.log(`\nnot meeting their target: ${missed().join('; ') || 'none'}`);
  writeResults(RESULTS, figures, { rounds: ROUNDS, warmup: WARMUP, redisTripRounds: TRIP_ROUNDS });
  console.log(`\nwritten to ${RESULTS}`);
}

await main();
