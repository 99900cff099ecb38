import { afterEach, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { Redis } from 'ioredis';
import type { TimelineEvent } from '../../src/domain/session/session.js';
import { SessionStore } from '../../src/store/session-store.js';
import { Emulator } from '../emulator/emulator.js';
import { VoiceServer } from '../emulator/voice.js';
import type { WorldGuild } from '../emulator/world.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv, eventually } from '../support/harness.js';
import { PrivateRedis } from '../support/redis-server.js';
import { testCertificate } from '../support/tls.js';

/**
 * The bot listens in the session channel through the real @discordjs/voice,
 * against the emulator's voice server (TLS WebSocket, UDP, AES-GCM packets).
 * The bot runs in its own process: it trusts the test certificate through
 * NODE_EXTRA_CA_CERTS, which Node reads only at start.
 */
const certificate = testCertificate();
let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  cleanup = [];
});

async function world(options: { refuse?: boolean } = {}) {
  const redis = await PrivateRedis.start();
  const emu = await new Emulator().start();
  const voice = await new VoiceServer(certificate).start();
  voice.refuse = options.refuse ?? false;
  emu.attachVoice(voice);
  cleanup.push(
    () => redis.stop(),
    () => emu.stop(),
    () => voice.stop(),
  );
  const guild = paperClub(emu);
  const bot = new BotProcess(
    botEnv(emu, redis.url, {
      LOG_LEVEL: 'info',
      DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000',
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    }),
  );
  cleanup.push(() => bot.kill('SIGKILL'));
  await bot.waitForLog(/worker ready/);
  return { redis, emu, voice, guild, bot };
}

async function setUp(emu: Emulator, guild: WorldGuild): Promise<void> {
  const tanishq = { guild, user: 'Tanishq', channel: 'general' };
  await emu
    .command(tanishq, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
    .answer();
  await emu.command(tanishq, 'setup', 'roles', { host: '@hosts' }).answer();
  expect((await emu.command(tanishq, 'setup', 'voice', { enabled: true }).answer()).content).toMatch(/^Saved/);
}

async function timeline(redis: PrivateRedis, guildId: string): Promise<TimelineEvent[]> {
  const connection = new Redis(redis.url);
  try {
    const store = new SessionStore(connection);
    const [session] = await store.endedSessions(guildId);
    return store.timeline(guildId, session!.id);
  } finally {
    connection.disconnect();
  }
}

/** Waits until the live session's timeline holds `count` speaking segments: the bot stored what it heard. */
async function segmentsStored(redis: PrivateRedis, guildId: string, count: number): Promise<void> {
  const connection = new Redis(redis.url);
  const store = new SessionStore(connection);
  try {
    await eventually(
      async () => {
        const session = await store.current(guildId);
        const events = session ? await store.timeline(guildId, session.id) : [];
        return events.filter((e) => e.type === 'voice.segment').length >= count;
      },
      15_000,
      `${count} speaking segments stored`,
    );
  } finally {
    connection.disconnect();
  }
}

describe('GIVEN /setup voice enabled WHEN a session runs', () => {
  it('THEN the bot joins muted, says once what it does, times two members speaking in turns to within 300 ms, survives a dropped connection with the gap recorded, and leaves at the end', async () => {
    const { redis, emu, voice, guild, bot } = await world();
    await setUp(emu, guild);
    const as = (user: string) => ({ guild, user, channel: 'general' });
    const id = (name: string) => emu.world.memberByName(guild, name).user.id;
    for (const name of ['Charlie', 'Cong']) emu.joinVoice(guild, name, 'paper-stage');

    expect((await emu.command(as('Tanishq'), 'session', 'start').answer()).content).toMatch(/^Session started\./);
    await until(() => voice.connected(guild.id), 15_000, 'the bot to connect to the voice server');
    const stage = emu.world.channelByName(guild, 'paper-stage').id;
    expect(emu.botVoiceRequests[0]).toMatchObject({ channelId: stage, selfMute: true, selfDeaf: false });
    await until(() => emu.messagesIn(stage).length === 1, 5_000, 'the hello in the stage chat');
    expect(emu.messagesIn(stage)[0]!.content).toBe(
      'I am here to note who speaks and when, for the recap. I record no audio.',
    );

    // Charlie, then Cong, in turns.
    const spoke: Array<{ userId: string; from: number; to: number }> = [];
    const say = async (name: string, ms: number) => {
      const from = Date.now();
      await voice.speak(guild.id, id(name), ms);
      spoke.push({ userId: id(name), from, to: Date.now() });
    };
    // Each turn is stored before the next begins (a segment is stored once nothing can follow it within 2 s).
    await say('Charlie', 1_500);
    await segmentsStored(redis, guild.id, 1);
    await say('Cong', 2_000);
    await segmentsStored(redis, guild.id, 2);

    // The voice connection drops; the bot rejoins and hears Charlie again.
    const dropped = Date.now();
    voice.drop(guild.id);
    await until(() => voice.established.length === 2, 20_000, 'the bot to rejoin');
    const back = voice.established[1]!.at;
    await bot.waitForLog(/voice connection back/);
    await say('Charlie', 1_000);
    await segmentsStored(redis, guild.id, 3);

    const status = await emu.command(as('Hanish'), 'session', 'status').answer();
    expect(status.embeds[0]!.fields!.find((f) => f.name === 'Talk time (heard in the channel)')?.value).toMatch(
      new RegExp(`^<@${id('Charlie')}> [23]s, <@${id('Cong')}> 2s$`),
    );

    await emu.command(as('Tanishq'), 'session', 'end').answer();
    await until(() => emu.botVoiceRequests.at(-1)?.channelId === null, 5_000, 'the bot to leave the channel');
    const recaps = emu.world.channelByName(guild, 'recaps').id;
    await until(() => emu.messagesIn(recaps).length > 0, 15_000, 'the recap');

    const events = await timeline(redis, guild.id);
    const segments = events.flatMap((e) =>
      e.type === 'voice.segment' ? [{ userId: e.userId, from: e.from, to: e.at }] : [],
    );
    expect(segments.map((s) => s.userId)).toEqual(spoke.map((s) => s.userId));
    segments.forEach((segment, i) => {
      expect(Math.abs(segment.from - spoke[i]!.from)).toBeLessThan(300);
      expect(Math.abs(segment.to - spoke[i]!.to)).toBeLessThan(300);
    });
    const gaps = events.flatMap((e) => (e.type === 'voice.gap' ? [{ from: e.from, to: e.at }] : []));
    expect(gaps).toHaveLength(1);
    expect(Math.abs(gaps[0]!.from - dropped)).toBeLessThan(300);
    expect(Math.abs(gaps[0]!.to - back)).toBeLessThan(300);
    // The digest in the channel points to the file, which holds the speaker timeline.
    const [digest] = emu.messagesIn(recaps);
    expect(digest!.content).toContain('the speaker timeline) is in the attached file');
    const recap = emu.attachmentText(digest!.attachments[0]!.id);
    expect(recap).toContain('## Speaker timeline (who spoke when, from the voice channel)');
    expect(recap).toContain('Not heard (the voice connection was down)');
    expect(emu.violations).toEqual([]);
  }, 90_000);

  it('THEN with the voice server refusing, the session runs to its recap and the host is told why once', async () => {
    const { emu, voice, guild } = await world({ refuse: true });
    await setUp(emu, guild);
    const as = (user: string) => ({ guild, user, channel: 'general' });
    expect((await emu.command(as('Tanishq'), 'session', 'start').answer()).content).toMatch(/^Session started\./);
    await emu.command(as('Charlie'), 'ask', undefined, { question: 'Does it still work without voice?' }).answer();
    const announce = emu.world.channelByName(guild, 'announcements').id;
    await until(() => emu.messagesIn(announce).some((m) => m.embeds[0]?.title === 'Live now'), 5_000, 'the board');
    const board = emu.messagesIn(announce).find((m) => m.embeds[0]?.title === 'Live now')!;
    const notices = () => emu.messagesIn(board.id).filter((m) => m.content.startsWith('I cannot note who speaks'));
    await until(() => notices().length === 1, 25_000, 'the notice in the session thread');
    expect(notices()[0]!.content).toBe(
      'I cannot note who speaks in this session: the voice connection could not be set up. The session goes on; the recap will time speakers from their calls instead.',
    );
    expect(voice.identifies.length).toBeGreaterThan(0);
    await emu.command(as('Tanishq'), 'session', 'end').answer();
    const recaps = emu.world.channelByName(guild, 'recaps').id;
    await until(() => emu.messagesIn(recaps).length > 0, 15_000, 'the recap');
    expect(notices()).toHaveLength(1);
    expect(emu.violations).toEqual([]);
  }, 60_000);

  it('THEN without Connect on the stage, the reply to /session start names what is missing and the session runs without voice', async () => {
    const { emu, voice, guild } = await world();
    await setUp(emu, guild);
    // An admin takes Connect away from the bot after the setup.
    const stage = emu.world.channelByName(guild, 'paper-stage');
    // The gateway delivers in order: the bot sees this change before the command below.
    emu.setOverwrites(stage.id, [{ id: emu.world.bot.id, type: 1, allow: 0n, deny: PermissionFlagsBits.Connect }]);
    const reply = await emu.command({ guild, user: 'Tanishq', channel: 'general' }, 'session', 'start').answer();
    expect(reply.content).toContain(`I cannot note who speaks in this session: I lack Connect in <#${stage.id}>.`);
    // Nothing may follow: a second is left for a join that must not come.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(emu.botVoiceRequests).toEqual([]);
    expect(voice.identifies).toEqual([]);
    await emu.command({ guild, user: 'Tanishq', channel: 'general' }, 'session', 'end').answer();
    await until(() => emu.messagesIn(emu.world.channelByName(guild, 'recaps').id).length > 0, 15_000, 'the recap');
    expect(emu.violations).toEqual([]);
  }, 60_000);
});
