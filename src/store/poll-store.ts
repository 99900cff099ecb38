import { z } from 'zod';
import type { PollRecord } from '../domain/papers/poll.js';
import { keys } from './keys.js';
import type { RedisClient } from './redis.js';
import { runScript } from './scripts.js';

const StoredPoll = z.object({
  id: z.string(),
  channelId: z.string(),
  hours: z.number(),
  closesAt: z.number(),
  paperIds: z.array(z.string()),
  answers: z.array(z.string()),
  leftOff: z.array(z.string()),
});

/** A server's open poll: at most one, kept until its results are applied (a hash: id, record, messageId). */
export class PollStore {
  constructor(private readonly redis: RedisClient) {}

  async get(guildId: string): Promise<PollRecord | undefined> {
    const [record, messageId] = await this.redis.hmget(keys.paperPoll(guildId), 'record', 'messageId');
    if (!record) return undefined;
    return { ...StoredPoll.parse(JSON.parse(record)), ...(messageId && { messageId }) };
  }

  /** `opened` false: another poll is open (returned); the same poll again (a rerun) counts as opened. */
  async open(guildId: string, poll: PollRecord): Promise<{ opened: boolean; poll: PollRecord }> {
    const { messageId: _posted, ...record } = poll;
    const { opened } = await runScript(
      this.redis,
      'papers/poll-open',
      [keys.paperPoll(guildId)],
      [poll.id, JSON.stringify(record)],
      z.object({ opened: z.boolean() }),
    );
    const stored = opened ? undefined : await this.get(guildId);
    return { opened, poll: stored ?? poll };
  }

  async setMessage(guildId: string, id: string, messageId: string) {
    await runScript(
      this.redis,
      'papers/poll-set',
      [keys.paperPoll(guildId)],
      [id, messageId],
      z.object({ set: z.boolean() }),
    );
  }

  async clear(guildId: string, id: string) {
    const { cleared } = await runScript(
      this.redis,
      'papers/poll-clear',
      [keys.paperPoll(guildId)],
      [id],
      z.object({ cleared: z.boolean() }),
    );
    return cleared;
  }
}
