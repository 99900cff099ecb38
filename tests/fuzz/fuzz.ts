import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type APIApplicationCommandOption,
  type APIMessage,
} from 'discord-api-types/v10';
import { Redis } from 'ioredis';
import { exportGuildData } from '../../src/store/guild-export.js';
import { Emulator, type Invoker } from '../emulator/emulator.js';
import type { InteractionRecord } from '../emulator/interactions.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv, JobWatch } from '../support/harness.js';
import { MetadataServer } from '../support/metadata-server.js';
import { PrivateRedis } from '../support/redis-server.js';
import { commandOptions, HOSTILE, rng, type Pools } from './generator.js';

/**
 * Generated interactions against the running bot (its own process): every
 * command with missing, mistyped, oversized and hostile options, unknown and
 * stale custom_ids, components from another guild or an ended session,
 * members without roles, and commands sent from DMs. Checks: the process
 * never exits, every interaction is answered within 3 s, no "something went
 * wrong" (an input that reached an unhandled path), nothing stored changes
 * on an input refused by construction, no message lets a mention through,
 * and every body the bot sends passes Discord's schemas.
 */
export interface FuzzOptions {
  seed: number;
  count: number;
  redisUrl?: string;
  log?: (line: string) => void;
}

export interface FuzzReport {
  sent: number;
  answered: number;
  slowest: number;
  late: string[];
  unexpected: string[];
  changedOnRefusal: string[];
  mentionLeaks: number;
  violations: number;
  crashed: boolean;
  refusalsChecked: number;
  /** Skipped: inputs the emulator could not even build. */
  skipped: number;
  /** The change detector saw the change an accepted command made (a control, so a clean report means something). */
  detectorWorks: boolean;
}

/**
 * Keys and fields written by jobs (cards, boards, metadata, posts, questions waiting for their card, paper
 * threads and the thread → paper map, a poll's posted message): they may change at any time, refusal or not.
 */
function stable(data: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (/^dirty:|:posts:|:recap$|:uncarded$|^occurrence|^papers:threads$/.test(key)) continue;
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value).filter(
              ([f]) => !/card|board|thread|metadata|^title$|^authors$|^abstract$|^messageId$/i.test(f),
            ),
          )
        : value;
  }
  return JSON.stringify(out);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const random = rng(options.seed);
  const privateRedis = options.redisUrl ? undefined : await PrivateRedis.start();
  const redisUrl = options.redisUrl ?? privateRedis!.url;
  const sources = await new MetadataServer().start();
  const emu = await new Emulator().start();
  const home = paperClub(emu);
  const other = paperClub(emu, { name: 'Another server' });
  const bot = new BotProcess(
    botEnv(emu, redisUrl, {
      LOG_LEVEL: 'info',
      LECTERN_METADATA_BASE_URL: sources.url,
      LECTERN_ARXIV_INTERVAL_MS: '0',
      DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000',
    }),
  );
  const redis = new Redis(redisUrl);
  const jobs = new JobWatch(redisUrl, emu.applicationId);
  const report: FuzzReport = {
    sent: 0,
    answered: 0,
    slowest: 0,
    late: [],
    unexpected: [],
    changedOnRefusal: [],
    mentionLeaks: 0,
    violations: 0,
    crashed: false,
    refusalsChecked: 0,
    skipped: 0,
    detectorWorks: false,
  };
  try {
    await bot.waitForLog(/worker ready/, 30_000);
    await until(() => (emu.commands.get('global')?.length ?? 0) > 0, 20_000, 'commands registered');
    // A configured home guild with a live session (real board and card buttons), and another
    // guild whose session has ended (its buttons are stale).
    for (const guild of [home, other]) {
      const host = { guild, user: 'Tanishq', channel: 'general' };
      await emu
        .command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
        .answer();
      await emu.command(host, 'setup', 'roles', { host: '@hosts' }).answer();
      await emu.command(host, 'paper', 'add', { url: 'https://example.org/fuzz-paper' }).answer();
      await emu.command(host, 'session', 'start').answer();
      await emu
        .command({ ...host, user: 'Charlie' }, 'ask', undefined, { question: 'A real question to upvote' })
        .answer();
    }
    const boardOf = (guild: WorldGuild) =>
      emu.messagesIn(emu.world.channelByName(guild, 'announcements').id).find((m) => m.embeds[0]?.title === 'Live now');
    await until(
      () => [home, other].every((g) => boardOf(g) && emu.messagesIn(boardOf(g)!.id).length > 0),
      20_000,
      'boards and cards',
    );
    await emu.command({ guild: other, user: 'Tanishq', channel: 'general' }, 'session', 'end').answer();
    emu.memberMessage(home, 'Hanish', 'general', '@everyone look at <@&1> **this** [link](https://evil.example)');

    const commands = emu.commands.get('global')!.filter((c) => c.type === ApplicationCommandType.ChatInput);
    const menus = emu.commands
      .get('global')!
      .filter((c) => c.type === ApplicationCommandType.Message)
      .map((c) => c.name);
    // Members of both guilds (each guild's owner is its own).
    const members = [...home.members.values()]
      .map((m) => m.user.global_name ?? m.user.username)
      .filter((n) => n !== 'Lectern' && !n.endsWith(' owner'));
    const channels = ['general', 'announcements', 'recaps', 'paper-stage', 'lounge', 'papers'];
    const roles = [...home.roles.values()].map((r) => r.name).filter((n) => n !== '@everyone');
    const pools: Pools = {
      members,
      roles,
      channels: channels.map((name) => ({ name, type: emu.world.channelByName(home, name).type })),
    };
    const guildOf = (m: APIMessage) => emu.world.channels.get(m.channel_id)?.guildId;
    const botMessages = (): APIMessage[] =>
      [...emu.world.channels.values()]
        .flatMap((c) => emu.messagesIn(c.id))
        .filter((m) => (m.components?.length ?? 0) > 0);
    const customIdsOf = (m: APIMessage) =>
      (m.components ?? [])
        .flatMap((row) => ('components' in row ? (row.components as Array<{ custom_id?: string }>) : []))
        .flatMap((b) => (b.custom_id ? [b.custom_id] : []));

    type Generated = {
      what: string;
      record: () => InteractionRecord;
      refusedByConstruction: boolean;
      guild: WorldGuild;
    };
    const generate = (): Generated => {
      const guild = random.chance(0.85) ? home : other;
      const invoker: Invoker = {
        guild,
        user: random.pick(members),
        // Not the forum itself: Discord runs commands in its posts, never in the forum.
        channel: random.pick(channels.filter((c) => !['paper-stage', 'lounge', 'papers'].includes(c))),
      };
      const roll = random.next();
      if (roll < 0.6 || roll >= 0.95) {
        const command = random.pick(commands);
        const { sub, values, invalid } = commandOptions(command, random, pools);
        const shown = JSON.stringify(values).slice(0, 120);
        const what = `/${command.name}${sub ? ` ${sub}` : ''} ${shown} as ${invoker.user}`;
        if (roll >= 0.95)
          return {
            what: `DM ${what}`,
            guild,
            refusedByConstruction: true,
            record: () => emu.dmCommand(guild, invoker.user, command.name, sub, values),
          };
        return {
          what,
          guild,
          refusedByConstruction: invalid,
          record: () => emu.command(invoker, command.name, sub, values),
        };
      }
      if (roll < 0.7) {
        const command = random.pick(
          commands.filter((c) => JSON.stringify(c.options ?? []).includes('"autocomplete":true')),
        );
        const subs = (command.options ?? []).filter(
          (o) =>
            o.type === ApplicationCommandOptionType.Subcommand && JSON.stringify(o).includes('"autocomplete":true'),
        );
        const sub = subs.length > 0 ? random.pick(subs) : undefined;
        const focused = (
          (sub as { options?: APIApplicationCommandOption[] } | undefined)?.options ??
          command.options ??
          []
        ).find((o) => (o as { autocomplete?: boolean }).autocomplete)!;
        const typed = random.pick(HOSTILE);
        return {
          what: `autocomplete /${command.name} ${sub?.name ?? ''} ${focused.name}=${typed.slice(0, 40)}`,
          guild,
          refusedByConstruction: true,
          record: () => emu.autocomplete(invoker, command.name, sub?.name, { [focused.name]: typed }, focused.name),
        };
      }
      if (roll < 0.9) {
        // A message of this guild carrying a custom_id that is real, mutated, made up, or copied from the other guild.
        const messages = botMessages();
        const message = random.pick(messages.filter((m) => guildOf(m) === guild.id));
        const real = random.pick(messages.flatMap(customIdsOf));
        const foreign = !messages.some((m) => guildOf(m) === guild.id && customIdsOf(m).includes(real));
        const customId = random.pick([
          real,
          real,
          `${real}x`,
          real.replace(/:[^:]*$/, ':000000'),
          'ask:upvote:',
          'session:end:nope',
          'nope:nope:nope',
          'x'.repeat(100),
          'paper:page:-1:x',
          'speak:lower:',
        ]);
        const known = customId === real && !foreign;
        const copied = foreign && customId === real ? ' (from the other guild)' : '';
        return {
          what: `button ${customId.slice(0, 60)} on ${message.id}${copied} as ${invoker.user}`,
          guild,
          refusedByConstruction: !known,
          record: () => emu.button(invoker, message, customId),
        };
      }
      const target = random.pick(
        [...emu.world.channels.values()].flatMap((c) => emu.messagesIn(c.id)).filter((m) => guildOf(m) === guild.id),
      );
      const menu = random.pick(menus);
      return {
        what: `menu ${menu} on ${target.id} as ${invoker.user}`,
        guild,
        refusedByConstruction: false,
        record: () => emu.messageCommand(invoker, menu, target),
      };
    };

    // What jobs write is left out of the comparison (stable); a check still waits for those under way to finish.
    // Delayed ones (a board edit in 2 s) would only make the run slower.
    const idle = () => jobs.done({ delayed: [] });

    // The control: an accepted command does change what is stored, and the detector sees it.
    await idle();
    const control = stable(await exportGuildData(redis, home.id));
    await emu
      .command({ guild: home, user: 'Tanishq', channel: 'general' }, 'paper', 'add', {
        url: 'https://example.org/fuzz-control',
      })
      .answer();
    await idle();
    report.detectorWorks = stable(await exportGuildData(redis, home.id)) !== control;

    for (let i = 0; i < options.count; i++) {
      if (bot.child.exitCode !== null) {
        report.crashed = true;
        break;
      }
      const generated = generate();
      const check = generated.refusedByConstruction && random.chance(0.35);
      let before = '';
      if (check) {
        await idle();
        before = stable(await exportGuildData(redis, generated.guild.id));
      }
      let record: InteractionRecord;
      try {
        record = generated.record();
      } catch (error) {
        // The emulator itself could not build it (not something Discord would send either).
        report.skipped++;
        log(`skipped: ${generated.what}: ${(error as Error).message}`);
        continue;
      }
      report.sent++;
      const answer = await record.answer(5_000).catch(() => undefined);
      const trip = record.roundTripMs;
      if (answer && trip !== undefined && trip <= 3_000) report.answered++;
      else report.late.push(`${generated.what} (${trip === undefined ? 'no answer' : `${trip.toFixed(0)} ms`})`);
      report.slowest = Math.max(report.slowest, trip ?? 0);
      const text = `${answer?.content ?? ''} ${JSON.stringify(answer?.embeds ?? [])}`;
      if (/Something went wrong on my side/.test(text)) report.unexpected.push(generated.what);
      if (check) {
        report.refusalsChecked++;
        await idle();
        const after = stable(await exportGuildData(redis, generated.guild.id));
        if (
          after !== before &&
          !/^(Queued|Upvoted|Vote taken back|Question logged|Highlight saved|Saved|Moved|Removed|Now presenting)/.test(
            answer?.content ?? '',
          )
        ) {
          report.changedOnRefusal.push(`${generated.what} → ${(answer?.content ?? '').slice(0, 100)}`);
        }
      }
      if ((i + 1) % 250 === 0)
        log(
          `${i + 1}/${options.count} sent, ${report.late.length} late, ${report.unexpected.length} unexpected, ` +
            `${report.changedOnRefusal.length} changed on refusal`,
        );
    }
    // What the last interactions set off is posted before the posts are checked.
    await jobs.done().catch((error: unknown) => log(`jobs still running at the end: ${(error as Error).message}`));
    report.crashed ||= bot.child.exitCode !== null;
    report.violations = emu.violations.length;
    // The agenda and reminders ping the ping role on purpose (the fuzzer may have set one and a schedule);
    // nothing else pings.
    const announcing = (p: { message: APIMessage }) =>
      /^<@&\d+> (The agenda for|\*\*Paper reading starts in)/.test(p.message.content);
    const leaks = emu.posts.filter(
      (p) => p.pings.everyone || p.pings.users.length > 0 || (p.pings.roles.length > 0 && !announcing(p)),
    );
    report.mentionLeaks = leaks.length;
    if (leaks.length > 0) log(`mention leaks: ${JSON.stringify(leaks.slice(0, 3).map((p) => p.message.content))}`);
    if (report.violations > 0) log(`violations: ${JSON.stringify(emu.violations.slice(0, 3))}`);
    if (report.unexpected.length > 0)
      log(
        `bot stderr/stdout tail:\n${bot.stdout
          .split('\n')
          .filter((l) => l.includes('"level":50'))
          .slice(-5)
          .join('\n')}`,
      );
    return report;
  } finally {
    await jobs.close();
    redis.disconnect();
    await bot.kill('SIGTERM').catch(() => {});
    await emu.stop();
    await sources.stop();
    await privateRedis?.stop();
  }
}
