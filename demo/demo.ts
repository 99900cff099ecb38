import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLectern } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Emulator } from '../tests/emulator/emulator.js';
import { until } from '../tests/support/bot-process.js';
import { botEnv, testClientOptions } from '../tests/support/harness.js';
import { MetadataServer } from '../tests/support/metadata-server.js';
import { PrivateRedis, RedisServer } from '../tests/support/redis-server.js';
import { ScriptedProviders } from '../tests/support/scripted-providers.js';
import {
  catchUpJobs,
  jobsIdle,
  loadScenario,
  ScenarioPlayer,
  scenarioGuild,
  type ScenarioStep,
  type StepResult,
} from '../tests/support/scenario.js';
import type { Lectern } from '../src/app.js';
import { isLine } from '../src/domain/transcript/transcript.js';
import { localTime, sessionHtml } from './html.js';
import { exportSite } from '../src/archive/export-site.js';
import { CHROMIUM_FLAGS } from '../tests/support/browser.js';

export interface DemoOptions {
  scenarioPath: string;
  outDir: string;
  redisUrl?: string;
  /** Where to print the transcript (a line per step). */
  print?: (line: string) => void;
}

export interface DemoResult {
  emu: Emulator;
  /** `archive`: the web archive's index page, exported as static files. */
  files: { recap?: string; html: string; png?: string; archive?: string };
  /** What the scripted speech-to-text server was asked to transcribe, in order (opted-in members' words only). */
  transcribed: string[];
}

function describeStep(step: ScenarioStep, player: ScenarioPlayer): string {
  const who = 'as' in step ? player.name(step.as) : '';
  if ('command' in step)
    return `${who}: ${step.command}${Object.entries(step.options ?? {})
      .map(([k, v]) => ` ${k}:${String(v).slice(0, 60)}`)
      .join('')}`;
  if ('say' in step) return `${who} says: ${step.say}`;
  if ('speaks' in step)
    return `${who} says aloud: “${step.speaks.length > 100 ? `${step.speaks.slice(0, 99)}…` : step.speaks}”`;
  if ('press' in step && step.press === 'vote') return `${who} votes for ${step.paper}`;
  if ('press' in step && step.press === 'confirm')
    return `${who} answers the "Still presenting?" DM: ${step.answer === 'yes' ? 'Yes' : "I can't"}`;
  if ('press' in step) return `${who} presses ${step.press} on "${step.question}"`;
  if ('pollVote' in step) return `${who} votes in the poll for ${step.pollVote.join(', ')}`;
  if ('menu' in step) return `${who}: ${step.menu} on "${step.message}"`;
  if ('join' in step) return `${player.name(step.join)} joins the stage`;
  if ('leave' in step) return `${player.name(step.leave)} leaves the stage`;
  return `(expected: ${step.expect ?? 'nothing'})`;
}

/** What became of a `speaks` step's utterance once its transcribe job ran. */
async function heardAs(bot: Lectern, guildId: string, result: StepResult): Promise<string> {
  if (!result.utterance) return 'not heard: the transcript is off (/setup transcript) or stopped';
  const { sessionId, id } = result.utterance;
  const entry = (await bot.internals.transcripts.entries(guildId, sessionId)).find((e) => e.id === id);
  if (!entry) return 'left out of the transcript (not opted in with /transcript join)';
  return isLine(entry) ? 'transcribed' : `a gap in the transcript: ${entry.gap}`;
}

/**
 * Replays a scenario through the real bot against the local Discord emulator,
 * with the bot's clock set to each step's time, then writes what members saw.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const print = options.print ?? (() => {});
  const scenario = loadScenario(options.scenarioPath);
  const redis = options.redisUrl ? undefined : await PrivateRedis.start();
  const sources = await new MetadataServer().start();
  // No voice and no model in the demo: what members say comes from the scenario's `speaks` steps, through these.
  const scripted = await ScriptedProviders.start();
  // Audio waits in a Redis that writes nothing to disk, as the bot requires; without redis-server, no transcript.
  const audio = PrivateRedis.available() ? await RedisServer.start(['--appendonly', 'no']) : undefined;
  let now = Date.parse(scenario.steps[0]!.at);
  // Discord's "now" is the replay's, so a scheduled event for the scenario's week is in the future as it should be.
  const emu = await new Emulator({ now: () => now }).start();
  const guild = scenarioGuild(emu, scenario);
  const config = loadConfig(
    botEnv(emu, options.redisUrl ?? redis!.url, {
      LOG_LEVEL: 'silent',
      LECTERN_METADATA_BASE_URL: sources.url,
      LECTERN_ARXIV_INTERVAL_MS: '0',
      ...(audio && { ...scripted.env, LECTERN_AUDIO_REDIS_URL: audio.url }),
    }),
  );
  const bot = await startLectern({
    config,
    logger: createLogger('silent'),
    clientOptions: testClientOptions,
    clock: () => now,
    realignDelayedJobs: true,
  });
  try {
    await bot.services.settings.update(guild.id, { timeZone: scenario.timeZone });
    // Each step sets the clock; agendas and reminders due by then go out before the step is played.
    const player = new ScenarioPlayer(
      emu,
      guild,
      scenario,
      async (iso) => {
        now = Date.parse(iso);
        await catchUpJobs(bot.internals.jobs, now);
      },
      (userId) => bot.client?.guilds.cache.get(guild.id)?.voiceStates.cache.get(userId)?.channelId,
      { bot, onUtterance: (wav, words) => scripted.say(wav, words) },
    );
    const names = new Map(scenario.members.map((m) => [player.userId(m.id), m.name]));
    const channelName = (id: string) => emu.world.channels.get(id)?.name ?? 'channel';
    const roleName = (id: string) => [...guild.roles.values()].find((r) => r.id === id)?.name ?? 'role';
    const readable = (text: string) =>
      text
        .replace(/<@!?(\d+)>/g, (_m, id: string) => `@${names.get(id) ?? 'member'}`)
        .replace(/<@&(\d+)>/g, (_m, id: string) => `@${roleName(id)}`)
        .replace(/<#(\d+)>/g, (_m, id: string) => `#${channelName(id)}`)
        .replace(/<t:(\d+):([A-Za-z])>/g, (_m, unix: string, style: string) =>
          localTime(Number(unix) * 1000, style, scenario.timeZone, now),
        );
    print(`Replaying "${scenario.title}" (${scenario.steps.length} steps) against a local Discord…`);
    for (const [i, step] of scenario.steps.entries()) {
      const time = step.at.slice(0, 19).replace('T', ' ');
      const seen = emu.posts.length;
      const result = await player.play(step);
      // What the step set off (cards, the recap) is shown with it.
      await jobsIdle(bot.internals.jobs);
      const answer = result.answer
        ? `\n    → ${readable(result.answer.content || result.answer.embeds[0]?.title || '(an embed)').split('\n')[0]}`
        : 'speaks' in step
          ? `\n    → ${await heardAs(bot, guild.id, result)}`
          : '';
      // Each step shows what the bot posted because of it (cards, agenda, reminders, DMs, the recap).
      const posted = emu.posts
        .slice(seen)
        .filter((p) => p.action === 'create' && p.via !== 'interaction')
        .map((p) => {
          const channel = emu.world.channels.get(p.channelId);
          const where = channel?.recipientId
            ? `DM to ${names.get(channel.recipientId) ?? 'a member'}`
            : `#${channel?.name ?? 'channel'}`;
          return `\n    ⇒ ${where}: ${readable(p.message.embeds[0]?.title ?? p.message.content)
            .split('\n')[0]!
            .slice(0, 120)}`;
        });
      print(`[${time}] (${i + 1}/${scenario.steps.length}) ${describeStep(step, player)}${answer}${posted.join('')}`);
    }
    const recaps = emu.world.channelByName(guild, 'recaps').id;
    const ended = scenario.steps.some((s) => 'command' in s && s.command === '/session end');
    if (ended) await until(() => emu.messagesIn(recaps).some((m) => m.attachments.length > 0), 30_000, 'the recap');
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the last coalesced board edit
    mkdirSync(options.outDir, { recursive: true });
    const files: DemoResult['files'] = { html: join(options.outDir, 'session.html') };
    const recapMessage = emu.messagesIn(recaps).find((m) => m.attachments.length > 0);
    if (recapMessage) {
      files.recap = join(options.outDir, 'recap.md');
      writeFileSync(files.recap, emu.attachmentText(recapMessage.attachments[0]!.id));
    }
    writeFileSync(files.html, sessionHtml(emu, scenario.title, scenario.timeZone));
    // The web archive as a reader would see it, written as static files (npm run export-site does the same).
    if (recapMessage) {
      const settings = await bot.services.settings.get(guild.id);
      await exportSite(bot.services.archive, { guildId: guild.id, settings }, join(options.outDir, 'archive'));
      files.archive = join(options.outDir, 'archive', 'index.html');
    }
    const png = screenshot(files.html, join(options.outDir, 'session.png'));
    if (png) files.png = png;
    print(
      `\nWrote ${[files.recap, files.html, files.png, files.archive].filter(Boolean).join(', ')}${png ? '' : ' (no Chromium found for session.png: apt-get install chromium)'}`,
    );
    return { emu, files, transcribed: [...scripted.transcribed] };
  } finally {
    await bot.stop();
    await emu.stop();
    await scripted.stop();
    await sources.stop();
    await redis?.stop();
    await audio?.stop();
  }
}

/** A headless Chromium screenshot of the page, where Chromium is installed. */
function screenshot(html: string, png: string): string | undefined {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) =>
    existsSync(path),
  );
  if (!chromium) return undefined;
  const run = spawnSync(
    chromium,
    [
      '--headless',
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${join(png, '..', '.chromium-profile')}`,
      '--window-size=1000,2400',
      `--screenshot=${png}`,
      `file://${html}`,
    ],
    { timeout: 60_000, stdio: 'ignore' },
  );
  return run.status === 0 && existsSync(png) ? png : undefined;
}
