import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/bot-process.js';
import { startHarness, type Harness } from '../support/harness.js';
import { as } from '../support/as.js';
import { PrivateRedis } from '../support/redis-server.js';

describe('GIVEN the bot is running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('WHEN the gateway socket drops and an interaction arrives meanwhile THEN the bot resumes and answers it', async () => {
    h.emu.dropGateway();
    const pending = h.emu.command(as(h, 'Charlie'), 'ping');
    expect((await pending.answer(5_000)).content).toBe('Pong.');
    expect(h.emu.requests.filter((r) => r.path.includes(`/interactions/${pending.id}/`))).toHaveLength(1);
  });

  it('WHEN the emulator restarts on the same port THEN the bot identifies again and answers the next interaction', async () => {
    await h.emu.restart();
    await until(() => h.emu.gateway.connectedShards === 1 && h.bot.client!.ws.status === 0, 15_000, 're-identify');
    expect((await h.emu.command(as(h, 'Charlie'), 'ping').answer()).content).toBe('Pong.');
  });

  it('WHEN Discord answers 500 twice THEN the reply is retried and delivered once', async () => {
    h.emu.fault({ method: 'POST', path: /\/callback$/, status: 500, times: 2 });
    const record = h.emu.command(as(h, 'Charlie'), 'ping');
    expect((await record.answer()).content).toBe('Pong.');
    const calls = h.emu.requests.filter((r) => r.path.includes(`/interactions/${record.id}/`));
    expect(calls.map((r) => r.status)).toEqual([500, 500, 204]);
  });

  it('WHEN Discord answers 429 with retry_after THEN the bot waits and delivers once', async () => {
    h.emu.fault({ method: 'POST', path: /\/callback$/, status: 429, retryAfter: 0.3, times: 1 });
    const record = h.emu.command(as(h, 'Charlie'), 'ping');
    expect((await record.answer()).content).toBe('Pong.');
    expect(record.roundTripMs).toBeGreaterThanOrEqual(300);
    expect(h.emu.requests.filter((r) => r.path.includes(`/interactions/${record.id}/`)).map((r) => r.status)).toEqual([
      429, 204,
    ]);
  });
});

describe('GIVEN Redis stalls for 2.6 s', () => {
  let redis: PrivateRedis;
  let h: Harness;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    h = await startHarness({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await h.stop();
    await redis.stop();
  });

  it("WHEN a command arrives THEN the bot defers within Discord's 3 s and answers when Redis is back", async () => {
    const staller = new Redis(redis.url);
    // CLIENT PAUSE answers at once and holds every later command for 2.6 s: the stall has begun once it answers.
    expect(await staller.call('CLIENT', 'PAUSE', '2600', 'ALL')).toBe('OK');
    const record = h.emu.command(as(h, 'Charlie'), 'ping');
    const answer = await record.answer(8_000);
    expect(record.callback?.type).toBe(5);
    expect(record.roundTripMs).toBeLessThan(3_000);
    expect(answer.content).toBe('Pong.');
    expect(answer.ephemeral).toBe(true);
    staller.disconnect();
    expect(h.emu.violations).toEqual([]);
  });
});

describe('GIVEN Redis goes away while the bot runs', () => {
  let redis: PrivateRedis;
  let h: Harness;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    h = await startHarness({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await h.stop();
    await redis.stop();
  });

  it('WHEN a command arrives THEN the member gets an ephemeral answer with an error id, never silence', async () => {
    await redis.stop();
    const answer = await h.emu.command(as(h, 'Tanishq'), 'setup', 'show').answer();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toMatch(/^Something went wrong on my side\. .*error id: `[0-9a-f]{8}`\.$/);
    expect(answer.content).not.toMatch(/Error|at .*\.ts/);
  });
});
