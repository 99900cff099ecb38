import { PermissionFlagsBits } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INVITE_PERMISSIONS } from '../../src/discord/permissions.js';
import { exportGuildData } from '../../src/store/guild-export.js';
import { paperClub } from '../support/guild.js';
import { startHarness, type Harness } from '../support/harness.js';
import { as, expectCleanDiscord } from '../support/as.js';

const stored = (h: Harness) => exportGuildData(h.bot.internals.redis, h.guild.id);

describe('GIVEN the bot started against a fresh guild', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());
  afterEach(() => {
    expectCleanDiscord(h);
  });

  it('THEN its commands were registered once, with a body Discord accepts', () => {
    const puts = h.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/commands'));
    expect(puts.map((r) => r.status)).toEqual([200]);
    expect(
      h.emu.commands
        .get('global')
        ?.map((c) => `${c.type}:${c.name}`)
        .sort(),
    ).toEqual([
      '1:ask',
      '1:highlight',
      '1:paper',
      '1:ping',
      '1:privacy',
      '1:question',
      '1:recap',
      '1:schedule',
      '1:session',
      '1:setup',
      '1:speak',
      '1:speakers',
      '1:takeaway',
      '1:transcript',
      '3:Log as question',
      '3:Save as highlight',
    ]);
    const setup = h.emu.commands.get('global')!.find((c) => c.name === 'setup')!;
    expect(setup.options?.map((o) => o.name)).toEqual([
      'channels',
      'roles',
      'reminders',
      'voice',
      'transcript',
      'queue',
      'archive',
      'show',
      'export',
    ]);
    // Host commands are gated in the bot, never by default_member_permissions (which would hide them from host-role members).
    expect(setup.default_member_permissions ?? null).toBeNull();
  });

  it.each([
    ['channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }],
    ['roles', { host: '@hosts', ping: '@paper-club' }],
    ['reminders', { offsets: '24h,1h,10m' }],
    ['voice', { enabled: true }],
    ['transcript', { enabled: true }],
    ['show', {}],
    ['export', {}],
  ] as const)(
    'WHEN a non-host runs /setup %s THEN it is refused ephemerally and nothing is stored',
    async (sub, options) => {
      const before = await stored(h);
      const answer = await h.emu.command(as(h, 'Charlie'), 'setup', sub, options).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(/^Only hosts can do that/);
      expect(await stored(h)).toEqual(before);
    },
  );

  it('WHEN a host runs every /setup subcommand THEN each is saved and shown', async () => {
    const run = async (user: string, sub: string, options: Record<string, string | boolean> = {}) => {
      const answer = await h.emu.command(as(h, user), 'setup', sub, options).answer();
      expect(answer.ephemeral).toBe(true);
      return answer;
    };
    expect(
      (await run('Tanishq', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' }))
        .content,
    ).toMatch(/^Saved\./);
    expect((await run('Tanishq', 'roles', { host: '@hosts', ping: '@paper-club' })).content).toMatch(
      /^Saved\..*Reminders ping <@&\d+>/,
    );
    // Aran holds only the host role: from now on that is enough.
    expect((await run('Aran', 'reminders', { offsets: '2d, 1h,10m', poll: '4d', confirm: '36h' })).content).toBe(
      'Saved. The agenda goes out 48h before each session, reminders 1h, 10m before. ' +
        'The poll of the queue goes out 96h before and closes with the agenda. ' +
        'Presenters are asked to confirm 36h before.',
    );
    expect((await run('Aran', 'voice', { enabled: true })).content).toMatch(/^Saved\. During sessions I will join/);

    const show = await run('Aran', 'show');
    const fields = Object.fromEntries(show.embeds[0]!.fields!.map((f) => [f.name, f.value]));
    const id = (name: string) => h.emu.world.channelByName(h.guild, name).id;
    const role = (name: string) => h.emu.world.roleByName(h.guild, name).id;
    expect(fields).toMatchObject({
      Announcements: `<#${id('announcements')}>`,
      Recaps: `<#${id('recaps')}>`,
      Stage: `<#${id('paper-stage')}>`,
      'Host role': `<@&${role('hosts')}>`,
      'Ping role': `<@&${role('paper-club')}>`,
      'Reminders before a session': '48h, 1h, 10m',
      'Weekly poll': '96h before, closing with the agenda',
      'Presenters confirm': '36h before',
    });
    expect(show.embeds[0]!.description).toBeUndefined();

    const exported = await run('Aran', 'export');
    expect(exported.attachments).toHaveLength(1);
    const file = JSON.parse(h.emu.attachmentText(exported.attachments[0]!.id)) as {
      guildId: string;
      data: { settings: Record<string, unknown> };
    };
    expect(file.guildId).toBe(h.guild.id);
    expect(file.data.settings).toEqual({
      announceChannelId: id('announcements'),
      recapChannelId: id('recaps'),
      stageChannelId: id('paper-stage'),
      stageKind: 'stage',
      hostRoleId: role('hosts'),
      pingRoleId: role('paper-club'),
      reminderOffsets: [172_800, 3_600, 600],
      voiceEnabled: true,
      pollOffset: '345600',
      confirmOffset: '129600',
    });
  });

  it('WHEN /setup roles is run without ping THEN the ping role is cleared and the reply says so', async () => {
    const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', 'roles', { host: '@hosts' }).answer();
    expect(answer.content).toContain('No ping role: reminders will not ping anyone.');
    expect((await stored(h)).settings).not.toHaveProperty('pingRoleId');
  });

  it.each([
    [
      'channels',
      { announce: '#announcements', recap: '#recaps', stage: '#general' },
      /stage: <#\d+> is not a stage or voice channel/,
    ],
    [
      'channels',
      { announce: '#paper-stage', recap: '#recaps', stage: '#paper-stage' },
      /announce: <#\d+> is not a text or announcement channel/,
    ],
    ['reminders', { offsets: '25x' }, /`25x` is not a reminder time/],
    [
      'reminders',
      { offsets: Array.from({ length: 50 }, (_, i) => `${i + 1}m`).join(',') },
      /At most 10 reminders a session; you gave 50/,
    ],
    ['reminders', { offsets: '1h,60m' }, /Two of those reminder times are the same/],
    ['reminders', { offsets: '24h,1h', poll: '12h' }, /^The poll closes when the agenda goes out \(24h before\)/],
    ['reminders', { offsets: '24h,1h', confirm: 'soon' }, /`soon` is not a reminder time/],
    ['roles', { host: '@everyone' }, /cannot be @everyone/],
    ['roles', { host: '@hosts', ping: '@everyone' }, /never pings @everyone/],
    ['roles', { host: '@Lectern' }, /belongs to a bot or integration/],
  ] as const)(
    'WHEN a host gives /setup %s a bad option THEN a specific ephemeral error and nothing changes (%#)',
    async (sub, options, message) => {
      const before = await stored(h);
      const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', sub, options).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toMatch(message);
      expect(await stored(h)).toEqual(before);
    },
  );
});

describe('GIVEN the bot lacks permissions it needs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      guild: (emu) => {
        const guild = paperClub(emu, {
          botPermissions: INVITE_PERMISSIONS.bitfield & ~PermissionFlagsBits.MentionEveryone,
        });
        const botRole = emu.world.roleByName(guild, 'Lectern').id;
        emu.world.channelByName(guild, 'recaps').overwrites.push({
          id: botRole,
          type: 0,
          allow: 0n,
          deny: PermissionFlagsBits.AttachFiles | PermissionFlagsBits.EmbedLinks,
        });
        emu.world
          .channelByName(guild, 'paper-stage')
          .overwrites.push({ id: botRole, type: 0, allow: 0n, deny: PermissionFlagsBits.MuteMembers });
        return guild;
      },
    });
  });
  afterAll(() => h.stop());

  it('WHEN a host picks those channels THEN every missing permission is named, per channel, and nothing is saved', async () => {
    const before = await stored(h);
    const answer = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'channels', {
        announce: '#announcements',
        recap: '#recaps',
        stage: '#paper-stage',
      })
      .answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/^Nothing saved\./);
    expect(answer.content).toMatch(/recap: in <#\d+> I am missing Embed Links, Attach Files/);
    expect(answer.content).toMatch(/stage: in <#\d+> I am missing Mute Members/);
    expect(answer.content).not.toMatch(/announce:/);
    expect(await stored(h)).toEqual(before);
  });

  it('WHEN the ping role is not mentionable and the bot cannot mention all roles THEN refused with the fix', async () => {
    const answer = await h.emu
      .command(as(h, 'Tanishq'), 'setup', 'roles', { host: '@hosts', ping: '@quiet-club' })
      .answer();
    expect(answer.content).toMatch(/I cannot ping <@&\d+>: make the role mentionable/);
    expect((await stored(h)).settings).toBeUndefined();
  });

  it('WHEN a host asks /setup show THEN the missing pieces are listed', async () => {
    const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', 'show').answer();
    expect(answer.embeds[0]!.description).toMatch(/announce channel not set/);
    expect(answer.embeds[0]!.description).toMatch(/no host role/);
  });
});
