import { fileURLToPath } from 'node:url';
import { startLectern } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Emulator, type Invoker } from '../tests/emulator/emulator.js';
import { paperClub } from '../tests/support/guild.js';
import { botEnv, testClientOptions } from '../tests/support/harness.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { percentile, writeResults, type Figure } from './stats.js';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 1000);
const WARMUP = 200;
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

type Run = (invoker: Invoker) => ReturnType<Emulator['command']>;

/** Sequential round trips: interaction dispatched → callback received at the emulator. */
async function roundTrips(emu: Emulator, invoker: Invoker, run: Run, rounds: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const record = run(invoker);
    await record.answer();
    samples.push(record.roundTripMs!);
  }
  if (emu.violations.length > 0) throw new Error(`emulator recorded violations: ${JSON.stringify(emu.violations[0])}`);
  return samples;
}

async function main(): Promise<void> {
  const redis = process.env.REDIS_URL ? undefined : await PrivateRedis.start();
  const emu = await new Emulator().start();
  const guild = paperClub(emu);
  const config = loadConfig(botEnv(emu, process.env.REDIS_URL ?? redis!.url, { LOG_LEVEL: 'warn' }));
  const bot = await startLectern({ config, logger: createLogger(config.LOG_LEVEL), clientOptions: testClientOptions });
  const host: Invoker = { guild, user: 'Tanishq', channel: 'general' };
  await emu.command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }).answer();
  await emu.command(host, 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();

  const cases: Array<[string, Invoker, Run]> = [
    ['ping', { ...host, user: 'Charlie' }, (i) => emu.command(i, 'ping')],
    ['setup_show', { ...host, user: 'Aran' }, (i) => emu.command(i, 'setup', 'show')],
  ];
  const figures: Record<string, Figure> = {};
  const rows: string[][] = [];
  for (const [, invoker, run] of cases) await roundTrips(emu, invoker, run, WARMUP);
  // Interleave the cases in blocks so that drift in machine load affects both alike.
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let block = 0; block < 10; block++) {
    for (const [name, invoker, run] of cases) samples.get(name)!.push(...(await roundTrips(emu, invoker, run, Math.ceil(ROUNDS / 10))));
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
