import { fileURLToPath } from 'node:url';
import { startLectern } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Emulator, type Invoker } from '../tests/emulator/emulator.js';
import { paperClub, paperClubSpec } from '../tests/support/guild.js';
import { keys } from '../src/store/keys.js';
import { botEnv, testClientOptions } from '../tests/support/harness.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { BotProcess } from '../tests/support/bot-process.js';
import { percentile, writeResults, type Figure } from './stats.js';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1000);
const WARMUP = 200;
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

type Run = (invoker: Invoker) => ReturnType<Emulator['command']>;
/** Untimed work after each round trip (resetting state for the next one). */
type After = () => Promise<void>;

/** Sequential round trips: interaction dispatched → callback received at the emulator. */
async function roundTrips(emu: Emulator, invoker: Invoker, run: Run, rounds: number, after?: After): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const record = run(invoker);
    await record.answer();
    samples.push(record.roundTripMs!);
    await after?.();
  }
  if (emu.violations.length > 0) throw new Error(`emulator recorded violations: ${JSON.stringify(emu.violations[0])}`);
  return samples;
}

async function main(): Promise<void> {
  const redis = process.env.REDIS_URL ? undefined : await PrivateRedis.start();
  const emu = await new Emulator().start();
  // Enough members that the per-member /paper add limit never trips during the run.
  const readers = Array.from({ length: 300 }, (_, i) => `Reader ${i}`);
  const guild = paperClub(emu, { members: [...paperClubSpec().members!, ...readers.map((name) => ({ name }))] });
  // The production split: this process holds the gateway and answers; a worker process runs the jobs (card posts).
  const redisUrl = process.env.REDIS_URL ?? redis!.url;
  const config = loadConfig(botEnv(emu, redisUrl, { LOG_LEVEL: 'warn', LECTERN_ROLE: 'gateway' }));
  const bot = await startLectern({ config, logger: createLogger(config.LOG_LEVEL), clientOptions: testClientOptions });
  const worker = new BotProcess(botEnv(emu, redisUrl, { LOG_LEVEL: 'info', LECTERN_ROLE: 'worker' }));
  await worker.waitForLog(/worker ready/);
  const host: Invoker = { guild, user: 'Tanishq', channel: 'general' };
  await emu.command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }).answer();
  await emu.command(host, 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();

  // /paper list reads a 20-paper queue; /paper add adds papers whose metadata is cached, each removed again untimed.
  const { redis: store, papers } = bot.services;
  for (let i = 0; i < 20; i++) await emu.command(host, 'paper', 'add', { url: `https://example.org/queued-${i}` }).answer();
  let added = 0;
  for (let i = 0; i < ROUNDS + WARMUP + 10; i++) {
    const id = `2301.${String(10000 + i)}`;
    await store.set(keys.metadataCache('arxiv', id), JSON.stringify({ title: `Cached paper ${i}`, authors: ['A. Author'], abstract: 'Cached.' }));
  }
  const addCached: Run = (i) => emu.command({ ...i, user: readers[added % readers.length]! }, 'paper', 'add', { url: `2301.${String(10000 + added++)}` });
  const removeAdded: After = async () => {
    const queue = await papers.list(guild.id);
    await papers.remove(guild.id, queue.at(-1)!.id);
  };

  const cases: Array<[string, Invoker, Run, After?]> = [
    ['ping', { ...host, user: 'Charlie' }, (i) => emu.command(i, 'ping')],
    ['setup_show', { ...host, user: 'Aran' }, (i) => emu.command(i, 'setup', 'show')],
    ['paper_list_20', { ...host, user: 'Hanish' }, (i) => emu.command(i, 'paper', 'list')],
    ['paper_add_cached', host, addCached, removeAdded],
  ];
  const figures: Record<string, Figure> = {};
  const rows: string[][] = [];
  for (const [, invoker, run, after] of cases) await roundTrips(emu, invoker, run, WARMUP, after);
  // Interleave the cases in blocks so that drift in machine load affects both alike.
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let block = 0; block < 10; block++) {
    for (const [name, invoker, run, after] of cases) samples.get(name)!.push(...(await roundTrips(emu, invoker, run, Math.ceil(ROUNDS / 10), after)));
  }
  const base = samples.get('ping')!;
  for (const [name] of cases) {
    const s = samples.get(name)!;
    const p50 = percentile(s, 50);
    const p99 = percentile(s, 99);
    figures[`${name}_p50`] = { value: p50, unit: 'ms' };
    figures[`${name}_p99`] = { value: p99, unit: 'ms' };
    if (name !== 'ping') {
      figures[`${name}_p50_ratio`] = { value: p50 / percentile(base, 50), unit: 'ratio' };
      figures[`${name}_p99_ratio`] = { value: p99 / percentile(base, 99), unit: 'ratio' };
    }
    rows.push([name, String(s.length), p50.toFixed(2), p99.toFixed(2), name === 'ping' ? '1.00 (baseline)' : (p50 / percentile(base, 50)).toFixed(2), name === 'ping' ? '1.00' : (p99 / percentile(base, 99)).toFixed(2)]);
  }

  await worker.kill('SIGTERM');
  await bot.stop();
  await emu.stop();
  await redis?.stop();

  const header = ['interaction', 'n', 'p50 ms', 'p99 ms', 'p50 ratio', 'p99 ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  writeResults(RESULTS, figures);
  console.log(`\nwritten to ${RESULTS}`);
}

await main();
