import {
  GuildMember,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type User,
} from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { MAX_NOTE, paperLabel } from '../src/domain/papers/paper.js';
import { MAX_PAPER_INPUT } from '../src/domain/papers/paper-ref.js';
import { POLL_HOURS } from '../src/domain/papers/poll.js';
import type { Command, ComponentHandler, HandlerContext } from '../src/discord/command.js';
import { history, list, type Ctx } from '../src/discord/paper-views.js';
import { presenterWithdrew } from '../src/discord/render/poll.js';
import { discordTime, safeText } from '../src/discord/render/text.js';

const data = new SlashCommandBuilder()
  .setName('paper')
  .setDescription('The paper queue')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('add')
      .setDescription('Suggest a paper for the next session')
      .addStringOption((o) =>
        o
          .setName('url')
          .setDescription('arXiv id or link (arXiv, Hugging Face, OpenReview, DOI or any https page)')
          .setRequired(true)
          .setMaxLength(MAX_PAPER_INPUT),
      )
      .addUserOption((o) => o.setName('presenter').setDescription('Who presents it'))
      .addStringOption((o) => o.setName('note').setDescription('A note for the card').setMaxLength(MAX_NOTE)),
  )
  .addSubcommand((s) => s.setName('list').setDescription('The queue for the next session'))
  .addSubcommand((s) =>
    s
      .setName('history')
      .setDescription('Papers covered in past sessions')
      .addStringOption((o) => o.setName('query').setDescription('Title, author or id').setMaxLength(100)),
  )
  .addSubcommand((s) =>
    s
      .setName('remove')
      .setDescription('Take a paper off the queue (hosts)')
      .addStringOption((o) =>
        o.setName('paper').setDescription('The paper').setRequired(true).setAutocomplete(true).setMaxLength(200),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('move')
      .setDescription('Move a paper to another place in the queue (hosts)')
      .addStringOption((o) =>
        o.setName('paper').setDescription('The paper').setRequired(true).setAutocomplete(true).setMaxLength(200),
      )
      .addIntegerOption((o) =>
        o.setName('position').setDescription('New place, 1 is first').setRequired(true).setMinValue(1).setMaxValue(50),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('start')
      .setDescription('Present this paper now, in any order (hosts)')
      .addStringOption((o) =>
        o.setName('paper').setDescription('The paper').setRequired(true).setAutocomplete(true).setMaxLength(200),
      ),
  )
  .addSubcommand((s) => s.setName('next').setDescription('Move to the next paper in queue order (hosts)'))
  .addSubcommand((s) =>
    s
      .setName('poll')
      .setDescription('Post a Discord poll of the top queued papers; the queue follows its result (hosts)')
      .addIntegerOption((o) =>
        o
          .setName('hours')
          .setDescription(`How long it stays open (default ${POLL_HOURS.default})`)
          .setMinValue(POLL_HOURS.min)
          .setMaxValue(POLL_HOURS.max),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('presenter')
      .setDescription('Assign who presents a queued paper (hosts)')
      .addStringOption((o) =>
        o.setName('paper').setDescription('The paper').setRequired(true).setAutocomplete(true).setMaxLength(200),
      )
      .addUserOption((o) => o.setName('member').setDescription('Who presents it').setRequired(true)),
  );

/** The name a member shows in the server (a raw API member carries none: then the user's own). */
function shownName(user: User, member: GuildMember | object | null) {
  return member instanceof GuildMember ? member.displayName : user.displayName;
}

async function poll(ctx: HandlerContext<ChatInputCommandInteraction>): Promise<void> {
  const channelId = ctx.settings.announceChannelId;
  if (!channelId)
    throw new UserError(
      'no-announce-channel',
      'Polls go in the announce channel, and none is set: run /setup channels.',
    );
  const guild = ctx.interaction.guild;
  const channel = guild?.channels.cache.get(channelId);
  const me = guild?.members.me;
  if (!channel || !me || !channel.permissionsFor(me).has(PermissionFlagsBits.SendPolls))
    throw new UserError(
      'no-send-polls',
      `I cannot post polls in <#${channelId}>: give me Send Polls there (/setup show lists what is missing).`,
    );
  const hours = ctx.interaction.options.getInteger('hours') ?? POLL_HOURS.default;
  const now = ctx.services.now();
  const { poll: started, papers } = await ctx.services.polls.startForHost(ctx.guildId, {
    id: `c${now}`,
    channelId,
    hours,
    closesAt: now + hours * 3_600_000,
    now,
  });
  const leftOff =
    started.leftOff.length > 0
      ? ` ${started.leftOff.length} more did not fit (a poll holds 10); the post names them.`
      : '';
  await ctx.reply(
    `The poll of ${papers.length} papers goes up in <#${channelId}>; ` +
      `it closes ${discordTime(started.closesAt, 'R')}, and then the queue follows its result.${leftOff}`,
  );
}

async function assign(ctx: HandlerContext<ChatInputCommandInteraction>): Promise<void> {
  const { options } = ctx.interaction;
  const user = options.getUser('member', true);
  if (user.bot) throw new UserError('presenter-bot', 'A bot cannot present a paper; pick a member.');
  const member = options.getMember('member');
  const name = shownName(user, member);
  const { paper } = await ctx.services.papers.findQueued(ctx.guildId, options.getString('paper', true));
  const { outcome, previousId } = await ctx.services.papers.volunteer(ctx.guildId, paper.id, user.id, name, 'assign');
  if (outcome !== 'set') throw notQueued(outcome === 'taken' ? 'missing' : outcome, 'presenters are for');
  ctx.afterReply(() => ctx.services.papers.cardChanged(ctx.guildId, paper.id));
  const instead = previousId && previousId !== user.id ? ` instead of <@${previousId}>` : '';
  await ctx.reply(`<@${user.id}> presents **${safeText(paperLabel(paper), 200)}**${instead}.`);
}

async function add(ctx: HandlerContext<ChatInputCommandInteraction>): Promise<void> {
  const { options } = ctx.interaction;
  const presenter = options.getUser('presenter');
  if (presenter?.bot) throw new UserError('presenter-bot', 'A bot cannot present a paper; pick a member.');
  const member = options.getMember('presenter');
  const { paper, position, lastReadAt } = await ctx.services.papers.add(ctx.guildId, {
    input: options.getString('url', true),
    note: options.getString('note'),
    suggestedById: ctx.interaction.user.id,
    now: ctx.services.now(),
    presenterId: presenter?.id,
    presenterName: presenter ? shownName(presenter, member) : undefined,
  });
  ctx.afterReply(() => ctx.services.papers.announce(ctx.guildId, paper));
  const where = ctx.settings.announceChannelId
    ? `Its card goes up in <#${ctx.settings.announceChannelId}>`
    : 'No announce channel is set, so no card is posted (hosts: /setup channels)';
  const details = paper.metadataStatus === 'pending' ? '; details are on their way.' : '.';
  const reread = lastReadAt ? `\nThis paper was read here before, on ${discordTime(lastReadAt, 'D')}.` : '';
  await ctx.reply(
    `Queued **${safeText(paperLabel(paper), 200)}** at position ${position}. ${where}${details}${reread}`,
  );
}

/** The answer to a button on the card of a paper that is no longer queued. */
function notQueued(outcome: 'missing' | 'current' | 'covered', what: string) {
  if (outcome === 'missing') return new UserError('paper-not-queued', 'That paper is no longer in the queue.');
  const state = outcome === 'current' ? 'is being presented now' : 'has been covered';
  return new UserError(`paper-${outcome}`, `That paper ${state}; ${what} papers still to read.`);
}

const vote: ComponentHandler = {
  async run(ctx, [paperId = '']) {
    const { outcome, votes } = await ctx.services.papers.vote(ctx.guildId, paperId, ctx.interaction.user.id);
    if (outcome !== 'added' && outcome !== 'removed') throw notQueued(outcome, 'votes are for');
    ctx.afterReply(() => ctx.services.papers.cardChanged(ctx.guildId, paperId));
    const count = `${votes} vote${votes === 1 ? '' : 's'}`;
    await ctx.reply(
      outcome === 'added' ? `Voted: ${count}. Press again to take it back.` : `Vote taken back: ${count}.`,
    );
  },
};

const present: ComponentHandler = {
  async run(ctx, [paperId = '']) {
    const { user, member } = ctx.interaction;
    const name = shownName(user, member);
    const { outcome, presenterId } = await ctx.services.papers.volunteer(
      ctx.guildId,
      paperId,
      user.id,
      name,
      'volunteer',
    );
    if (outcome === 'taken')
      throw new UserError(
        'presenter-taken',
        presenterId === user.id ? 'You already present that paper.' : `<@${presenterId}> already presents that paper.`,
      );
    if (outcome !== 'set') throw notQueued(outcome, 'members sign up to present');
    ctx.afterReply(() => ctx.services.papers.cardChanged(ctx.guildId, paperId));
    await ctx.reply('You present this paper: thank you! Its card, `/paper list` and the agenda show it.');
  },
};

/** A presenter's answer to the DM before the session; the button carries the server, as a DM has none. */
const confirm: ComponentHandler = {
  preconditions: { guildOnly: false },
  async run(ctx, [guildId = '', startText = '', paperId = '', answer = '']) {
    const start = Number(startText);
    if (!/^\d{17,20}$/.test(guildId) || !Number.isSafeInteger(start) || (answer !== 'yes' && answer !== 'no'))
      throw new UserError('stale-component', 'That button is no longer in use.');
    const open = await ctx.services.schedule.openSession(guildId);
    if (open?.start !== start || open.status !== 'open')
      throw new UserError('confirm-stale', 'That session is no longer scheduled; nothing changed.');
    if (open.sessionId || start <= ctx.services.now())
      throw new UserError('confirm-too-late', 'The session has started; tell a host in the server instead.');
    const { outcome } = await ctx.services.papers.confirm(guildId, paperId, ctx.interaction.user.id, answer, start);
    if (outcome === 'not-presenter')
      throw new UserError('confirm-not-presenter', 'You no longer present that paper; nothing changed.');
    if (outcome !== 'confirmed' && outcome !== 'freed') throw notQueued(outcome, 'presenters confirm');
    const paper = await ctx.services.papers.get(guildId, paperId);
    const title = paper ? safeText(paperLabel(paper), 200) : 'the paper';
    if (outcome === 'confirmed')
      return ctx.update({
        content: `You present **${title}** on ${discordTime(start, 'F')}. Thank you!`,
        components: [],
      });
    const { hostRoleId } = await ctx.services.settings.get(guildId);
    const note = paper && presenterWithdrew(paper, start, hostRoleId);
    ctx.afterReply(() => ctx.services.papers.presenterWithdrew(guildId, paperId, start, note, hostRoleId));
    await ctx.update({
      content: `Noted: you no longer present **${title}**. The hosts are told; thank you for saying so.`,
      components: [],
    });
  },
};

export default {
  data: data.toJSON(),
  preconditions: {
    hostOnly: ['remove', 'move', 'start', 'next', 'poll', 'presenter'],
    liveSession: ['start', 'next'],
    rateLimit: { limit: 5, windowSeconds: 60, subcommands: ['add'] },
  },
  async execute(ctx) {
    const { options } = ctx.interaction;
    switch (options.getSubcommand()) {
      case 'add':
        return add(ctx);
      case 'list':
        return list(ctx, 0);
      case 'history':
        return history(ctx, 0, (options.getString('query') ?? '').trim());
      case 'poll':
        return poll(ctx);
      case 'presenter':
        return assign(ctx);
      case 'remove': {
        const { paper } = await ctx.services.papers.findQueued(ctx.guildId, options.getString('paper', true));
        const outcome = await ctx.services.papers.remove(ctx.guildId, paper.id);
        if (outcome === 'current')
          throw new UserError('remove-current', 'That paper is being presented now; move on with /paper next first.');
        if (outcome === 'missing') throw new UserError('paper-not-queued', 'That paper is no longer in the queue.');
        return ctx.reply(`Removed **${safeText(paperLabel(paper), 200)}** from the queue.`);
      }
      case 'move': {
        const { paper } = await ctx.services.papers.findQueued(ctx.guildId, options.getString('paper', true));
        const position = await ctx.services.papers.move(ctx.guildId, paper.id, options.getInteger('position', true));
        if (position === null) throw new UserError('paper-not-queued', 'That paper is no longer in the queue.');
        return ctx.reply(`Moved **${safeText(paperLabel(paper), 200)}** to position ${position}.`);
      }
      case 'start':
      case 'next': {
        const chosen =
          options.getSubcommand() === 'start'
            ? (await ctx.services.papers.findQueued(ctx.guildId, options.getString('paper', true))).paper.id
            : undefined;
        const paper = await ctx.services.live.startPaper(
          ctx.guildId,
          ctx.session!,
          ctx.interaction.user.id,
          ctx.services.now(),
          chosen,
        );
        const by = paper.presenterId ? ` by <@${paper.presenterId}>` : '';
        return ctx.reply(`Now presenting: **${safeText(paperLabel(paper), 200)}**${by}.`);
      }
    }
  },
  async autocomplete(ctx) {
    return ctx.services.papers.choices(ctx.guildId, String(ctx.interaction.options.getFocused()));
  },
  components: {
    list: { run: (ctx, [page]) => list(ctx as Ctx, Number(page)) },
    history: { run: (ctx, [page, ...query]) => history(ctx as Ctx, Number(page), query.join(':')) },
    vote,
    present,
    confirm,
  },
} satisfies Command;
