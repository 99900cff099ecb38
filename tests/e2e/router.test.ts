import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotProcess } from '../support/bot-process.js';
import { botEnv, startHarness, type Harness } from '../support/harness.js';
import { as } from '../support/as.js';

describe('GIVEN the bot is running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it.each(['setup:nothing', 'unknown:button:1', 'x'])(
    'WHEN a member presses a button with the stale custom_id %j THEN an ephemeral explanation',
    async (customId) => {
      const message = h.emu.memberMessage(h.guild, 'Charlie', 'general', 'hello');
      const answer = await h.emu.button(as(h, 'Charlie'), message, customId).answer();
      expect(answer.ephemeral).toBe(true);
      expect(answer.content).toBe('That button is no longer in use. Run the command again.');
      expect(h.emu.violations).toEqual([]);
    },
  );

  it('WHEN npm run deploy-commands runs THEN the commands are registered again even though nothing changed', async () => {
    const puts = () => h.emu.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/commands')).length;
    const before = puts();
    const deploy = new BotProcess(botEnv(h.emu, h.config.REDIS_URL), 'src/deploy-commands.ts');
    expect((await deploy.exited).code).toBe(0);
    expect(puts()).toBe(before + 1);
    expect(h.emu.violations).toEqual([]);
  });
});
