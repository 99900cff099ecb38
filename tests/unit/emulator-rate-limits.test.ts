import { REST } from '@discordjs/rest';
import { ChannelType, PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { Emulator, type EmulatorOptions } from '../emulator/emulator.js';
import { DISCORD_RATE_LIMITS, routeOf } from '../emulator/rate-limits.js';
import type { WorldGuild } from '../emulator/world.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

interface Setup {
  emu: Emulator;
  guild: WorldGuild;
  other: WorldGuild;
  general: string;
  recaps: string;
  stage: string;
}

/** An emulator with limits on (overridden as given) and two guilds the bot may manage. */
async function start(options: EmulatorOptions = {}): Promise<Setup> {
  emu = await new Emulator({ rateLimits: true, ...options }).start();
  const spec = (name: string) => ({
    name,
    botPermissions:
      PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages | PermissionFlagsBits.ManageChannels,
    channels: [
      { name: 'general', type: ChannelType.GuildText },
      { name: 'recaps', type: ChannelType.GuildText },
      { name: 'stage', type: ChannelType.GuildStageVoice },
    ],
    members: [{ name: 'Charlie' }],
  });
  const guild = emu.world.createGuild(spec('one'));
  const other = emu.world.createGuild(spec('two'));
  const id = (name: string) => emu!.world.channelByName(guild, name).id;
  return { emu, guild, other, general: id('general'), recaps: id('recaps'), stage: id('stage') };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

/** One request to the emulator's HTTP API, as a bot (or, with `auth: false`, as anyone). */
async function call(method: string, path: string, body?: unknown, auth: string | false = `Bot ${emu!.token}`) {
  const res = await fetch(`${emu!.apiUrl}/v10${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined } as Answer;
}

const post = (channel: string, content = 'hi') => call('POST', `/channels/${channel}/messages`, { content });
const header = (a: Answer, name: string) => a.headers.get(name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers /ping and runs it as a member: the interaction's id and token. */
async function interaction(s: Setup) {
  await call('PUT', `/applications/${s.emu.applicationId}/guilds/${s.guild.id}/commands`, [
    { name: 'ping', description: 'Ping', type: 1 },
  ]);
  return s.emu.command({ guild: s.guild, user: 'Charlie' }, 'ping');
}

describe('GIVEN the route templates Discord buckets by', () => {
  it('THEN channel, guild and webhook id + token are the top-level resources, other ids are generic', () => {
    expect(routeOf('PATCH', '/channels/123456789012345678/messages/223456789012345678')).toEqual({
      route: 'PATCH /channels/{channel_id}/messages/{id}',
      major: '123456789012345678',
    });
    expect(routeOf('POST', '/guilds/123456789012345678/scheduled-events').major).toBe('123456789012345678');
    expect(routeOf('POST', '/webhooks/123456789012345678/tok_1')).toEqual({
      route: 'POST /webhooks/{webhook_id}/{token}',
      major: '123456789012345678/tok_1',
    });
    expect(routeOf('PUT', '/channels/123456789012345678/messages/223456789012345678/reactions/👍/@me').route).toBe(
      'PUT /channels/{channel_id}/messages/{id}/reactions/{emoji}/@me',
    );
    expect(routeOf('GET', '/users/@me')).toEqual({ route: 'GET /users/@me', major: 'global' });
  });
});

describe('GIVEN limits on WHEN the bot calls any route', () => {
  it('THEN every answer (2xx, 204, 400, 401, 403, 404, callback, webhook) carries the five headers', async () => {
    const s = await start();
    const record = await interaction(s);
    const closed = s.emu.world.channelByName(s.guild, 'recaps');
    closed.overwrites = [{ id: s.guild.id, type: 0, allow: 0n, deny: PermissionFlagsBits.SendMessages }];
    const answers = [
      await call('GET', '/users/@me'),
      await post(s.general),
      await call('POST', `/channels/${s.general}/messages`, { content: 'x'.repeat(2001) }),
      await call('GET', '/users/@me', undefined, 'Bot wrong'),
      await call('PATCH', `/channels/${s.general}`, { nsfw: false }),
      await call('GET', '/no/such/route'),
      await call('POST', `/interactions/${record.id}/${record.token}/callback`, { type: 4, data: { content: 'pong' } }),
      await call('POST', `/webhooks/${s.emu.applicationId}/${record.token}`, { content: 'more' }, false),
      await call('DELETE', `/channels/${s.general}/messages/pins/123456789012345678`),
      await post(closed.id),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 400, 401, 200, 404, 204, 200, 404, 403]);
    for (const a of answers) {
      expect(Number(header(a, 'x-ratelimit-limit'))).toBeGreaterThan(0);
      expect(Number(header(a, 'x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(header(a, 'x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
      const resetAfter = Number(header(a, 'x-ratelimit-reset-after'));
      expect(resetAfter).toBeGreaterThan(0);
      // Reset is Discord's epoch seconds with decimals, Reset-After from now.
      expect(Number(header(a, 'x-ratelimit-reset'))).toBeCloseTo(Date.now() / 1000 + resetAfter, 0);
      expect(header(a, 'x-ratelimit-scope')).toBeNull();
    }
    expect(s.emu.rateLimited).toEqual([]);
  });

  it('THEN with limits off no header is sent and nothing is refused', async () => {
    emu = await new Emulator({ rateLimits: false }).start();
    const guild = emu.world.createGuild({ name: 'g', channels: [{ name: 'general', type: ChannelType.GuildText }] });
    const channel = emu.world.channelByName(guild, 'general').id;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(channel)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.some((a) => a.headers.has('x-ratelimit-bucket'))).toBe(false);
    expect(emu.limiter).toBeUndefined();
  });
});

describe('GIVEN the message bucket (5 per 5 s per channel)', () => {
  it('THEN the sixth post in a channel is refused 429 with scope user, while another channel is unaffected', async () => {
    const s = await start();
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await post(s.general));
    expect(first.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(first.map((a) => header(a, 'x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0']);
    expect(first.map((a) => header(a, 'x-ratelimit-limit'))).toEqual(Array(5).fill('5'));

    const refused = await post(s.general);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      message: 'You are being rate limited.',
      retry_after: expect.any(Number),
      global: false,
    });
    const retryAfter = refused.body!.retry_after as number;
    expect(retryAfter).toBeGreaterThan(4);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(header(refused, 'retry-after')).toBe(String(Math.ceil(retryAfter)));
    expect(header(refused, 'x-ratelimit-scope')).toBe('user');
    expect(header(refused, 'x-ratelimit-global')).toBeNull();
    expect(header(refused, 'x-ratelimit-remaining')).toBe('0');

    const elsewhere = await post(s.recaps);
    expect(elsewhere.status).toBe(200);
    expect(header(elsewhere, 'x-ratelimit-remaining')).toBe('4');
    // Discord's bucket hash names the route, not the channel.
    expect(header(elsewhere, 'x-ratelimit-bucket')).toBe(header(refused, 'x-ratelimit-bucket'));
    expect(s.emu.messagesIn(s.general)).toHaveLength(5);
  });

  it('THEN the provoked 429 is recorded with its route and bucket, as a violation too', async () => {
    const s = await start({ rateLimits: { messageCreate: { limit: 1 } } });
    const ok = await post(s.general);
    await post(s.general);
    expect(s.emu.rateLimited).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/channels/${s.general}/messages`,
        route: 'POST /channels/{channel_id}/messages',
        bucket: header(ok, 'x-ratelimit-bucket'),
        rule: 'messageCreate',
        kind: 'bucket',
        scope: 'user',
      }),
    ]);
    expect(s.emu.violations).toHaveLength(1);
    expect(s.emu.violations[0]!.problems[0]!.message).toContain('messageCreate');
  });

  it('THEN the bucket refills when its window ends, and the repeated request is counted as a retry', async () => {
    const s = await start({ rateLimits: { messageCreate: { limit: 2, windowMs: 300 } } });
    await post(s.general, 'a');
    await post(s.general, 'b');
    const refused = await post(s.general, 'c');
    expect(refused.status).toBe(429);
    await sleep(Number(header(refused, 'x-ratelimit-reset-after')) * 1000 + 20);
    const again = await post(s.general, 'c');
    expect(again.status).toBe(200);
    expect(header(again, 'x-ratelimit-remaining')).toBe('1');
    expect(s.emu.rateLimitRetries).toEqual([
      { method: 'POST', path: `/channels/${s.general}/messages`, waitedMs: expect.any(Number) },
    ]);
    expect(s.emu.rateLimitRetries[0]!.waitedMs).toBeGreaterThanOrEqual(250);
  });

  it('THEN an edit has a bucket of its own, also per channel', async () => {
    const s = await start({ rateLimits: { messageCreate: { limit: 1 }, messageEdit: { limit: 1 } } });
    const message = (await post(s.general)).body!.id as string;
    const edit = () => call('PATCH', `/channels/${s.general}/messages/${message}`, { content: 'edited' });
    expect((await edit()).status).toBe(200);
    expect((await edit()).status).toBe(429);
    expect(s.emu.rateLimited.map((h) => h.rule)).toEqual(['messageEdit']);
  });
});

describe('GIVEN the global limit (50 requests/s per bot)', () => {
  it('THEN the 51st request in a second is refused with scope global, X-RateLimit-Global and global: true', async () => {
    const s = await start();
    // 50 reads of distinct channels' buckets: only the global limit binds.
    const channels = [...s.guild.channels.keys(), ...s.other.channels.keys()];
    const reads = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('GET', `/channels/${channels[i % channels.length]}`)),
    );
    expect(reads.every((a) => a.status === 200)).toBe(true);
    const refused = await call('GET', '/users/@me');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ global: true });
    expect(header(refused, 'x-ratelimit-scope')).toBe('global');
    expect(header(refused, 'x-ratelimit-global')).toBe('true');
    expect(s.emu.rateLimited.map((h) => [h.kind, h.rule])).toEqual([['global', 'global']]);
  });

  it('THEN interaction callbacks and interaction-token webhooks are exempt', async () => {
    const s = await start({ rateLimits: { global: { limit: 3 } } });
    const record = await interaction(s); // the command registration is one request
    await call('GET', '/users/@me');
    await call('GET', '/users/@me');
    expect((await call('GET', '/users/@me')).status).toBe(429);
    const callback = await call('POST', `/interactions/${record.id}/${record.token}/callback`, {
      type: 4,
      data: { content: 'pong' },
    });
    expect(callback.status).toBe(204);
    const followUp = await call('POST', `/webhooks/${s.emu.applicationId}/${record.token}`, { content: 'more' }, false);
    expect(followUp.status).toBe(200);
    expect(s.emu.rateLimited.map((h) => h.rule)).toEqual(['global']);
  });
});

describe('GIVEN interaction follow-ups (5 per 2 s per webhook + token)', () => {
  it('THEN the sixth follow-up of one interaction is refused while another interaction posts', async () => {
    const s = await start();
    const one = await interaction(s);
    const two = s.emu.command({ guild: s.guild, user: 'Charlie' }, 'ping');
    for (const r of [one, two])
      await call('POST', `/interactions/${r.id}/${r.token}/callback`, { type: 4, data: { content: 'pong' } });
    const followUp = (token: string) =>
      call('POST', `/webhooks/${s.emu.applicationId}/${token}`, { content: 'more' }, false);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await followUp(one.token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await followUp(two.token)).status).toBe(200);
    expect(s.emu.rateLimited).toEqual([
      expect.objectContaining({ rule: 'interactionFollowUp', route: 'POST /webhooks/{webhook_id}/{token}' }),
    ]);
  });
});

describe('GIVEN channel name/topic edits (2 per 10 minutes per channel, a hidden sublimit)', () => {
  it('THEN the third rename is refused for ~10 minutes while other edits and other channels go through', async () => {
    const s = await start();
    const rename = (channel: string, name: string) => call('PATCH', `/channels/${channel}`, { name });
    expect((await rename(s.general, 'a')).status).toBe(200);
    expect((await rename(s.general, 'b')).status).toBe(200);
    const refused = await call('PATCH', `/channels/${s.general}`, { topic: 'c' });
    expect(refused.status).toBe(429);
    expect(refused.body!.retry_after).toBeGreaterThan(590);
    expect(header(refused, 'x-ratelimit-scope')).toBe('user');
    // The headers show the route's visible bucket, which has room: discord.js only learns from the 429.
    expect(Number(header(refused, 'x-ratelimit-remaining'))).toBeGreaterThan(0);
    expect((await call('PATCH', `/channels/${s.general}`, { nsfw: false })).status).toBe(200);
    expect((await rename(s.recaps, 'd')).status).toBe(200);
    expect(s.emu.world.channels.get(s.general)!.name).toBe('b');
    expect(s.emu.rateLimited.map((h) => [h.rule, h.kind])).toEqual([['channelNameOrTopic', 'sublimit']]);
  });

  it("THEN moving the emulator's clock ten minutes on refills it, as Discord's clock moved", async () => {
    let offset = 0;
    const s = await start({ now: () => Date.now() + offset });
    for (const name of ['a', 'b']) await call('PATCH', `/channels/${s.general}`, { name });
    expect((await call('PATCH', `/channels/${s.general}`, { name: 'c' })).status).toBe(429);
    offset += 10 * 60_000;
    expect((await call('PATCH', `/channels/${s.general}`, { name: 'c' })).status).toBe(200);
  });

  it('THEN a frozen emulator clock still lets buckets refill in real time', async () => {
    const frozen = Date.parse('2024-08-14T19:00:00Z');
    const s = await start({ now: () => frozen, rateLimits: { messageCreate: { limit: 1, windowMs: 200 } } });
    await post(s.general);
    const refused = await post(s.general);
    expect(refused.status).toBe(429);
    expect(Number(header(refused, 'x-ratelimit-reset'))).toBeCloseTo(
      frozen / 1000 + Number(refused.body!.retry_after),
      2,
    );
    await sleep(250);
    expect((await post(s.general)).status).toBe(200);
  });
});

describe('GIVEN reactions (1 per 0.25 s per channel)', () => {
  it('THEN a second reaction within 0.25 s is refused, one after it is not', async () => {
    const s = await start();
    const message = (await post(s.general)).body!.id as string;
    const react = () => call('PUT', `/channels/${s.general}/messages/${message}/reactions/%F0%9F%91%8D/@me`);
    expect((await react()).status).not.toBe(429);
    const refused = await react();
    expect(refused.status).toBe(429);
    expect(refused.body!.retry_after).toBeLessThanOrEqual(0.25);
    await sleep(260);
    expect((await react()).status).not.toBe(429);
    expect(s.emu.rateLimited.map((h) => h.rule)).toEqual(['reactions']);
  });
});

describe('GIVEN scheduled events and Stage instances', () => {
  it('THEN scheduled-event writes are counted per guild', async () => {
    const s = await start({ rateLimits: { scheduledEventWrite: { limit: 2 } } });
    const remove = (guild: WorldGuild) => call('DELETE', `/guilds/${guild.id}/scheduled-events/123456789012345678`);
    const statuses = [await remove(s.guild), await remove(s.guild), await remove(s.guild), await remove(s.other)];
    expect(statuses.map((a) => a.status)).toEqual([404, 404, 429, 404]);
  });

  it('THEN a Stage topic is held to 2 edits per 10 minutes per Stage, opening it is not', async () => {
    const s = await start();
    const open = await call('POST', '/stage-instances', { channel_id: s.stage, topic: 'Paper 1' });
    expect(open.status).toBe(200);
    const topic = (t: string) => call('PATCH', `/stage-instances/${s.stage}`, { topic: t });
    expect([(await topic('Paper 2')).status, (await topic('Paper 3')).status, (await topic('Paper 4')).status]).toEqual(
      [200, 200, 429],
    );
    expect(s.emu.rateLimited.map((h) => h.rule)).toEqual(['stageTopic']);
  });
});

describe('GIVEN the invalid-request limit (10,000 401/403/429 in 10 minutes)', () => {
  const limits = { invalidRequests: { limit: 5, windowMs: 60_000 } };

  it('THEN at the limit every request is refused until the window ends, then served again', async () => {
    let offset = 0;
    const s = await start({ now: () => Date.now() + offset, rateLimits: limits });
    const record = await interaction(s);
    for (let i = 0; i < 5; i++) expect((await call('GET', '/users/@me', undefined, 'Bot wrong')).status).toBe(401);
    expect(s.emu.limiter!.invalidCount).toBe(5);
    const banned = await call('GET', '/users/@me');
    expect(banned.status).toBe(429);
    expect(header(banned, 'x-ratelimit-scope')).toBe('global');
    expect(Number(header(banned, 'retry-after'))).toBeGreaterThan(55);
    const callback = await call('POST', `/interactions/${record.id}/${record.token}/callback`, { type: 5 });
    expect(callback.status).toBe(429);
    expect(s.emu.rateLimited.every((h) => h.kind === 'ban')).toBe(true);
    offset += 60_000;
    expect((await call('GET', '/users/@me')).status).toBe(200);
  });

  it('THEN 403s and user-scope 429s count, shared-scope 429s do not', async () => {
    const s = await start({ rateLimits: { ...limits, messageCreate: { limit: 1, scope: 'shared' } } });
    await post(s.general);
    for (let i = 0; i < 6; i++) {
      const refused = await post(s.general);
      expect(header(refused, 'x-ratelimit-scope')).toBe('shared');
    }
    expect(s.emu.limiter!.invalidCount).toBe(0);
    expect((await call('GET', '/users/@me')).status).toBe(200);
    const closed = s.emu.world.channelByName(s.guild, 'recaps');
    closed.overwrites = [{ id: s.guild.id, type: 0, allow: 0n, deny: PermissionFlagsBits.SendMessages }];
    expect((await post(closed.id)).status).toBe(403);
    expect((await call('PATCH', `/channels/${s.recaps}`, { name: 'x' })).status).toBe(200);
    expect(s.emu.limiter!.invalidCount).toBe(1);
  });
});

describe('GIVEN the real discord.js REST client (@discordjs/rest)', () => {
  it('THEN it reads the headers and queues: a burst over the bucket waits, and nothing is refused', async () => {
    const s = await start({ rateLimits: { messageCreate: { limit: 2, windowMs: 1_000 } } });
    const rest = new REST({ api: s.emu.apiUrl }).setToken(s.emu.token);
    const began = Date.now();
    const sent = await Promise.all(
      Array.from({ length: 5 }, (_, i) => rest.post(Routes.channelMessages(s.general), { body: { content: `${i}` } })),
    );
    expect(sent).toHaveLength(5);
    expect(s.emu.messagesIn(s.general)).toHaveLength(5);
    // 5 posts at 2 per second: the third window opens two seconds after the first.
    expect(Date.now() - began).toBeGreaterThanOrEqual(2_000);
    expect(s.emu.rateLimited).toEqual([]);
  });

  it('THEN after a 429 it cannot predict (a hidden sublimit), it waits retry_after and retries instead of failing', async () => {
    const s = await start({ rateLimits: { channelNameOrTopic: { windowMs: 1_500 } } });
    const rest = new REST({ api: s.emu.apiUrl }).setToken(s.emu.token);
    for (const name of ['a', 'b', 'c']) await rest.patch(Routes.channel(s.general), { body: { name } });
    expect(s.emu.world.channels.get(s.general)!.name).toBe('c');
    expect(s.emu.rateLimited.map((h) => h.rule)).toEqual(['channelNameOrTopic']);
    expect(s.emu.rateLimitRetries).toEqual([expect.objectContaining({ method: 'PATCH' })]);
    expect(s.emu.rateLimitRetries[0]!.waitedMs).toBeGreaterThanOrEqual(1_000);
  });

  it("THEN with the tests' globalRequestsPerSecond of 10,000 a burst provokes global 429s, which it waits out", async () => {
    const s = await start({ rateLimits: { global: { limit: 10 } } });
    const rest = new REST({ api: s.emu.apiUrl, globalRequestsPerSecond: 10_000 }).setToken(s.emu.token);
    const channels = [...s.guild.channels.keys(), ...s.other.channels.keys()];
    const reads = await Promise.all(Array.from({ length: 30 }, (_, i) => rest.get(Routes.channel(channels[i % 6]!))));
    expect(reads).toHaveLength(30);
    expect(s.emu.rateLimited.length).toBeGreaterThan(0);
    expect(s.emu.rateLimited.every((h) => h.kind === 'global')).toBe(true);
  });

  it('THEN with its own global limit matching Discord it stays under it', async () => {
    const s = await start({ rateLimits: { global: { limit: 10 } } });
    const rest = new REST({ api: s.emu.apiUrl, globalRequestsPerSecond: 10 }).setToken(s.emu.token);
    const channels = [...s.guild.channels.keys(), ...s.other.channels.keys()];
    const reads = await Promise.all(Array.from({ length: 25 }, (_, i) => rest.get(Routes.channel(channels[i % 6]!))));
    expect(reads).toHaveLength(25);
    expect(s.emu.rateLimited).toEqual([]);
  });
});

describe('GIVEN the table', () => {
  it('THEN every entry says where its value comes from', () => {
    for (const [name, rule] of Object.entries(DISCORD_RATE_LIMITS))
      expect(rule.source, name).toMatch(/^(published|observed|assumption)/);
  });
});

describe('GIVEN an emulator started without limits', () => {
  it('WHEN enableRateLimits is called THEN from then on a sixth post in 5 s is refused, and before it none was', async () => {
    const s = await start({ rateLimits: false });
    const post = () => call('POST', Routes.channelMessages(s.general), { content: 'hi' });
    for (let i = 0; i < 8; i++) expect((await post()).status).toBe(200);
    expect(s.emu.rateLimited).toEqual([]);
    s.emu.enableRateLimits();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(s.emu.rateLimited).toHaveLength(1);
  });
});
