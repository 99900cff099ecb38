import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGuildData } from '../../src/store/guild-export.js';
import { ARXIV } from '../fixtures/papers.js';
import { expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { TestClock } from '../support/clock.js';
import type { Harness } from '../support/harness.js';
import { startStack, type Stack } from '../support/stack.js';
import { loadScenario, replayPlayer, ScenarioPlayer, scenarioGuild, type StepResult } from '../support/scenario.js';

const scenario = loadScenario(fileURLToPath(new URL('../../scenarios/seed-session.json', import.meta.url)));
const endIndex = scenario.steps.findIndex((s) => 'command' in s && s.command === '/session end');
// Everything before /session end: the week before (setup, schedule, papers, agenda, reminders) and the live hour.
const replayed = scenario.steps.slice(0, endIndex);

describe('GIVEN the seed session replayed through the real bot, up to /session end', () => {
  let stack: Stack;
  let h: Harness;
  let player: ScenarioPlayer;
  const results: StepResult[] = [];
  const clock = new TestClock();
  /** The result of the step at `time` on the session day, or at a full `date`T`time`. */
  const at = (time: string) =>
    results.find((r) => r.step.at.startsWith(time.includes('T') ? time : `2024-08-14T${time}`))!;

  beforeAll(async () => {
    stack = await startStack({ clock: clock.now, guild: (emu) => scenarioGuild(emu, scenario) });
    ({ h } = stack);
    player = replayPlayer(h, scenario, clock);
    for (const step of replayed) results.push(await player.play(step));
    await h.jobs.done(); // the board's last coalesced edit, among others
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  const channel = (name: string) => h.emu.world.channelByName(h.guild, name).id;
  const board = () => h.emu.messagesIn(channel('announcements')).find((m) => m.embeds[0]?.title === 'Live now')!;
  const thread = () => h.emu.messagesIn(board().id);
  const dmsTo = (key: string) =>
    h.emu.posts.filter(
      (p) => p.action === 'create' && h.emu.world.channels.get(p.channelId)?.recipientId === player.userId(key),
    );
  const papers = () => h.bot.internals.papers.list(h.guild.id);
  const session = async () => (await h.bot.internals.sessions.current(h.guild.id))!;

  it("THEN every reply passed Discord's schemas and limits, and nothing pinged anyone but the agenda and reminders (the ping role)", () => {
    const ping = h.emu.world.roleByName(h.guild, 'paper-club').id;
    expectCleanDiscord(h, { roles: [ping] });
    expect(
      h.emu.posts
        .filter((p) => p.action === 'create' && p.pings.roles.length > 0)
        .map((p) => p.message.embeds[0]?.title ?? p.message.content.slice(0, 50)),
    ).toEqual(
      [
        'Agenda · Wednesday, 14 August 2024',
        `<@&${ping}> **Paper reading starts in 1h**: <t:1723658400:F>`,
        `<@&${ping}> **Paper reading starts in 10m**: <t:1723658400:F>`,
      ].map((text) => text.slice(0, 50)),
    );
  });

  it('THEN the week before: the event, the agenda at 24h with the queue in order and presenters, DMs to each presenter, reminders at 1h and 10m', () => {
    const start = Date.parse('2024-08-14T12:00:00-07:00');
    const next = start + 7 * 86_400_000;
    const events = [...h.guild.scheduledEvents.values()];
    expect(events.map((e) => [e.scheduled_start_time, e.scheduled_end_time, e.channel_id, e.status])).toEqual([
      [new Date(start).toISOString(), new Date(start + 150 * 60_000).toISOString(), channel('paper-stage'), 2],
      // At 12:00 the session's own open job opened next week's: its event is scheduled.
      [new Date(next).toISOString(), new Date(next + 150 * 60_000).toISOString(), channel('paper-stage'), 1],
    ]);
    const announced = h.emu.posts.filter((p) => p.action === 'create' && p.channelId === channel('announcements'));
    const agendas = announced.filter((p) => p.message.embeds[0]?.title?.startsWith('Agenda'));
    expect(agendas.map((p) => new Date(p.at).toISOString())).toEqual(['2024-08-13T19:00:00.000Z']);
    const agenda = h.emu.findMessage(agendas[0]!.messageId)!;
    expect(agenda.content).toBe(
      `<@&${h.emu.world.roleByName(h.guild, 'paper-club').id}> The agenda for <t:${start / 1000}:F> (<t:${start / 1000}:R>) is up.`,
    );
    const lines = agenda.embeds[0]!.description!.split('\n').filter((l) => /^\d\./.test(l));
    expect(lines.map((l) => l.match(/\]\((https:[^)]+)\)/)![1])).toEqual([
      'https://arxiv.org/abs/2408.06292',
      'https://arxiv.org/abs/2408.03314',
      'https://arxiv.org/abs/2408.00118',
      'https://huggingface.co/papers/2407.07726',
      'https://arxiv.org/abs/2408.00714',
      'https://arxiv.org/abs/2408.03322',
      'https://arxiv.org/abs/2408.06072',
    ]);
    expect(lines[0]).toContain(
      `${ARXIV['2408.06292']!.title}](https://arxiv.org/abs/2408.06292) · Chris Lu, Cong Lu, Robert Tjarko Lange et al. · presented by <@${player.userId('cong')}>`,
    );
    expect(agenda.embeds[0]!.fields!.find((f) => f.name === 'Event')!.value).toBe(
      `[Mark yourself interested](https://discord.com/events/${h.guild.id}/${events[0]!.id})`,
    );
    const reminders = announced.filter((p) => p.message.content.includes('Paper reading starts in'));
    expect(
      reminders.map((p) => [new Date(p.at).toISOString(), p.message.content.match(/starts in (\w+)/)![1]]),
    ).toEqual([
      ['2024-08-14T18:00:00.000Z', '1h'],
      ['2024-08-14T18:50:00.000Z', '10m'],
    ]);
    for (const [key, id] of [
      ['cong', '2408.06292'],
      ['charlie', '2408.03314'],
      ['aran', '2407.07726'],
      ['tanishq', '2408.00714'],
    ] as const) {
      const dm = dmsTo(key).filter((p) => p.message.content.startsWith('You are presenting'));
      expect(dm).toHaveLength(1);
      expect(dm[0]!.message.content).toContain(ARXIV[id]!.title);
    }
  });

  it('THEN the duplicate add by David was refused with its position', () => {
    expect(at('2024-08-12T18:33:00').answer!.content).toMatch(
      /^That paper is already queued for this session, at position 2/,
    );
  });

  it('THEN /session start posted the live board with a thread and opened the Stage on the first paper in line', async () => {
    expect(at('12:00:00').answer!.content).toMatch(/^Session started\./);
    expect(board()).toBeDefined();
    expect(h.emu.world.channels.get(board().id)?.parentId).toBe(channel('announcements'));
    const opened = h.emu.requests.find((r) => r.method === 'POST' && r.path === '/stage-instances')!;
    expect(opened.body).toEqual({
      channel_id: channel('paper-stage'),
      topic: ARXIV['2408.06292']!.title,
      privacy_level: 2,
    });
    expect(opened.status).toBe(200);
  });

  it('THEN before the session each presenter was asked once whether they still present, Charlie said yes, and the poll of the queue was reported without moving it', async () => {
    const asked = (key: string) => dmsTo(key).filter((p) => String(p.body.content).startsWith('Still presenting'));
    expect(asked('charlie')).toHaveLength(1);
    expect(asked('cong')).toHaveLength(1);
    expect(asked('aran')).toHaveLength(2); // one DM per paper
    expect(at('2024-08-12T19:00:00').answer!.content).toMatch(/^You present \*\*Scaling LLM Test-Time Compute/);
    expect(at('2024-08-12T20:30:00').answer!.content).toMatch(/^The poll of 7 papers goes up in <#\d+>/);
    const result = h.emu
      .messagesIn(channel('announcements'))
      .find((m) => m.content.startsWith('**The poll has closed.**'))!;
    expect(result.content.split('\n').slice(1, 4)).toEqual([
      '1. Scaling LLM Test-Time Compute Optimally can be More Effective than Scaling Model Parameters · 2 votes',
      '2. The AI Scientist: Towards Fully Automated Open-Ended Scientific Discovery · 2 votes',
      '3. Gemma 2: Improving Open Language Models at a Practical Size · 0 votes',
    ]);
    expect(result.content).toContain("The queue is in the hosts' order (/setup queue), so nothing moved");
  });

  it('THEN calling Charlie before he joined told the host and DMed him a link; after he joined he was un-suppressed', async () => {
    expect(at('12:02:30').answer!.content).toBe(
      `<@${player.userId('charlie')}> is not in <#${channel('paper-stage')}>. They keep their place in the queue, and I sent them a DM with a link to join.`,
    );
    // Besides the agenda's and the "Still presenting?" DMs of the days before.
    expect(
      dmsTo('charlie')
        .map((p) => p.message.content)
        .filter((c) => !c.startsWith('You are presenting') && !c.startsWith('Still presenting')),
    ).toEqual([
      `A host has called you up to speak. Join the stage to talk: https://discord.com/channels/${h.guild.id}/${channel('paper-stage')}`,
    ]);
    expect(at('12:05:00').answer!.content).toBe(`<@${player.userId('charlie')}> is invited to speak.`);
    expect(
      h.emu.requests
        .filter(
          (r) => r.method === 'PATCH' && r.path === `/guilds/${h.guild.id}/voice-states/${player.userId('charlie')}`,
        )
        .map((r) => [r.body, r.status]),
    ).toEqual([
      [{ channel_id: channel('paper-stage'), suppress: false }, 204],
      [{ channel_id: channel('paper-stage'), suppress: true }, 204],
    ]);
  });

  it('THEN /speakers next with Cong away told the host, DMed Cong, and kept him first; later it invited him', async () => {
    expect(at('12:33:00').answer!.content).toMatch(
      new RegExp(`^<@${player.userId('cong')}> is not in <#${channel('paper-stage')}>\\. They keep their place`),
    );
    expect(dmsTo('cong').filter((p) => p.message.content.startsWith('A host has called you'))).toHaveLength(1);
    expect(at('12:49:00').answer!.content).toBe(`<@${player.userId('cong')}> is invited to speak.`);
    const timeline = await h.bot.internals.sessions.timeline(h.guild.id, (await session()).id);
    const calls = timeline
      .filter((e) => e.type === 'speaker.called')
      .map((e) => [(e as { userId: string }).userId, new Date(e.at).toISOString()]);
    expect(calls).toEqual([
      [player.userId('charlie'), '2024-08-14T19:05:00.000Z'],
      [player.userId('cong'), '2024-08-14T19:49:00.000Z'],
    ]);
  });

  it('THEN papers ran out of order: the skipped AI Scientist stayed queued until started, and /paper next followed queue order', async () => {
    expect(at('12:43:00').answer!.content).toBe(
      `Now presenting: **${ARXIV['2407.07726']!.title}** by <@${player.userId('aran')}>.`,
    );
    const timeline = await h.bot.internals.sessions.timeline(h.guild.id, (await session()).id);
    const started = timeline
      .filter((e) => e.type === 'paper.started')
      .map((e) => new Date(e.at).toISOString().slice(11, 19));
    expect(started).toEqual(['19:05:30', '19:34:00', '19:43:00', '19:49:30', '20:11:00', '20:27:00', '20:40:00']);
    const queue = await papers();
    expect(queue.map((p) => `${p.ref.id}:${p.status}`)).toEqual([
      '2408.03314:covered',
      '2408.06292:covered',
      '2408.00118:covered',
      '2407.07726:covered',
      '2408.00714:covered',
      '2408.03322:covered',
      '2408.06072:current',
    ]);
  });

  it('THEN the questions are as asked: votes counted, answers kept, the anonymous one with no name anywhere, the logged message by David, the comment dismissed', async () => {
    const questions = await h.bot.internals.questions.questions(h.guild.id, (await session()).id);
    const by = (text: string) => questions.find((q) => q.text.includes(text))!;
    expect(questions).toHaveLength(10);
    expect(questions.filter((q) => q.status === 'answered')).toHaveLength(7);
    expect(by('criterion').votes).toBe(2);
    expect(by('criterion').answer).toMatch(/^Difficulty is relative to the base model/);
    expect(by('multimodal').anonymous).toBe(true);
    expect(by('multimodal').askerId).toBeUndefined();
    const gemma = queue(await papers(), '2408.00118');
    expect(by('larger hidden dimension')).toMatchObject({
      askerId: player.userId('david'),
      status: 'dismissed',
      paperId: gemma,
    });
    expect(by('16x d_model').status).toBe('open');
    expect(by('CogVideoX').status).toBe('open');
    const ben = player.userId('ben');
    const exported = JSON.stringify(await exportGuildData(h.bot.internals.redis, h.guild.id));
    const anonymousCard = thread().find((m) => m.embeds[0]?.description?.includes('multimodal'))!;
    expect(anonymousCard.embeds[0]!.fields!.find((f) => f.name === 'Asked by')!.value).toBe('anonymous');
    expect(JSON.stringify(anonymousCard)).not.toContain(ben);
    expect(exported).toContain(ben); // Ben asked other questions under his name…
    const anonymousRecord = JSON.stringify(
      (await exportGuildData(h.bot.internals.redis, h.guild.id))[`question:${by('multimodal').id}`],
    );
    expect(anonymousRecord).not.toContain(ben); // …but the anonymous one holds no trace of him.
  });

  it('THEN the highlights and takeaways are on the timeline at their times, each on its paper, and posted in the thread', async () => {
    const timeline = await h.bot.internals.sessions.timeline(h.guild.id, (await session()).id);
    const highlights = timeline
      .filter((e) => e.type === 'highlight')
      .map((e) => new Date(e.at).toISOString().slice(11, 19));
    expect(highlights).toEqual(['19:14:35', '19:25:41', '19:38:19', '19:45:55', '19:52:02', '20:20:00', '20:48:00']);
    expect(timeline.filter((e) => e.type === 'takeaway')).toHaveLength(3);
    await until(
      () => thread().filter((m) => m.content.startsWith('**✦ Highlight**')).length === 7,
      10_000,
      'highlights in the thread',
    );
    expect(thread().filter((m) => m.content.startsWith('**★ Key takeaway**'))).toHaveLength(3);
  });

  it('THEN the board shows the current paper, nobody waiting, and the top open questions', () => {
    const embed = board().embeds[0]!;
    expect(embed.description).toBe(
      `**Now:** [${ARXIV['2408.06072']!.title}](https://arxiv.org/abs/2408.06072) · presented by <@${player.userId('tanishq')}>`,
    );
    expect(embed.fields!.find((f) => f.name === 'Raised hands')!.value).toBe('nobody yet: /speak');
    expect(embed.fields!.find((f) => f.name === 'Top questions')!.value.split('\n')).toHaveLength(2);
    expect(h.guild.stageInstances.get(channel('paper-stage'))!.topic).toBe(ARXIV['2408.06072']!.title);
  });
});

function queue(papers: Array<{ id: string; ref: { id: string } }>, arxivId: string): string {
  return papers.find((p) => p.ref.id === arxivId)!.id;
}
