import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGuildData } from '../../src/store/guild-export.js';
import { keys } from '../../src/store/keys.js';
import { as } from '../support/as.js';
import { settled } from '../support/scenario.js';
import { startPrivateHarness, type Harness } from '../support/harness.js';
import { liveSession } from '../support/live.js';

/**
 * /ask, /paper add, /speakers next and the upvote button send their store
 * writes in the same Redis round trip as the router's own reads (Command.early),
 * before the router has decided. These check that a refused interaction
 * still changes nothing, and that a stale guess is caught.
 */
describe("GIVEN a live session WHEN a write goes out with the router's reads", () => {
  let h: Harness;
  let sessionId: string;
  beforeAll(async () => {
    h = await startPrivateHarness();
    ({ sessionId } = await liveSession(h));
  }, 60_000);
  afterAll(() => h.stop());

  it("a non-host's /speakers next is refused and the raised hand stays where it was", async () => {
    h.emu.joinVoice(h.guild, 'Hanish', 'paper-stage');
    expect((await h.emu.command(as(h, 'Hanish'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1 in line\./,
    );
    await settled(h.emu, h.bot.services.jobs);
    const before = await exportGuildData(h.bot.services.redis, h.guild.id);
    const answer = await h.emu.command(as(h, 'Cong'), 'speakers', 'next').answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/^Only hosts can do that/);
    expect(await exportGuildData(h.bot.services.redis, h.guild.id)).toEqual(before);
    const hanish = h.emu.world.memberByName(h.guild, 'Hanish').user.id;
    expect(await h.bot.services.sessions.speakers(h.guild.id, sessionId)).toEqual({
      queue: [{ userId: hanish }],
      onStage: [],
    });
  });

  it('the sixth /ask in a minute is refused and stores nothing; the five before it are kept', async () => {
    const asked = [];
    for (let i = 1; i <= 6; i++)
      asked.push(
        await h.emu.command(as(h, 'David'), 'ask', undefined, { question: `David's question ${i}?` }).answer(),
      );
    expect(asked.slice(0, 5).map((a) => a.content)).toEqual(
      Array.from({ length: 5 }, () => expect.stringMatching(/^Question logged/)),
    );
    expect(asked[5]!.content).toMatch(/^Slow down: you can do that 5 times every 60 s\./);
    const david = h.emu.world.memberByName(h.guild, 'David').user.id;
    const stored = (await h.bot.services.sessions.questions(h.guild.id, sessionId)).filter((q) => q.askerId === david);
    expect(stored.map((q) => q.text)).toEqual([1, 2, 3, 4, 5].map((i) => `David's question ${i}?`));
    const timeline = await h.bot.services.sessions.timeline(h.guild.id, sessionId);
    expect(timeline.filter((e) => e.type === 'question.asked' && stored.every((q) => q.id !== e.questionId))).toEqual(
      [],
    );
  });

  it('GIVEN the voice presence mirror lost a member WHEN a host runs /speakers next THEN they are still called, and the mirror is put right', async () => {
    const hanish = h.emu.world.memberByName(h.guild, 'Hanish').user.id;
    const stage = h.emu.world.channelByName(h.guild, 'paper-stage').id;
    await settled(h.emu, h.bot.services.jobs);
    expect(await h.bot.services.redis.hget(keys.voicePresence(h.guild.id), hanish)).toBe(stage);
    // As if the write for Hanish's join had failed.
    await h.bot.services.redis.hdel(keys.voicePresence(h.guild.id), hanish);
    const answer = await h.emu.command(as(h, 'Tanishq'), 'speakers', 'next').answer();
    expect(answer.content).toBe(`<@${hanish}> is invited to speak.`);
    expect(await h.bot.services.sessions.speakers(h.guild.id, sessionId)).toEqual({ queue: [], onStage: [hanish] });
    expect(await h.bot.services.redis.hget(keys.voicePresence(h.guild.id), hanish)).toBe(stage);
  });

  it('GIVEN another process moved the session to another channel WHEN a host runs /speakers next THEN the member is called in the new channel', async () => {
    // Another process's /setup channels now says the lounge; this process's last read said paper-stage.
    const lounge = h.emu.world.channelByName(h.guild, 'lounge').id;
    await h.bot.services.redis.hset(keys.settings(h.guild.id), { stageChannelId: lounge, stageKind: 'voice' });
    h.emu.joinVoice(h.guild, 'David', 'lounge');
    expect((await h.emu.command(as(h, 'David'), 'speak').answer()).content).toMatch(
      /^Your hand is up: you are number 1 in line\./,
    );
    const answer = await h.emu.command(as(h, 'Tanishq'), 'speakers', 'next').answer();
    const david = h.emu.world.memberByName(h.guild, 'David').user.id;
    expect(answer.content).toBe(`<@${david}> is invited to speak.`);
    expect((await h.bot.services.sessions.speakers(h.guild.id, sessionId)).queue).toEqual([]);
    expect(h.emu.violations).toEqual([]);
  });
});
