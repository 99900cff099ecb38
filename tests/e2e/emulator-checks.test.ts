import { DiscordAPIError, REST } from 'discord.js';
import { Routes } from 'discord-api-types/v10';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emulator } from '../emulator/emulator.js';
import { paperClub } from '../support/guild.js';

/** The emulator's checks must bite, or every "no violations" assertion elsewhere means nothing. */
describe('GIVEN the emulator WHEN discord.js sends a body Discord would refuse', () => {
  let emu: Emulator;
  let rest: REST;
  let channel: string;
  beforeAll(async () => {
    emu = await new Emulator().start();
    channel = emu.world.channelByName(paperClub(emu), 'general').id;
    rest = new REST({ api: emu.apiUrl, retries: 0 }).setToken(emu.token);
  });
  afterAll(() => emu.stop());

  const post = (body: unknown) => rest.post(Routes.channelMessages(channel), { body });
  async function refusal(body: unknown): Promise<DiscordAPIError> {
    const error = await post(body).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DiscordAPIError);
    return error as DiscordAPIError;
  }

  it('THEN a valid message is accepted and stored', async () => {
    const message = (await post({
      content: 'hello',
      embeds: [{ title: 't', description: 'd' }],
      allowed_mentions: { parse: [] },
    })) as { id: string };
    expect(emu.messagesIn(channel).map((m) => m.id)).toContain(message.id);
  });

  it.each([
    ['a 2001-character content', { content: 'x'.repeat(2001) }, 'content'],
    [
      'embeds over 6000 characters together',
      { embeds: [{ description: 'a'.repeat(3500) }, { description: 'b'.repeat(2600) }] },
      'embeds',
    ],
    ['an embed title of 257 characters', { embeds: [{ title: 't'.repeat(257) }] }, 'embeds.0.title'],
    [
      '26 embed fields',
      { embeds: [{ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }] },
      'embeds.0.fields',
    ],
    ['11 embeds', { embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, 'embeds'],
    ['an unknown component type', { components: [{ type: 99, components: [] }] }, 'components.0'],
    ['a field of the wrong type', { content: 12345 }, 'content'],
    ['a typo for embeds', { embed: { title: 'x' } }, 'embed'],
    [
      'a 101-character custom_id',
      { components: [{ type: 1, components: [{ type: 2, style: 1, label: 'x', custom_id: 'c'.repeat(101) }] }] },
      'components.0.components.0.custom_id',
    ],
    [
      'six buttons in a row',
      {
        components: [
          {
            type: 1,
            components: Array.from({ length: 6 }, (_, i) => ({ type: 2, style: 1, label: 'x', custom_id: `b${i}` })),
          },
        ],
      },
      'components.0',
    ],
  ])('THEN %s is refused with 400 / 50035 and recorded', async (_what, body, path) => {
    const before = emu.violations.length;
    const error = await refusal(body);
    expect(error.status).toBe(400);
    expect(error.code).toBe(50035);
    const recorded = emu.violations.slice(before);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.problems.map((p) => p.path)).toContain(path);
  });

  it('THEN a request with another token is refused with 401', async () => {
    const stranger = new REST({ api: emu.apiUrl, retries: 0 }).setToken('not-the-token');
    await expect(stranger.post(Routes.channelMessages(channel), { body: { content: 'x' } })).rejects.toMatchObject({
      status: 401,
    });
  });
});
