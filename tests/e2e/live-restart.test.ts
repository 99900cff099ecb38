import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SessionStore } from '../../src/store/session-store.js';
import { Emulator } from '../emulator/emulator.js';
import { BotProcess, until } from '../support/bot-process.js';
import { paperClub } from '../support/guild.js';
import { botEnv } from '../support/harness.js';
import { PrivateRedis } from '../support/redis-server.js';
import type { WorldGuild } from '../emulator/world.js';

describe('GIVEN a live session WHEN the bot is killed (SIGKILL) and started again', () => {
  let redis: PrivateRedis;
  let emu: Emulator;
  let guild: WorldGuild;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    emu = await new Emulator().start();
    guild = paperClub(emu);
  });
  afterAll(async () => {
    await emu.stop();
    await redis.stop();
  });

  it('THEN the session, queue, questions and votes are intact and the board catches up', async () => {
    const env = botEnv(emu, redis.url, { LOG_LEVEL: 'info', DISCORD_GLOBAL_REQUESTS_PER_SECOND: '1000' });
    const as = (user: string) => ({ guild, user, channel: 'general' });
    const first = new BotProcess(env);
    await first.waitForLog(/worker ready/);
    await emu
      .command(as('Tanishq'), 'setup', 'channels', {
        announce: '#announcements',
        recap: '#recaps',
        stage: '#paper-stage',
      })
      .answer();
    await emu.command(as('Tanishq'), 'setup', 'roles', { host: '@hosts' }).answer();
    for (const url of ['https://example.org/one', 'https://example.org/two', 'https://example.org/three'])
      await emu.command(as('Aran'), 'paper', 'add', { url }).answer();
    await emu.command(as('Tanishq'), 'session', 'start').answer();
    await emu.command(as('Tanishq'), 'paper', 'next').answer();
    await emu.command(as('Hanish'), 'ask', undefined, { question: 'What about the second figure?' }).answer();
    const announce = emu.world.channelByName(guild, 'announcements').id;
    const board = () => emu.messagesIn(announce).find((m) => m.embeds[0]?.title === 'Live now');
    await until(
      () =>
        board() !== undefined &&
        emu.messagesIn(board()!.id).some((m) => m.embeds[0]?.description === 'What about the second figure?'),
      10_000,
      'board and card',
    );
    const card = emu.messagesIn(board()!.id).find((m) => m.embeds[0]?.description === 'What about the second figure?')!;
    const customId = (card.components![0] as { components: Array<{ custom_id: string }> }).components[0]!.custom_id;
    for (const user of ['Charlie', 'Cong', 'David']) await emu.button(as(user), card, customId).answer();
    emu.joinVoice(guild, 'Hanish', 'paper-stage');
    expect((await emu.command(as('Hanish'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1 in line\./,
    );
    // Killed right after the votes: the board edit they asked for is still waiting (coalesced, 2 s).
    await first.kill('SIGKILL');
    // While the bot is down, Hanish leaves the stage and Cong joins it: no update reaches the bot.
    emu.leaveVoice(guild, 'Hanish');
    emu.joinVoice(guild, 'Cong', 'paper-stage');

    const second = new BotProcess(env);
    await second.waitForLog(/worker ready/);
    const status = await emu.command(as('Hanish'), 'session', 'status').answer();
    expect(status.embeds[0]!.fields!.find((f) => f.name === 'Paper')!.value).toBe('https://example.org/one');
    expect(status.embeds[0]!.fields!.find((f) => f.name === 'Questions')!.value).toBe('1 asked, 1 open');
    const list = await emu.command(as('Hanish'), 'question', 'list').answer();
    expect(list.embeds[0]!.description).toMatch(/^▲ 3 · What about the second figure\?/);
    const queue = await emu.command(as('Hanish'), 'paper', 'list').answer();
    expect(queue.embeds[0]!.description!.split('\n')).toHaveLength(3);
    await until(
      () => (board()?.embeds[0]?.fields ?? []).some((f) => f.name === 'Top questions' && f.value.startsWith('▲ 3 ·')),
      20_000,
      'the board to catch up',
    );
    expect(emu.messagesIn(announce).filter((m) => m.embeds[0]?.title === 'Live now')).toHaveLength(1);
    // The voice states are the ones Discord sent on reconnecting: Hanish (who left meanwhile) is not called.
    const hanish = emu.world.memberByName(guild, 'Hanish').user.id;
    const stage = emu.world.channelByName(guild, 'paper-stage').id;
    const next = await emu.command(as('Tanishq'), 'speakers', 'next').answer();
    expect(next.content).toBe(
      `<@${hanish}> is not in <#${stage}>. They keep their place in the queue, and I sent them a DM with a link to join.`,
    );
    // And the session goes on: a vote after the restart counts on top.
    expect((await emu.button(as('Ben Schrod'), card, customId).answer()).content).toBe(
      'Upvoted: 4 votes. Press again to take it back.',
    );
    const connection = new Redis(redis.url);
    expect((await new SessionStore(connection).current(guild.id))?.status).toBe('live');
    connection.disconnect();
    await second.kill('SIGTERM');
    expect(emu.violations).toEqual([]);
  }, 60_000);
});
