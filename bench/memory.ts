import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { SessionStore } from '../src/store/session-store.js';
import { SettingsStore } from '../src/store/settings-store.js';
import { Emulator } from '../tests/emulator/emulator.js';
import { BotProcess } from '../tests/support/bot-process.js';
import { paperClub } from '../tests/support/guild.js';
import { botEnv } from '../tests/support/harness.js';
import type { Figure } from './stats.js';

const GUILDS = 1_000;
const LIVE = 50;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

export const BUILT_BOT = 'dist/src/main.js';
let built = false;

/**
 * Compiles the bot (npm run build) so it runs as in production: plain node,
 * no TypeScript loader (under tsx, every lazy require() inside discord.js
 * goes through the loader's hooks and costs a fraction of a millisecond).
 */
export function buildBot(): void {
  if (built) return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  // The stores read their Lua scripts from next to the compiled code; a build that left them out fails at start.
  if (!existsSync(`${root}/dist/src/store/lua`))
    throw new Error('npm run build did not put src/store/lua in dist/src/store/lua: the built bot has no scripts');
  built = true;
}

/**
 * Resident memory of one bot process (gateway and worker together) in 1,000
 * servers, each configured, with a live session (board, questions, votes) in 50.
 */
export async function memoryFigures(redisUrl: string): Promise<{ figures: Record<string, Figure>; line: string }> {
  const emu = await new Emulator().start();
  const guilds = Array.from({ length: GUILDS }, (_, i) => paperClub(emu, { name: `Server ${i}` }));
  const redis = new Redis(redisUrl);
  const settings = new SettingsStore(redis);
  for (const guild of guilds) {
    const channel = (name: string) => emu.world.channelByName(guild, name).id;
    await settings.update(guild.id, {
      announceChannelId: channel('announcements'),
      recapChannelId: channel('recaps'),
      stageChannelId: channel('paper-stage'),
      stageKind: 'stage',
      hostRoleId: emu.world.roleByName(guild, 'hosts').id,
      timeZone: 'Europe/Berlin',
    });
  }
  buildBot();
  const bot = new BotProcess(
    botEnv(emu, redisUrl, { LOG_LEVEL: 'info', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '100000' }),
    BUILT_BOT,
  );
  try {
    await bot.waitForLog(/worker ready/, 120_000);
    const idle = rssMb(bot.child.pid!);
    for (const guild of guilds.slice(0, LIVE)) {
      const as = (user: string) => ({ guild, user, channel: 'general' });
      await emu.command(as('Tanishq'), 'session', 'start').answer();
      for (const user of ['Charlie', 'Cong', 'Hanish'])
        await emu.command(as(user), 'ask', undefined, { question: `A question from ${user}?` }).answer();
      await emu.command(as('Charlie'), 'speak').answer();
      await emu.command(as('Hanish'), 'session', 'status').answer();
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // boards and cards posted
    const live = rssMb(bot.child.pid!);
    const sessions = new SessionStore(redis);
    const running = (await Promise.all(guilds.slice(0, LIVE).map((g) => sessions.current(g.id)))).filter(
      (s) => s?.status === 'live',
    ).length;
    return {
      figures: {
        rss_1000_guilds_idle: { value: idle, unit: 'MB' },
        rss_1000_guilds_50_live: { value: live, unit: 'MB', target: { op: '<', value: 200 } },
      },
      line:
        `memory: one bot process in ${GUILDS.toLocaleString('en-US')} servers: ${idle.toFixed(0)} MB resident ` +
        `when ready, ${live.toFixed(0)} MB with ${running} live sessions (boards, questions, hands)`,
    };
  } finally {
    await bot.kill('SIGTERM');
    redis.disconnect();
    await emu.stop();
  }
}
