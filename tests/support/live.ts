import type { APIMessage } from 'discord-api-types/v10';
import { as } from './as.js';
import { until } from './bot-process.js';
import type { Harness } from './harness.js';
import { configureSeedGuild } from './setup-guild.js';

/** The seed guild set up, two papers queued, a session live with the first paper on, and its board up. */
export async function liveSession(h: Harness): Promise<{ board: () => APIMessage; sessionId: string }> {
  await configureSeedGuild(h);
  for (const url of ['https://example.org/paper-one', 'https://example.org/paper-two']) {
    await h.emu.command(as(h, 'Aran'), 'paper', 'add', { url, presenter: 'Charlie' }).answer();
  }
  await h.emu.command(as(h, 'Tanishq'), 'session', 'start').answer();
  await h.emu.command(as(h, 'Tanishq'), 'paper', 'next').answer();
  const announce = h.emu.world.channelByName(h.guild, 'announcements').id;
  const board = () =>
    h.emu.messagesIn(announce).find((m) => ['Live now', 'Session ended'].includes(m.embeds[0]?.title ?? ''))!;
  await until(
    () => board() !== undefined && h.emu.world.channels.has(board().id),
    10_000,
    'the live board and its thread',
  );
  const session = await h.bot.internals.sessions.current(h.guild.id);
  return { board, sessionId: session!.id };
}

/** The card of the question whose text contains `text`, once it is in the thread. */
export async function questionCard(h: Harness, threadId: string, text: string): Promise<APIMessage> {
  let card: APIMessage | undefined;
  await until(
    () =>
      (card = h.emu.messagesIn(threadId).find((m) => m.embeds.some((e) => e.description?.includes(text)))) !==
      undefined,
    10_000,
    `card for "${text}"`,
  );
  return card!;
}

/** The custom id of a message's button: `index` in action row `row`. */
export const customIdOf = (message: APIMessage, index = 0, row = 0): string =>
  (message.components![row] as { components: Array<{ custom_id: string }> }).components[index]!.custom_id;
