import {
  AttachmentBuilder,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type Guild,
} from 'discord.js';
import type { ArchiveVisibility } from '../src/domain/archive/archive.js';
import { UserError } from '../src/domain/errors.js';
import { formatOffset, parseExtraOffset, parseReminderOffsets } from '../src/domain/settings.js';
import type { Command, HandlerContext } from '../src/discord/command.js';
import { channelProblem, guildChannel, type ChannelPurpose } from '../src/discord/permissions.js';
import { settingsEmbed } from '../src/discord/render/settings.js';

type Ctx = HandlerContext<ChatInputCommandInteraction>;
const TEXT = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

const data = new SlashCommandBuilder()
  .setName('setup')
  .setDescription('Configure Lectern for this server (hosts)')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('channels')
      .setDescription('Where Lectern posts and where sessions happen')
      .addChannelOption((o) =>
        o
          .setName('announce')
          .setDescription('Agenda, reminders and the live board')
          .addChannelTypes(...TEXT)
          .setRequired(true),
      )
      .addChannelOption((o) =>
        o
          .setName('recap')
          .setDescription('Where recaps are posted')
          .addChannelTypes(...TEXT)
          .setRequired(true),
      )
      .addChannelOption((o) =>
        o
          .setName('stage')
          .setDescription('The stage or voice channel of the session')
          .addChannelTypes(ChannelType.GuildStageVoice, ChannelType.GuildVoice)
          .setRequired(true),
      )
      .addChannelOption((o) =>
        o
          .setName('papers')
          .setDescription(
            'A forum with a post per queued paper (tags "queued", "covered"); left out: a thread per card',
          )
          .addChannelTypes(ChannelType.GuildForum),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('roles')
      .setDescription('Who hosts, and who gets pinged')
      .addRoleOption((o) =>
        o.setName('host').setDescription('Members with this role can run host commands').setRequired(true),
      )
      .addRoleOption((o) => o.setName('ping').setDescription('Role pinged by the agenda and reminders')),
  )
  .addSubcommand((s) =>
    s
      .setName('reminders')
      .setDescription('When reminders go out before a session')
      .addStringOption((o) =>
        o.setName('offsets').setDescription('Like 24h,1h,10m').setRequired(true).setMaxLength(200),
      )
      .addStringOption((o) =>
        o
          .setName('poll')
          .setDescription('When the weekly poll of the queue goes out, like 72h (it closes at the agenda); off: none')
          .setMaxLength(20),
      )
      .addStringOption((o) =>
        o
          .setName('confirm')
          .setDescription('When presenters are asked to confirm (default 48h); off: not asked')
          .setMaxLength(20),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('voice')
      .setDescription('Whether I join the stage to note who speaks (no audio is recorded)')
      .addBooleanOption((o) => o.setName('enabled').setDescription('Join the stage during sessions').setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName('transcript')
      .setDescription('Whether members may opt in to have what they say transcribed for the recap')
      .addBooleanOption((o) =>
        o.setName('enabled').setDescription('Offer /transcript join during sessions').setRequired(true),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('queue')
      .setDescription('How the paper queue is ordered')
      .addStringOption((o) =>
        o
          .setName('order')
          .setDescription("By members' votes (a paper a host moves keeps its place), or as hosts place papers")
          .setRequired(true)
          .addChoices({ name: 'votes', value: 'votes' }, { name: 'manual', value: 'manual' }),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('archive')
      .setDescription('Who can read the recaps on the web archive (left out: shows its address)')
      .addStringOption((o) =>
        o
          .setName('visibility')
          .setDescription('off: nothing served; link: only with its secret address; public: also at a name you pick')
          .addChoices(
            { name: 'off', value: 'off' },
            { name: 'link', value: 'link' },
            { name: 'public', value: 'public' },
          ),
      )
      .addBooleanOption((o) =>
        o.setName('rotate').setDescription('Replace the secret address (the old one stops working at once)'),
      )
      .addStringOption((o) =>
        o
          .setName('slug')
          .setDescription('The public address name, like ai-papers (3 to 40 lower-case letters, digits, dashes)')
          .setMinLength(3)
          .setMaxLength(40),
      ),
  )
  .addSubcommand((s) => s.setName('show').setDescription('Show the current settings'))
  .addSubcommand((s) => s.setName('export').setDescription("Download all of this server's Lectern data as JSON"));

async function channels(ctx: Ctx, guild: Guild): Promise<void> {
  const picked: Record<Exclude<ChannelPurpose, 'papers'>, string> = {
    announce: ctx.interaction.options.getChannel('announce', true).id,
    recap: ctx.interaction.options.getChannel('recap', true).id,
    stage: ctx.interaction.options.getChannel('stage', true).id,
  };
  const problems: string[] = [];
  let stageKind: 'stage' | 'voice' = 'voice';
  for (const [purpose, id] of Object.entries(picked) as Array<[Exclude<ChannelPurpose, 'papers'>, string]>) {
    const channel = await guildChannel(guild, id);
    const problem = channelProblem(guild, channel, purpose);
    if (problem) problems.push(`${purpose}: ${problem}`);
    if (purpose === 'stage' && channel.type === ChannelType.GuildStageVoice) stageKind = 'stage';
  }
  const forumId = ctx.interaction.options.getChannel('papers')?.id;
  const forum = forumId ? await forumProblems(guild, forumId, problems) : undefined;
  if (problems.length > 0)
    throw new UserError(
      'channels-unusable',
      `Nothing saved. Fix these first:\n${problems.map((p) => `• ${p}`).join('\n')}`,
    );
  await ctx.services.settings.update(ctx.guildId, {
    announceChannelId: picked.announce,
    recapChannelId: picked.recap,
    stageChannelId: picked.stage,
    stageKind,
    papersForumId: forum?.id ?? null,
    queuedTagId: forum?.queued ?? null,
    coveredTagId: forum?.covered ?? null,
  });
  const papers = forum
    ? ` Each queued paper gets a post in <#${forum.id}>.`
    : ' Each queued paper gets a thread on its card.';
  await ctx.reply(
    `Saved. Announcements go to <#${picked.announce}>, recaps to <#${picked.recap}>, ` +
      `and sessions happen in <#${picked.stage}>.${papers}`,
  );
}

/** The forum's tag ids, or what is wrong with it (added to `problems`). */
async function forumProblems(guild: Guild, id: string, problems: string[]) {
  const channel = await guildChannel(guild, id);
  if (channel.type !== ChannelType.GuildForum) {
    problems.push(`papers: <#${id}> is not a forum channel`);
    return undefined;
  }
  const problem = channelProblem(guild, channel, 'papers');
  if (problem) problems.push(`papers: ${problem}`);
  const tag = (name: string) => channel.availableTags.find((t) => t.name.trim().toLowerCase() === name)?.id;
  const [queued, covered] = [tag('queued'), tag('covered')];
  if (!queued || !covered)
    problems.push(`papers: <#${id}> needs the tags "queued" and "covered" (forum settings, Tags)`);
  return queued && covered ? { id, queued, covered } : undefined;
}

async function roles(ctx: Ctx, guild: Guild): Promise<void> {
  const host = ctx.interaction.options.getRole('host', true);
  const ping = ctx.interaction.options.getRole('ping');
  if (host.id === guild.id)
    throw new UserError('host-everyone', 'The host role cannot be @everyone: pick a role only your hosts have.');
  if (ping?.id === guild.id)
    throw new UserError('ping-everyone', 'Lectern never pings @everyone: pick a role members opt into.');
  if ((host.managed ?? false) || (ping?.managed ?? false))
    throw new UserError('role-managed', 'That role belongs to a bot or integration; pick a role members can hold.');
  if (ping && !ping.mentionable && !guild.members.me?.permissions.has(PermissionFlagsBits.MentionEveryone)) {
    throw new UserError(
      'ping-unmentionable',
      `I cannot ping <@&${ping.id}>: make the role mentionable, ` +
        'or give me Mention @everyone, @here, and All Roles. Nothing saved.',
    );
  }
  await ctx.services.settings.update(ctx.guildId, { hostRoleId: host.id, pingRoleId: ping?.id ?? null });
  const pingNote = ping ? `Reminders ping <@&${ping.id}>.` : 'No ping role: reminders will not ping anyone.';
  await ctx.reply(`Saved. Hosts: <@&${host.id}> (and anyone with Manage Server). ${pingNote}`);
}

async function reminders(ctx: Ctx): Promise<void> {
  const { options } = ctx.interaction;
  const offsets = parseReminderOffsets(options.getString('offsets', true));
  const pollText = options.getString('poll');
  const confirmText = options.getString('confirm');
  const poll = pollText === null ? undefined : parseExtraOffset(pollText, 'poll', offsets[0]!);
  const confirm = confirmText === null ? undefined : parseExtraOffset(confirmText, 'confirm', offsets[0]!);
  // A poll kept from before must still close before the (maybe later) agenda.
  const keptPoll = poll === undefined ? ctx.settings.pollOffset : undefined;
  if (keptPoll !== undefined && keptPoll <= offsets[0]!) parseExtraOffset(formatOffset(keptPoll), 'poll', offsets[0]!);
  await ctx.services.settings.update(ctx.guildId, {
    reminderOffsets: offsets,
    ...(poll !== undefined && { pollOffset: poll }),
    ...(confirm !== undefined && { confirmOffset: confirm ?? 0 }),
  });
  // The session already opened is planned again with the new times.
  await ctx.services.schedule.replan(ctx.guildId);
  const saved = await ctx.services.settings.get(ctx.guildId);
  const more = offsets.length > 1 ? `, reminders ${offsets.slice(1).map(formatOffset).join(', ')} before` : '';
  const pollLine = saved.pollOffset
    ? ` The poll of the queue goes out ${formatOffset(saved.pollOffset)} before and closes with the agenda.`
    : '';
  const confirmLine = saved.confirmOffset
    ? ` Presenters are asked to confirm ${formatOffset(saved.confirmOffset)} before.`
    : ' Presenters are not asked to confirm.';
  await ctx.reply(
    `Saved. The agenda goes out ${formatOffset(offsets[0]!)} before each session${more}.${pollLine}${confirmLine}`,
  );
}

async function archive(ctx: Ctx, guild: Guild): Promise<void> {
  const { options } = ctx.interaction;
  const visibility = options.getString('visibility') as ArchiveVisibility | null;
  const rotate = options.getBoolean('rotate') ?? false;
  const slug = options.getString('slug');
  const changing = visibility !== null || rotate || slug !== null;
  const { archive } = ctx.services;
  const settings = changing
    ? await archive.configure(ctx.guildId, {
        ...(visibility && { visibility }),
        ...(rotate && { rotate }),
        ...(slug !== null && { slug }),
        title: guild.name.slice(0, 100),
      })
    : ctx.settings;
  const link = archive.link(settings);
  const publicLink = archive.publicLink(settings);
  const lines = [
    changing ? 'Saved.' : 'The web archive:',
    settings.archiveVisibility === 'off'
      ? 'The archive is off: no page is served for this server. Turn it on with `visibility:link` or `public`.'
      : `Every recapped session is on the web at ${link} (keep it to the members you share it with).`,
    ...(publicLink ? [`It is also public at ${publicLink}, with an Atom feed at ${publicLink}feed.xml.`] : []),
    ...(rotate ? ['The old address no longer works.'] : []),
    ...(link && /^http:\/\/(127\.|localhost|\[::1\])/.test(link)
      ? ["That address only works on the bot's own machine: set LECTERN_PUBLIC_URL to where readers reach it."]
      : []),
  ];
  await ctx.reply(lines.join('\n'));
}

async function show(ctx: Ctx, guild: Guild): Promise<void> {
  const { settings } = ctx;
  const problems: string[] = [];
  for (const purpose of ['announce', 'recap', 'stage'] as const) {
    const id = settings[`${purpose}ChannelId`];
    if (!id) problems.push(`${purpose} channel not set: run /setup channels`);
    else {
      const channel = guild.channels.cache.get(id);
      const problem = channel ? channelProblem(guild, channel, purpose) : `<#${id}> no longer exists`;
      if (problem) problems.push(problem);
    }
  }
  if (!settings.hostRoleId) problems.push('no host role: only members with Manage Server can host. Run /setup roles');
  await ctx.reply({ embeds: [settingsEmbed(settings, problems, await ctx.services.papers.order(ctx.guildId))] });
}

export default {
  data: data.toJSON(),
  preconditions: { hostOnly: true },
  async execute(ctx) {
    const guild = ctx.interaction.guild;
    if (!guild)
      throw new UserError('guild-uncached', 'I have not finished loading this server yet; try again in a few seconds.');
    switch (ctx.interaction.options.getSubcommand()) {
      case 'channels':
        return channels(ctx, guild);
      case 'roles':
        return roles(ctx, guild);
      case 'reminders':
        return reminders(ctx);
      case 'voice': {
        const enabled = ctx.interaction.options.getBoolean('enabled', true);
        await ctx.services.settings.update(ctx.guildId, { voiceEnabled: enabled });
        return ctx.reply(
          enabled
            ? 'Saved. During sessions I will join the stage and note who speaks when; I record no audio.'
            : 'Saved. I will stay out of the voice channel.',
        );
      }
      case 'transcript':
        return transcript(ctx);
      case 'queue': {
        const order = ctx.interaction.options.getString('order', true) === 'votes' ? 'votes' : 'manual';
        await ctx.services.papers.setOrder(ctx.guildId, order);
        return ctx.reply(
          order === 'votes'
            ? 'Saved. The queue is ordered by votes, most voted first (ties: the earlier suggestion); ' +
                'a paper a host places with /paper move keeps its place.'
            : "Saved. The queue stays in the hosts' order; votes are counted and shown.",
        );
      }
      case 'archive':
        return archive(ctx, guild);
      case 'show':
        return show(ctx, guild);
      case 'export': {
        const exported = {
          guildId: ctx.guildId,
          exportedAt: new Date().toISOString(),
          data: await ctx.services.settings.exportData(ctx.guildId),
        };
        const file = new AttachmentBuilder(Buffer.from(JSON.stringify(exported, null, 2)), {
          name: `lectern-${ctx.guildId}.json`,
        });
        return ctx.reply({ content: 'Everything Lectern stores for this server:', files: [file] });
      }
    }
  },
} satisfies Command;

async function transcript(ctx: Ctx) {
  const enabled = ctx.interaction.options.getBoolean('enabled', true);
  await ctx.services.settings.update(ctx.guildId, { transcriptEnabled: enabled });
  if (!enabled) {
    const stopped = await ctx.services.transcripts.stopLive(ctx.guildId, ctx.services.now());
    return ctx.reply(
      `Saved. Nobody is transcribed${stopped ? ', from now on in this session too' : ''}; ` +
        'members who opted in stay opted in for when it is back on.',
    );
  }
  const needs = [
    ...(ctx.settings.voiceEnabled ? [] : ['I only hear the session once `/setup voice enabled:true` is on.']),
    ...(ctx.services.transcripts.available
      ? []
      : ['This bot has no speech-to-text server set up (LECTERN_STT_URL): ask whoever runs it.']),
  ];
  return ctx.reply(
    'Saved. During sessions, members who opt in with `/transcript join` (or the button I post) have what they ' +
      'say transcribed for the recap; nobody else is heard, and audio is never stored.' +
      (needs.length > 0 ? `\n${needs.join('\n')}` : ''),
  );
}
