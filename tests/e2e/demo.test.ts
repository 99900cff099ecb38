import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { runDemo } from '../../demo/demo.js';
import { ARXIV } from '../fixtures/papers.js';

const SEED = fileURLToPath(new URL('../../scenarios/seed-session.json', import.meta.url));

describe('npm run demo', () => {
  it('GIVEN the seed scenario THEN recap.md matches the session and session.html holds every message the bot sent', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lectern-demo-'));
    const lines: string[] = [];
    const { emu, files } = await runDemo({
      scenarioPath: SEED,
      outDir,
      redisUrl: inject('redisUrl'),
      print: (line) => lines.push(line),
    });
    expect(lines.find((l) => l.includes('/schedule set'))).toMatch(
      /→ Saved: every wednesday at 12:00 \(America\/Los_Angeles\), 150 minutes\. Next session: Wednesday, 14 August 2024 at 12:00 \(in 4 days\)/,
    );
    // The agenda and reminders show up at their steps, with the DMs.
    const agenda = lines.find((l) => l.startsWith('[2024-08-13 12:00:00]'))!;
    expect(agenda).toContain('⇒ #announcements: Agenda · Wednesday, 14 August 2024');
    for (const name of ['Cong', 'Charlie', 'Aran', 'Tanishq'])
      expect(agenda).toContain(`⇒ DM to ${name}: You are presenting`);
    expect(lines.find((l) => l.startsWith('[2024-08-14 11:00:00]'))).toContain(
      '⇒ #announcements: @paper-club **Paper reading starts in 1h**',
    );
    expect(lines.find((l) => l.startsWith('[2024-08-14 11:50:00]'))).toContain('**Paper reading starts in 10m**');
    expect(lines.find((l) => l.startsWith('[2024-08-20 12:00:00]'))).toContain(
      '⇒ #announcements: Agenda · Wednesday, 21 August 2024',
    );
    expect(lines.at(-1)).toMatch(/^\nWrote .*recap\.md, .*session\.html/);

    const recap = readFileSync(files.recap!, 'utf8');
    const covered = ['2408.03314', '2408.00118', '2407.07726', '2408.06292', '2408.00714', '2408.03322', '2408.06072'];
    expect([...recap.matchAll(/^### \d+\. \[([^\]]+)\]/gm)].map((m) => m[1])).toEqual(
      covered.map((id) => ARXIV[id]!.title),
    );
    expect(recap).toContain('10 questions asked, 7 answered.');
    expect(recap).toContain('**Q** (anonymous): Is the AI Scientist multimodal');
    expect(recap).not.toContain('larger hidden dimension');
    expect(recap).toContain('Duration 2h 2m');
    expect(recap).toContain('Recording: https://example.org/recordings/2024-08-14');

    const html = readFileSync(files.html, 'utf8');
    const sent = [...emu.world.channels.values()].flatMap((c) =>
      emu.messagesIn(c.id).filter((m) => m.author.id === emu.world.bot.id),
    );
    expect(sent.length).toBeGreaterThan(40);
    for (const message of sent)
      expect(html, `message ${message.id} in session.html`).toContain(`data-id="${message.id}"`);
    expect(html).toContain('Upvote');
    expect(html).not.toMatch(/<script/i);

    // The web archive, exported: the index lists the session, whose page holds its answered questions.
    const index = readFileSync(files.archive!, 'utf8');
    const sessionPage = /href="(sessions\/[^"]+\.html)"/.exec(index)![1]!;
    const page = readFileSync(join(outDir, 'archive', sessionPage), 'utf8');
    expect(page).toContain(ARXIV['2408.03314']!.title);
    expect(page).toContain('Is the AI Scientist multimodal');
    expect(page).toContain('an anonymous member');
  }, 120_000);

  it('GIVEN a scenario with a bad step THEN the error names the step and the field', async () => {
    const scenario = JSON.parse(readFileSync(SEED, 'utf8')) as { steps: Array<Record<string, unknown>> };
    scenario.steps[2]!.at = 'next tuesday';
    const path = join(mkdtempSync(join(tmpdir(), 'lectern-scenario-')), 'bad.json');
    writeFileSync(path, JSON.stringify(scenario));
    await expect(runDemo({ scenarioPath: path, outDir: tmpdir() })).rejects.toThrow(
      /bad\.json: step 3, field "at": must be an ISO date-time/,
    );
  });

  it('GIVEN a step by a member the scenario does not have THEN the error names the step and the member', async () => {
    const scenario = JSON.parse(readFileSync(SEED, 'utf8')) as { steps: Array<Record<string, unknown>> };
    scenario.steps[4]!.as = 'nobody';
    const path = join(mkdtempSync(join(tmpdir(), 'lectern-scenario-')), 'stranger.json');
    writeFileSync(path, JSON.stringify(scenario));
    await expect(runDemo({ scenarioPath: path, outDir: tmpdir() })).rejects.toThrow(
      /stranger\.json: step 5, field "as": no member "nobody"/,
    );
  });
});
