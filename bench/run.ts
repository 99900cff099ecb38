import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { keys } from '../src/store/keys.js';
import { PaperStore } from '../src/store/paper-store.js';
import { SessionStore } from '../src/store/session-store.js';
import { JobQueue } from '../src/jobs/job-queue.js';
import { createLogger } from '../src/logger.js';
import { Emulator, type Invoker } from '../tests/emulator/emulator.js';
import { BotProcess } from '../tests/support/bot-process.js';
import { paperClub, paperClubSpec } from '../tests/support/guild.js';
import { botEnv } from '../tests/support/harness.js';
import { settled } from '../tests/support/scenario.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { BUILT_BOT, buildBot, memoryFigures } from './memory.js';
import { recapFigures } from './recap.js';
import { RedisTrips } from './redis-trips.js';
import { reminderGuilds, reminderPunctuality } from './reminders.js';
import { speakingFigures } from './speaking.js';
import { sustainedAsk } from './sustained.js';
import { percentile, writeResults, type Figure } from './stats.js';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1000);
const WARMUP = 200;
/** `--only=interactions` stops after the interaction table (a quick check while working on latency). */
const ONLY_INTERACTIONS = process.argv.includes('--only=interactions');
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

type Run = (invoker: Invoker) => ReturnType<Emulator['command']>;
/** Untimed work after each round trip (resetting state for the next one). */
type After = () => Promise<void>;
interface Case {
  name: string;
  invoker: Invoker;
  run: Run;
  after?: After;
}

/**
 * Sequential round trips: interaction dispatched → its callback reaching the
 * emulator. `between` (untimed) runs after each one; `quiet` there makes each
 * round start on an idle bot, as a member's command usually does.
 */
async function roundTrips(
  emu: Emulator,
  { invoker, run, after }: Case,
  rounds: number,
  between?: () => Promise<void>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const record = run(invoker);
    await record.answer();
    samples.push(record.roundTripMs!);
    await after?.();
    await between?.();
  }
  if (emu.violations.length > 0) throw new Error(`emulator recorded violations: ${JSON.stringify(emu.violations[0])}`);
  return samples;
}

async function waitFor<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting during benchmark set-up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function table(rows: string[][]): string {
  const header = [
    'interaction',
    'n',
    'p50 ms',
    'p99 ms',
    'p50 ratio',
    'p99 ratio',
    'back to back: p50 / p99 ratio',
    'Redis trips',
    'Redis cmds',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const privateRedis = process.env.REDIS_URL ? undefined : await PrivateRedis.start();
  const redisUrl = process.env.REDIS_URL ?? privateRedis!.url;
  const emu = await new Emulator().start();
  // Enough members that the per-member /paper add limit never trips during the run.
  const readers = Array.from({ length: 600 }, (_, i) => `Reader ${i}`);
  const guild = paperClub(emu, { members: [...paperClubSpec().members!, ...readers.map((name) => ({ name }))] });
  const scheduled = reminderGuilds(emu);

  // As in production at scale: the compiled bot, one process holding the gateway and answering, another running the jobs;
  // the emulator (with its schema checks) stays in this process, so its work is not timed as the bot's.
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each bot process there (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const env = (role: string) =>
    botEnv(emu, redisUrl, { LOG_LEVEL: 'info', LECTERN_ROLE: role, DISCORD_GLOBAL_REQUESTS_PER_SECOND: '100000' });
  buildBot();
  const gateway = new BotProcess(env('gateway'), BUILT_BOT, profile);
  const worker = new BotProcess(env('worker'), BUILT_BOT, profile);
  await Promise.all([gateway.waitForLog(/gateway ready/), worker.waitForLog(/worker ready/)]);

  const host: Invoker = { guild, user: 'Tanishq', channel: 'general' };
  await emu
    .command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
    .answer();
  await emu.command(host, 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();
  for (let i = 0; i < 20; i++)
    await emu.command(host, 'paper', 'add', { url: `https://example.org/queued-${i}` }).answer();

  const redis = new Redis(redisUrl);
  const papers = new PaperStore(redis);
  const total = ROUNDS + WARMUP;
  for (let i = 0; i < total; i++) {
    await redis.set(
      keys.metadataCache('arxiv', `2301.${10000 + i}`),
      JSON.stringify({ title: `Cached paper ${i}`, authors: ['A. Author'], abstract: 'Cached.' }),
    );
  }
  // A live session: a paper on, a question card to upvote, members on the stage with their hands up.
  await emu
    .command(host, 'session', 'start')
    .answer()
    .catch((e) => {
      console.log(gateway.stdout.slice(-3000), gateway.stderr.slice(-2000));
      throw e;
    });
  await emu.command(host, 'paper', 'next').answer();
  const sessions = new SessionStore(redis);
  const sessionId = (await sessions.current(guild.id))!.id;
  await emu.command(host, 'ask', undefined, { question: 'The question everyone upvotes' }).answer();
  const card = await waitFor(() =>
    emu
      .messagesIn(emu.world.channelByName(guild, 'announcements').id)
      .map((m) => emu.messagesIn(m.id).find((c) => c.embeds[0]?.description === 'The question everyone upvotes'))
      .find(Boolean),
  );
  const upvoteId = (card.components![0] as { components: Array<{ custom_id: string }> }).components[0]!.custom_id;
  const speakersInRoom = readers.slice(0, 300);
  for (const name of speakersInRoom) emu.joinVoice(guild, name, 'paper-stage');
  let raised = 0;
  const raiseNext = async () => {
    const name = speakersInRoom[raised++ % speakersInRoom.length]!;
    const userId = emu.world.memberByName(guild, name).user.id;
    await sessions.speakerDone(guild.id, sessionId, userId, Date.now());
    await sessions.raiseHand(guild.id, sessionId, userId, undefined, 'command', Date.now());
  };
  await raiseNext();

  let added = 0;
  let asked = 0;
  let voted = 0;
  const allCases: Case[] = [
    { name: 'ping', invoker: { ...host, user: 'Charlie' }, run: (i) => emu.command(i, 'ping') },
    { name: 'setup_show', invoker: { ...host, user: 'Aran' }, run: (i) => emu.command(i, 'setup', 'show') },
    { name: 'paper_list_20', invoker: { ...host, user: 'Hanish' }, run: (i) => emu.command(i, 'paper', 'list') },
    {
      // Metadata already cached; each added paper is removed again, untimed, so the queue stays at 20.
      name: 'paper_add_cached',
      invoker: host,
      run: (i) =>
        emu.command({ ...i, user: readers[added % readers.length]! }, 'paper', 'add', {
          url: `2301.${10000 + added++}`,
        }),
      after: async () => {
        const queue = await papers.list(guild.id);
        await papers.remove(guild.id, queue.at(-1)!.id);
      },
    },
    {
      name: 'ask',
      invoker: host,
      run: (i) =>
        emu.command({ ...i, user: readers[asked++ % readers.length]! }, 'ask', undefined, {
          question: `Question number ${asked}?`,
        }),
    },
    {
      name: 'upvote',
      invoker: host,
      run: (i) => emu.button({ ...i, user: readers[voted++ % readers.length]! }, card, upvoteId),
    },
    { name: 'speakers_next', invoker: host, run: (i) => emu.command(i, 'speakers', 'next'), after: raiseNext },
    { name: 'session_status', invoker: { ...host, user: 'Hanish' }, run: (i) => emu.command(i, 'session', 'status') },
  ];

  // `--cases=ping,ask` times only those (with --only=interactions, for profiling one path).
  const only = process.argv
    .find((a) => a.startsWith('--cases='))
    ?.split('=')[1]
    ?.split(',');
  const cases = only ? allCases.filter((c) => only.includes(c.name)) : allCases;
  try {
    for (const c of cases) await roundTrips(emu, c, WARMUP);
  } catch (e) {
    console.log(
      'gateway exit',
      gateway.child.exitCode,
      gateway.stdout
        .split('\n')
        .filter((l) => !l.includes('"level":30'))
        .slice(-20)
        .join('\n'),
      gateway.stderr.slice(-3000),
    );
    throw e;
  }
  // Each case is timed two ways. Isolated (the targets): one interaction of each case in turn, each started
  // once the bot is quiet (the jobs the last one set off done), as when members' commands are seconds apart;
  // taking the cases in turn gives every case the same machine, whatever its load does meanwhile. Back to
  // back: a block of one case, each round started as soon as the last reply is in, so it shares the machine
  // with the card posts the last one set off (load that the sustained run below measures on its own).
  // Between blocks the worker finishes what the block caused.
  const jobs = new JobQueue(redis, redisUrl, emu.applicationId, createLogger('silent'));
  const drain = async () => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const counts = await jobs.counts();
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const quiet = () => settled(emu, jobs, 4, 2);
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const backToBack = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let block = 0; block < 10; block++) {
    await drain();
    for (let round = 0; round < ROUNDS / 10; round++) {
      for (const c of cases) samples.get(c.name)!.push(...(await roundTrips(emu, c, 1, quiet)));
    }
    for (const c of cases) {
      await drain();
      backToBack.get(c.name)!.push(...(await roundTrips(emu, c, Math.ceil(ROUNDS / 10))));
    }
  }

  // Redis round trips per interaction: 50 more of each case, one at a time, watched through MONITOR.
  await drain();
  const trips = new RedisTrips(redisUrl);
  await trips.start(/^lectern-gateway-/);
  const perCase = new Map<string, { commands: number; trips: number }>();
  for (const c of cases) {
    const seen = await trips.measure(async () => {
      for (let i = 0; i < 50; i++) {
        await c.run(c.invoker).answer();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await c.after?.();
      }
    });
    perCase.set(c.name, { commands: seen.commands / 50, trips: seen.trips / 50 });
  }
  trips.stop();

  const figures: Record<string, Figure> = {};
  const rows: string[][] = [];
  const ratios = (timed: Map<string, number[]>, name: string) => {
    const [s, base] = [timed.get(name)!, timed.get('ping')!];
    const [p50, p99] = [percentile(s, 50), percentile(s, 99)];
    return { n: s.length, p50, p99, r50: p50 / percentile(base, 50), r99: p99 / percentile(base, 99) };
  };
  for (const { name } of cases) {
    const { n, p50, p99, r50, r99 } = ratios(samples, name);
    const b = ratios(backToBack, name);
    figures[`${name}_p50`] = { value: p50, unit: 'ms' };
    figures[`${name}_p99`] = { value: p99, unit: 'ms' };
    figures[`${name}_back_to_back_p50`] = { value: b.p50, unit: 'ms' };
    figures[`${name}_back_to_back_p99`] = { value: b.p99, unit: 'ms' };
    if (name !== 'ping') {
      Object.assign(figures, {
        [`${name}_p50_ratio`]: { value: r50, unit: 'ratio' },
        [`${name}_p99_ratio`]: { value: r99, unit: 'ratio' },
      });
      Object.assign(figures, {
        [`${name}_back_to_back_p50_ratio`]: { value: b.r50, unit: 'ratio' },
        [`${name}_back_to_back_p99_ratio`]: { value: b.r99, unit: 'ratio' },
      });
    }
    const redisUse = perCase.get(name)!;
    figures[`${name}_redis_round_trips`] = { value: redisUse.trips, unit: 'count' };
    figures[`${name}_redis_commands`] = { value: redisUse.commands, unit: 'count' };
    const ratioCells =
      name === 'ping'
        ? ['1.00 (baseline)', '1.00', `${b.p50.toFixed(2)} / ${b.p99.toFixed(2)} ms`]
        : [r50.toFixed(2), r99.toFixed(2), `${b.r50.toFixed(2)} / ${b.r99.toFixed(2)}`];
    rows.push([
      name,
      String(n),
      p50.toFixed(2),
      p99.toFixed(2),
      ...ratioCells,
      redisUse.trips.toFixed(2),
      redisUse.commands.toFixed(2),
    ]);
  }

  const stopBot = async () => {
    await jobs.close();
    redis.disconnect();
    await Promise.all([gateway.kill('SIGTERM'), worker.kill('SIGTERM')]);
    await emu.stop();
  };
  if (ONLY_INTERACTIONS) {
    console.log(table(rows));
    await stopBot();
    await privateRedis?.stop();
    return;
  }

  // A burst: 500 members upvote a fresh question at the same moment.
  await emu.command(host, 'ask', undefined, { question: 'The burst question' }).answer();
  const burstCard = await waitFor(() =>
    emu.messagesIn(card.channel_id).find((c) => c.embeds[0]?.description === 'The burst question'),
  );
  const burstId = (burstCard.components![0] as { components: Array<{ custom_id: string }> }).components[0]!.custom_id;
  const burst = readers.slice(0, 500).map((name) => emu.button({ ...host, user: name }, burstCard, burstId));
  await Promise.all(burst.map((r) => r.answer(30_000)));
  const burstTrips = burst.map((r) => r.roundTripMs!);
  const counted = (await sessions.questions(guild.id, sessionId)).find((q) => q.text === 'The burst question')!.votes;
  const errors = burst.filter((r) => !(r.callback && r.roundTripMs! < 3_000)).length;
  figures.upvote_burst_500_counted = { value: counted, unit: 'count' };
  figures.upvote_burst_500_p50 = { value: percentile(burstTrips, 50), unit: 'ms' };
  figures.upvote_burst_500_p99 = { value: percentile(burstTrips, 99), unit: 'ms' };
  figures.upvote_burst_500_late_or_failed = { value: errors, unit: 'count' };
  const burstLine = `burst: 500 upvotes at once → ${counted} counted, ${errors} late or failed, reply p50 ${percentile(burstTrips, 50).toFixed(1)} ms, p99 ${percentile(burstTrips, 99).toFixed(1)} ms`;

  const sustained = await sustainedAsk(emu, host, readers);
  Object.assign(figures, sustained.figures);
  // The cards those questions caused are posted before reminders are timed.
  for (let i = 0; i < 6; i++) await drain();
  const reminders = await reminderPunctuality(emu, scheduled);
  Object.assign(figures, reminders.figures);

  await stopBot();
  const memory = await memoryFigures(redisUrl);
  Object.assign(figures, memory.figures);
  await privateRedis?.stop();
  const recap = recapFigures();
  const speaking = speakingFigures();
  Object.assign(figures, recap.figures, speaking.figures);
  console.log(table(rows));
  console.log(`\n${burstLine}\n${sustained.line}\n${reminders.line}\n${recap.line}\n${speaking.line}\n${memory.line}`);
  writeResults(RESULTS, figures);
  console.log(`\nwritten to ${RESULTS}`);
}

await main();
