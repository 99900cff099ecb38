import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { as } from '../support/as.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

/** Commands that only read: anything else that names the guild's keys is a write (or a script). */
const READS = new Set(
  'get mget hget hmget hgetall hlen hexists lrange lindex llen lpos zrange zrevrange zrangebyscore zscore zcard zcount zrank zrevrank smembers sismember scard exists type ttl pttl'.split(
    ' ',
  ),
);

/** Every command Redis runs that names one of the guild's keys (or its rate-limit counters), while `act` runs. */
async function commandsDuring(h: Harness, act: () => Promise<unknown>): Promise<string[][]> {
  const watcher = new Redis(h.config.REDIS_URL);
  const monitor = await watcher.monitor();
  const seen: string[][] = [];
  const tag = `{${h.guild.id}}`;
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.some((arg) => arg.includes(tag))) seen.push(args.map(String));
  });
  try {
    await act();
    await h.jobs.done();
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
  return seen;
}

const writes = (commands: string[][]) => commands.filter(([name]) => !READS.has(name!.toLowerCase()));

/**
 * The router decides (guild, options, host, live session, rate limit) before
 * any handler runs: nothing is written for a member who may not act.
 */
describe('GIVEN a live session WHEN the router refuses an interaction', () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startPrivateHarness();
    ({ sessionId } = await liveSession(h));
  }, 60_000);
  afterAll(() => h.stop());

  it("THEN a non-host's host commands send Redis no write and no script, and the raised hand stays", async () => {
    h.emu.joinVoice(h.guild, 'Hanish', 'paper-stage');
    expect((await h.emu.command(as(h, 'Hanish'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1/,
    );
    await h.jobs.done();
    const answers: string[] = [];
    const seen = await commandsDuring(h, async () => {
      for (const [sub, options] of [
        ['next', {}],
        ['clear', {}],
      ] as const)
        answers.push((await h.emu.command(as(h, 'Cong'), 'speakers', sub, options).answer()).content ?? '');
      answers.push((await h.emu.command(as(h, 'Cong'), 'session', 'end').answer()).content ?? '');
      answers.push((await h.emu.command(as(h, 'Cong'), 'paper', 'next').answer()).content ?? '');
    });
    expect(answers).toEqual(Array.from({ length: 4 }, () => expect.stringMatching(/^Only hosts can do that/)));
    expect(seen.length).toBeGreaterThan(0);
    expect(writes(seen)).toEqual([]);
    const hanish = h.emu.world.memberByName(h.guild, 'Hanish').user.id;
    expect((await h.bot.internals.speakers.speakers(h.guild.id, sessionId, 10)).queue).toEqual([{ userId: hanish }]);
  });

  it('THEN the sixth /ask in a minute is refused, stores nothing and writes only its rate-limit counter', async () => {
    const asked = [];
    for (let i = 1; i <= 5; i++)
      asked.push(
        await h.emu.command(as(h, 'David'), 'ask', undefined, { question: `David's question ${i}?` }).answer(),
      );
    expect(asked.map((a) => a.content)).toEqual(
      Array.from({ length: 5 }, () => expect.stringMatching(/^Question logged/)),
    );
    await h.jobs.done();
    let sixth = '';
    const seen = await commandsDuring(h, async () => {
      sixth =
        (await h.emu.command(as(h, 'David'), 'ask', undefined, { question: "David's question 6?" }).answer()).content ??
        '';
    });
    expect(sixth).toMatch(/^Slow down: you can do that 5 times every 60 s\./);
    const counter = `${keys.rateLimit(h.guild.id, '', '')}`.split(':').slice(0, 3).join(':');
    const other = writes(seen).filter((command) => !command.slice(1).some((arg) => arg.startsWith(counter)));
    expect(other).toEqual([]);
    expect(writes(seen).length).toBeGreaterThan(0);
    const david = h.emu.world.memberByName(h.guild, 'David').user.id;
    const { questions } = await h.bot.internals.questions.topQuestions(h.guild.id, sessionId, {
      status: 'all',
      limit: 100,
    });
    expect(
      questions
        .filter((q) => q.askerId === david)
        .map((q) => q.text)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5].map((i) => `David's question ${i}?`));
    const timeline = await h.bot.internals.sessions.timeline(h.guild.id, sessionId);
    expect(timeline.filter((e) => e.type === 'question.asked')).toHaveLength(5);
  });

  it('GIVEN the first raised hand is not in the stage channel WHEN a host runs /speakers next THEN they keep their place and get a DM', async () => {
    await h.emu.command(as(h, 'Tanishq'), 'speakers', 'clear').answer();
    expect((await h.emu.command(as(h, 'Cong'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1/,
    );
    const cong = h.emu.world.memberByName(h.guild, 'Cong').user.id;
    const answer = await h.emu.command(as(h, 'Tanishq'), 'speakers', 'next').answer();
    expect(answer.content).toMatch(new RegExp(`^<@${cong}> is not in <#\\d+>\\. They keep their place`));
    expect((await h.bot.internals.speakers.speakers(h.guild.id, sessionId, 10)).queue).toEqual([{ userId: cong }]);
    await h.jobs.done();
    expect(h.emu.messagesIn(h.emu.dmChannel(cong).id).at(-1)?.content).toMatch(/^A host has called you up to speak/);
  });

  it('GIVEN another process moved the session to another channel WHEN a host runs /speakers next THEN the member is called in the new channel', async () => {
    await h.emu.command(as(h, 'Tanishq'), 'speakers', 'clear').answer();
    // Another process's /setup channels now says the lounge: the router reads the settings afresh.
    const lounge = h.emu.world.channelByName(h.guild, 'lounge').id;
    await h.bot.internals.settings.update(h.guild.id, { stageChannelId: lounge, stageKind: 'voice' });
    h.emu.joinVoice(h.guild, 'David', 'lounge');
    expect((await h.emu.command(as(h, 'David'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1/,
    );
    const answer = await h.emu.command(as(h, 'Tanishq'), 'speakers', 'next').answer();
    const david = h.emu.world.memberByName(h.guild, 'David').user.id;
    expect(answer.content).toBe(`<@${david}> is invited to speak.`);
    expect((await h.bot.internals.speakers.speakers(h.guild.id, sessionId, 10)).queue).toEqual([]);
    expect(h.emu.violations).toEqual([]);
  });
});
