import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { nextSession, parseDuration, planPosts, MAX_DURATION_MIN, type Schedule } from '../src/domain/schedule/plan.js';
import { matchTimeZones, parseTime, parseTimeZone, WEEKDAYS, type Weekday } from '../src/domain/schedule/weekly.js';
import { formatOffset } from '../src/domain/settings.js';
import type { Command, HandlerContext } from '../src/discord/command.js';
import { eventUrl } from '../src/discord/render/agenda.js';
import { discordTime } from '../src/discord/render/text.js';
import type { OccurrenceRecord } from '../src/domain/schedule/plan.js';
import type { ChatInputCommandInteraction } from 'discord.js';

const data = new SlashCommandBuilder()
  .setName('schedule')
  .setDescription('When the weekly session happens')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('set')
      .setDescription('Set the weekly slot (hosts)')
      .addStringOption((o) =>
        o
          .setName('weekday')
          .setDescription('Day of the week')
          .setRequired(true)
          .addChoices(...WEEKDAYS.map((day) => ({ name: day, value: day }))),
      )
      .addStringOption((o) =>
        o.setName('time').setDescription('Start time, HH:MM on a 24-hour clock').setRequired(true).setMaxLength(5),
      )
      .addStringOption((o) =>
        o
          .setName('timezone')
          .setDescription('Time zone, like America/Los_Angeles')
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(64),
      )
      .addIntegerOption((o) =>
        o
          .setName('duration')
          .setDescription('Length in minutes (default 90)')
          .setMinValue(10)
          .setMaxValue(MAX_DURATION_MIN),
      ),
  )
  .addSubcommand((s) => s.setName('show').setDescription('The next sessions, and what will be posted when'))
  .addSubcommand((s) =>
    s
      .setName('skip')
      .setDescription('Skip one week (hosts)')
      .addStringOption((o) =>
        o.setName('date').setDescription('The session date, YYYY-MM-DD').setRequired(true).setMaxLength(10),
      ),
  )
  .addSubcommand((s) => s.setName('pause').setDescription('Stop scheduling sessions until resumed (hosts)'))
  .addSubcommand((s) => s.setName('resume').setDescription('Start scheduling sessions again (hosts)'));

type Ctx = HandlerContext<ChatInputCommandInteraction>;

function opened(occurrence: OccurrenceRecord | undefined): string {
  return occurrence
    ? `Next session: ${discordTime(occurrence.start, 'F')} (${discordTime(occurrence.start, 'R')}).`
    : 'No session is coming up.';
}

async function show(ctx: Ctx): Promise<void> {
  const schedule = await ctx.services.schedule.schedule(ctx.guildId);
  if (!schedule) return ctx.reply('No schedule yet. Hosts set one with `/schedule set weekday time timezone`.');
  const now = ctx.services.now();
  const slot = `Every ${schedule.weekday} at ${schedule.time} (${schedule.timeZone}), ${schedule.durationMin} minutes.`;
  if (schedule.paused)
    return ctx.reply(`${slot}\n**Paused**: no sessions, agendas or reminders until a host runs /schedule resume.`);
  const upcoming: string[] = [];
  let cursor = now;
  for (let i = 0; i < 4; i++) {
    const next = nextSession(schedule, cursor);
    if (!next) break;
    upcoming.push(`• ${discordTime(next.start, 'F')} (${discordTime(next.start, 'R')})`);
    cursor = next.start;
  }
  const open = await ctx.services.schedule.openSession(ctx.guildId);
  const posts = open
    ? planPosts(open, ctx.settings.reminderOffsets, now).filter((p) => !open.posts[String(p.offset)])
    : [];
  const posted = open
    ? Object.entries(open.posts)
        .sort(([a], [b]) => Number(b) - Number(a))
        .map(([offset, id]) => `${formatOffset(Number(offset))} ${id === 'dropped' ? 'dropped (late)' : 'posted'}`)
    : [];
  const closedDms = open
    ? Object.entries(open.dms)
        .filter(([, state]) => state === 'closed')
        .map(([id]) => `<@${id}>`)
    : [];
  const postLine = (p: (typeof posts)[number]): string => {
    const what = p.kind === 'agenda' ? 'Agenda and presenter DMs' : `Reminder (${formatOffset(p.offset)} before)`;
    return `• ${what}: ${discordTime(p.at, 'f')}`;
  };
  const lines = [
    slot,
    `**Next sessions**\n${upcoming.join('\n')}`,
    schedule.skips.length > 0 ? `**Skipped**: ${schedule.skips.join(', ')}` : '',
    posts.length > 0 ? `**Planned posts**\n${posts.map(postLine).join('\n')}` : '',
    posted.length > 0 ? `**Done**: ${posted.join(', ')}` : '',
    open?.eventId ? `**Event**: ${eventUrl(ctx.guildId, open.eventId)}` : '',
    closedDms.length > 0 ? `**Could not DM** (DMs closed): ${closedDms.join(', ')}` : '',
    ctx.settings.announceChannelId ? '' : 'No announce channel yet: agendas and reminders need /setup channels.',
  ];
  await ctx.reply({ embeds: [{ title: 'Schedule', description: lines.filter(Boolean).join('\n\n').slice(0, 4000) }] });
}

export default {
  data: data.toJSON(),
  preconditions: {
    hostOnly: ['set', 'skip', 'pause', 'resume'],
    rateLimit: { limit: 10, windowSeconds: 60, subcommands: ['set', 'skip', 'pause', 'resume'] },
  },
  async execute(ctx) {
    const { options } = ctx.interaction;
    switch (options.getSubcommand()) {
      case 'set': {
        const slot: Pick<Schedule, 'weekday' | 'time' | 'timeZone' | 'durationMin'> = {
          weekday: options.getString('weekday', true) as Weekday,
          time: parseTime(options.getString('time', true)),
          timeZone: parseTimeZone(options.getString('timezone', true)),
          durationMin: parseDuration(options.getInteger('duration') ?? undefined),
        };
        const next = await ctx.services.schedule.set(ctx.guildId, slot);
        const when = `every ${slot.weekday} at ${slot.time} (${slot.timeZone})`;
        return ctx.reply(`Saved: ${when}, ${slot.durationMin} minutes. ${opened(next)}`);
      }
      case 'skip': {
        const { date, next } = await ctx.services.schedule.skip(ctx.guildId, options.getString('date', true));
        return ctx.reply(`The session of ${date} is skipped; its reminders will not go out. ${opened(next)}`);
      }
      case 'pause':
        await ctx.services.schedule.pause(ctx.guildId);
        return ctx.reply(
          "Paused: no sessions, agendas or reminders until /schedule resume. The next session's event is cancelled.",
        );
      case 'resume': {
        const next = await ctx.services.schedule.resume(ctx.guildId);
        return ctx.reply(`Resumed. ${opened(next)}`);
      }
      default:
        return show(ctx);
    }
  },
  async autocomplete(ctx) {
    return matchTimeZones(String(ctx.interaction.options.getFocused())).map((zone) => ({ name: zone, value: zone }));
  },
} satisfies Command;
