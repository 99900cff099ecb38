import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARXIV } from '../fixtures/papers.js';
import { expectCleanDiscord } from '../support/as.js';
import { until } from '../support/bot-process.js';
import { TestClock } from '../support/clock.js';
import type { Harness } from '../support/harness.js';
import { startStack, type Stack } from '../support/stack.js';
import { loadScenario, replayPlayer, ScenarioPlayer, scenarioGuild } from '../support/scenario.js';

const scenario = loadScenario(fileURLToPath(new URL('../../scenarios/seed-session.json', import.meta.url)));
const COVERED = ['2408.03314', '2408.00118', '2407.07726', '2408.06292', '2408.00714', '2408.03322', '2408.06072'];

describe('GIVEN the whole seed session replayed, /session end included', () => {
  let stack: Stack;
  let h: Harness;
  let player: ScenarioPlayer;
  let file: string;
  let messages: string;
  const clock = new TestClock();

  beforeAll(async () => {
    stack = await startStack({ clock: clock.now, guild: (emu) => scenarioGuild(emu, scenario) });
    ({ h } = stack);
    player = replayPlayer(h, scenario, clock);
    for (const step of scenario.steps) await player.play(step);
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    await until(() => h.emu.messagesIn(recaps).length === 1, 20_000, 'the recap');
    const first = h.emu.messagesIn(recaps)[0]!;
    await until(() => h.emu.world.channels.has(first.id), 10_000, 'the recap thread');
    // The recap job finishes once every part is posted in the thread.
    await h.jobs.done();
    file = h.emu.attachmentText(first.attachments[0]!.id);
    messages = [first, ...h.emu.messagesIn(first.id)].map((m) => m.content).join('\n');
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  it("THEN the recap is posted once, and every message passed Discord's checks and pinged nobody but the ping role (agenda and reminders)", () => {
    expect(h.emu.messagesIn(h.emu.world.channelByName(h.guild, 'recaps').id)).toHaveLength(1);
    expectCleanDiscord(h, { roles: [h.emu.world.roleByName(h.guild, 'paper-club').id] });
  });

  it('THEN it lists the 7 papers in the order they were covered, with their presenters', () => {
    for (const text of [file, messages]) {
      const titles = [...text.matchAll(/^### \d+\. \[([^\]]+)\]/gm)].map((m) => m[1]);
      expect(titles).toEqual(COVERED.map((id) => ARXIV[id]!.title));
    }
    expect(file).toContain(
      `### 1. [${ARXIV['2408.03314']!.title}](https://arxiv.org/abs/2408.03314)\nPresented by Charlie, from 12:05:30 (+0:05:30).`,
    );
    expect(messages).toContain(`Presented by <@${player.userId('charlie')}>`);
    // Every seed paper has a presenter: each is named, none as "nobody".
    expect(file.match(/^Presented by [^,\n]+, from \d{2}:\d{2}:\d{2} \(\+\d:\d{2}:\d{2}\)\.$/gm)).toHaveLength(7);
    expect(file).not.toMatch(/nobody/i);
  });

  it('THEN Q&A has the 7 answered questions, the anonymous one with no name, the dismissed comment absent, 2 carried over', () => {
    expect(file.match(/^- \*\*Q\*\* /gm)).toHaveLength(7);
    expect(file).toContain('- **Q** (anonymous): Is the AI Scientist multimodal — can it draw its own figures?');
    expect(file).not.toContain('larger hidden dimension');
    const carried = file.slice(file.indexOf('## Unanswered (carried over'), file.indexOf('## Key takeaways'));
    expect(carried.match(/^- /gm)).toHaveLength(2);
    expect(carried).toContain('16x d\\_model');
    expect(carried).toContain('How much compute would it cost to replicate CogVideoX? (Hanish)');
    expect(messages).toContain('(anonymous): Is the AI Scientist multimodal');
    expect(messages).not.toContain(`<@${player.userId('ben')}>): Is the AI Scientist multimodal`);
  });

  it("THEN next week's agenda (a week on) carries the 2 unanswered questions over, with no papers queued yet", () => {
    const announce = h.emu.world.channelByName(h.guild, 'announcements').id;
    const agendas = h.emu.messagesIn(announce).filter((m) => m.embeds[0]?.title?.startsWith('Agenda'));
    expect(agendas.map((m) => m.embeds[0]!.title)).toEqual([
      'Agenda · Wednesday, 14 August 2024',
      'Agenda · Wednesday, 21 August 2024',
    ]);
    const next = agendas[1]!.embeds[0]!;
    expect(next.description).toContain('No papers queued yet');
    const carried = next.fields!.find((f) => f.name === 'Still open from last time')!.value.split('\n');
    expect(carried).toHaveLength(2);
    expect(carried.join('\n')).toMatch(/Why does Gemma 2 27B use a feed-forward/);
    expect(carried.join('\n')).toMatch(/CogVideoX/);
  });

  it('THEN the 7 highlights and 3 takeaways carry their local times and offsets', () => {
    expect(
      [...file.matchAll(/^- ✦ (\d{2}:\d{2}:\d{2}) \((\+\d:\d{2}:\d{2})\)/gm)].map((m) => `${m[1]} ${m[2]}`),
    ).toEqual([
      '12:14:35 +0:14:35',
      '12:25:41 +0:25:41',
      '12:38:19 +0:38:19',
      '12:45:55 +0:45:55',
      '12:52:02 +0:52:02',
      '13:20:00 +1:20:00',
      '13:48:00 +1:48:00',
    ]);
    expect([...file.matchAll(/^- ★ (\d{2}:\d{2}:\d{2})/gm)].map((m) => m[1])).toEqual([
      '12:31:00',
      '13:05:29',
      '13:58:00',
    ]);
    expect(messages).toContain('<t:1723662875:T> (+0:14:35)');
  });

  it('THEN the summary gives the duration, the recording link, and the speaker timeline', () => {
    expect(file).toContain('Duration 2h 2m, from 12:00:00 to 14:02:00.');
    expect(file).toContain('Recording: https://example.org/recordings/2024-08-14');
    expect(file).toContain('- Charlie: 12:05:00–12:31:40 (27m in all)');
    expect(file).toContain('- Cong: 12:49:00–13:10:00 (21m in all)');
    expect(messages).toContain('7 papers covered');
    expect(messages).toContain('10 questions asked, 7 answered.');
  });

  it('THEN /recap show pages through it, and /recap post posts it again', async () => {
    const tanishq = { guild: h.guild, user: 'Tanishq', channel: 'general' };
    const shown = await h.emu.command(tanishq, 'recap', 'show', { date: '2024-08-14' }).answer();
    expect(shown.ephemeral).toBe(true);
    expect(shown.content).toMatch(/^# Recap: session of Wednesday, 14 August 2024/);
    expect((await h.emu.command(tanishq, 'recap', 'show', { date: '2024-08-13' }).answer()).content).toBe(
      'No session took place on 2024-08-13.',
    );
    expect((await h.emu.command(tanishq, 'recap', 'show', { date: '14/08/2024' }).answer()).content).toMatch(
      /is not a date/,
    );
    expect((await h.emu.command({ ...tanishq, user: 'David' }, 'recap', 'post').answer()).content).toMatch(
      /^Only hosts/,
    );
    await h.emu.command(tanishq, 'recap', 'post').answer();
    const recaps = h.emu.world.channelByName(h.guild, 'recaps').id;
    await until(() => h.emu.messagesIn(recaps).length === 2, 20_000, 'the second posting');
  });
});
