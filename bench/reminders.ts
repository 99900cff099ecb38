import { Emulator } from '../tests/emulator/emulator.js';
import { BotProcess, until } from '../tests/support/bot-process.js';
import { botEnv } from '../tests/support/harness.js';
import { PrivateRedis } from '../tests/support/redis-server.js';
import { scheduleWave, smallClubs, waveOutcome, wavePosts } from '../tests/support/reminder-wave.js';
import { floorMs } from './limits.js';
import { BUILT_BOT, buildBot } from './memory.js';
import { percentile, type Figure } from './stats.js';

const CLUBS = 1_000;

/**
 * 1,000 servers on one weekly slot, set up through the real commands: every agenda falls due in one second, every
 * reminder 30 s later. Each wave's end (its last post reaching Discord, from when it fell due) as a ratio of the
 * least time Discord's global limit allows for 1,000 posts. Its own emulator (limits on), Redis and bot process
 * (one, in the `all` role), so the other figures are not taken in a world of 1,000 servers.
 */
export async function reminderWaves(): Promise<{ figures: Record<string, Figure>; line: string }> {
  const redis = await PrivateRedis.start();
  const emu = await new Emulator().start();
  const guilds = smallClubs(emu, CLUBS);
  buildBot();
  const bot = new BotProcess(botEnv(emu, redis.url, { LOG_LEVEL: 'info' }), BUILT_BOT);
  try {
    await bot.waitForLog(/worker ready/, 120_000);
    return await measure(emu, guilds);
  } finally {
    await bot.kill('SIGTERM');
    await emu.stop();
    await redis.stop();
  }
}

async function measure(
  emu: Emulator,
  guilds: ReturnType<typeof smallClubs>,
): Promise<{ figures: Record<string, Figure>; line: string }> {
  const wave = await scheduleWave(emu, guilds, { leadMs: 80_000, gapMs: 30_000 });
  const all = () => wavePosts(emu, guilds);
  await until(() => all().reminders.length >= guilds.length, wave.reminderAt - Date.now() + 120_000, 'every reminder');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const floor = floorMs(guilds.length, 1);
  const agendas = waveOutcome(emu, guilds, all().agendas, wave.agendaAt);
  const reminders = waveOutcome(emu, guilds, all().reminders, wave.reminderAt);
  const once = agendas.once && reminders.once;
  const [p50, p99] = [percentile(reminders.lateness, 50), percentile(reminders.lateness, 99)];
  return {
    figures: {
      reminder_wave_servers: { value: guilds.length, unit: 'count' },
      reminder_wave_missing_or_repeated: { value: once ? 0 : 1, unit: 'count', target: { op: '<=', value: 0 } },
      reminder_wave_floor: { value: floor, unit: 'ms' },
      agenda_wave_floor_ratio: { value: agendas.lastMs / floor, unit: 'ratio', target: { op: '<', value: 1.1 } },
      reminder_wave_floor_ratio: { value: reminders.lastMs / floor, unit: 'ratio', target: { op: '<', value: 1.1 } },
      reminder_lateness_p50: { value: p50, unit: 'ms' },
      reminder_lateness_p99: { value: p99, unit: 'ms' },
      reminder_wave_provoked_429s: { value: emu.rateLimited.length, unit: 'count', target: { op: '<=', value: 0 } },
    },
    line:
      `reminders: ${guilds.length} servers due in the same second, each agenda and reminder posted ` +
      `${once ? 'once' : 'NOT once'}; the last agenda ${(agendas.lastMs / 1000).toFixed(1)} s and the last ` +
      `reminder ${(reminders.lastMs / 1000).toFixed(1)} s after they fell due, against a floor of ` +
      `${(floor / 1000).toFixed(0)} s (${(agendas.lastMs / floor).toFixed(2)}x, ${(reminders.lastMs / floor).toFixed(2)}x); ` +
      `reminder lateness p50 ${(p50 / 1000).toFixed(1)} s, p99 ${(p99 / 1000).toFixed(1)} s; ` +
      `${emu.rateLimited.length} 429s provoked`,
  };
}
