import { GatewayIntentBits, type APIMessage, type APIPoll, type APIUser } from 'discord-api-types/v10';
import type { Emulator } from './emulator.js';
import type { RestReply } from './rest.js';
import { snowflake } from './snowflake.js';
import type { WorldGuild } from './world.js';

/** How long after its end Discord takes to finalize a poll's counts (they are approximate until then). */
export const FINALIZE_DELAY_MS = 300;

interface PollBody {
  question: { text?: string };
  answers: Array<{ poll_media: { text?: string } }>;
  duration?: number;
  allow_multiselect?: boolean;
  layout_type?: number;
}

const fail = (status: number, code: number, message: string): RestReply => ({ status, body: { code, message } });

/**
 * Discord's polls: members vote (the bot cannot), counts stay approximate until the poll is finalized after its end,
 * voters are read by answer in pages, a poll ends at its expiry or when its author expires it, and Discord then posts
 * a result message (type 46) in the channel.
 */
export class EmulatedPolls {
  /** Message id → answer id → user ids. */
  private readonly votes = new Map<string, Map<number, Set<string>>>();
  /** Message id → the counts the last read saw: what an open poll's results show next (Discord's are approximate). */
  private readonly lastRead = new Map<string, Map<number, number>>();
  /** Message ids of polls whose counts are final, and of those ended but not yet final. */
  private readonly finalized = new Set<string>();
  private readonly ending = new Set<string>();

  constructor(private readonly emu: Emulator) {}

  /** The message's `poll` from a create body (already checked against the schema and limits). */
  fromBody(body: PollBody): APIPoll {
    const hours = body.duration ?? 24;
    return {
      question: { text: String(body.question.text ?? '') },
      answers: body.answers.map((answer, i) => ({
        answer_id: i + 1,
        poll_media: { text: String(answer.poll_media.text ?? '') },
      })),
      expiry: new Date(this.emu.now() + hours * 3_600_000).toISOString(),
      allow_multiselect: body.allow_multiselect ?? false,
      layout_type: 1,
      results: { is_finalized: false, answer_counts: [] },
    } as APIPoll;
  }

  private message(channelId: string, messageId: string) {
    return this.emu.world.messages.get(channelId)?.get(messageId);
  }

  private isOpen(message: APIMessage) {
    return message.poll !== undefined && Date.parse(message.poll.expiry!) > this.emu.now();
  }

  private counts(messageId: string) {
    const counts = new Map<number, number>();
    for (const [answerId, users] of this.votes.get(messageId) ?? []) counts.set(answerId, users.size);
    return counts;
  }

  /** A member's vote: `answerIds` replaces whatever they had chosen (empty takes their vote back). */
  vote(guild: WorldGuild, userId: string, message: APIMessage, answerIds: number[]): void {
    const poll = message.poll;
    if (!poll) throw new Error('that message has no poll');
    if (this.emu.world.users.get(userId)?.bot) throw new Error('bots cannot vote in polls');
    if (!this.isOpen(message)) throw new Error('the poll has ended');
    if (answerIds.length > 1 && !poll.allow_multiselect) throw new Error('this poll takes one answer');
    if (answerIds.some((id) => !poll.answers.some((a) => a.answer_id === id))) throw new Error('no such answer');
    const byAnswer = this.votes.get(message.id) ?? new Map<number, Set<string>>();
    this.votes.set(message.id, byAnswer);
    const event = (name: string, answerId: number) =>
      this.emu.gateway.dispatch(
        guild.id,
        name,
        {
          user_id: userId,
          channel_id: message.channel_id,
          message_id: message.id,
          guild_id: guild.id,
          answer_id: answerId,
        },
        GatewayIntentBits.GuildMessagePolls,
      );
    for (const [answerId, users] of byAnswer)
      if (users.has(userId) && !answerIds.includes(answerId)) {
        users.delete(userId);
        event('MESSAGE_POLL_VOTE_REMOVE', answerId);
      }
    for (const answerId of answerIds) {
      const users = byAnswer.get(answerId) ?? new Set<string>();
      byAnswer.set(answerId, users);
      if (users.has(userId)) continue;
      users.add(userId);
      event('MESSAGE_POLL_VOTE_ADD', answerId);
    }
  }

  /** A read of the message: an open poll shows the counts of the read before this one; a finalized one, the truth. */
  refresh(message: APIMessage): APIMessage {
    if (!message.poll) return message;
    // Its time ran out: Discord ends it by itself (here, when it is next read).
    if (!this.isOpen(message)) this.end(message);
    const final = this.finalized.has(message.id);
    const shown = final ? this.counts(message.id) : (this.lastRead.get(message.id) ?? new Map<number, number>());
    this.lastRead.set(message.id, this.counts(message.id));
    message.poll.results = {
      is_finalized: final,
      answer_counts: [...shown].filter(([, count]) => count > 0).map(([id, count]) => ({ id, count, me_voted: false })),
    };
    return message;
  }

  /** `POST /channels/{c}/polls/{m}/expire`: only the poll's author may end it early. */
  expire(channelId: string, messageId: string): RestReply {
    const message = this.message(channelId, messageId);
    if (!message) return fail(404, 10008, 'Unknown Message');
    if (!message.poll) return fail(400, 520006, 'Cannot expire a non-poll message');
    if (message.author.id !== this.emu.world.bot.id) return fail(403, 50013, 'Missing Permissions');
    if (!this.isOpen(message)) return fail(400, 520001, 'Poll expired');
    this.end(message);
    return { status: 200, body: this.refresh(message) };
  }

  /** `GET /channels/{c}/polls/{m}/answers/{a}`: voters by id, `limit` 1–100 (default 25), after `after`. */
  voters(channelId: string, messageId: string, answerId: number, query: URLSearchParams): RestReply {
    const message = this.message(channelId, messageId);
    if (!message?.poll) return fail(404, 10008, 'Unknown Message');
    if (!message.poll.answers.some((a) => a.answer_id === answerId)) return fail(404, 10018, 'Unknown answer');
    const limit = Number(query.get('limit') ?? 25);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return { status: 400, problems: [{ path: 'limit', message: 'limit must be 1 to 100' }] };
    const after = BigInt(query.get('after') ?? 0);
    const users: APIUser[] = [...(this.votes.get(messageId)?.get(answerId) ?? [])]
      .filter((id) => BigInt(id) > after)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .slice(0, limit)
      .map((id) => this.emu.world.users.get(id)!);
    return { status: 200, body: { users } };
  }

  /** The poll ends (its time is up, or its author expired it): final counts a moment later, and the result message. */
  end(message: APIMessage): void {
    const poll = message.poll!;
    if (this.ending.has(message.id)) return;
    this.ending.add(message.id);
    poll.expiry = new Date(Math.min(Date.parse(poll.expiry!), this.emu.now())).toISOString();
    setTimeout(() => {
      this.finalized.add(message.id);
      const counts = this.counts(message.id);
      const ranked = poll.answers
        .map((a) => ({ answer: a, count: counts.get(a.answer_id) ?? 0 }))
        .sort((a, b) => b.count - a.count);
      const winner = ranked[0]!;
      const total = ranked.reduce((sum, r) => sum + r.count, 0);
      const guildId = this.emu.world.channels.get(message.channel_id)?.guildId ?? null;
      // Discord's own message, not the bot's: kept out of the bot's recorded posts.
      const result = {
        id: snowflake(),
        channel_id: message.channel_id,
        guild_id: guildId,
        author: message.author,
        type: 46,
        content: '',
        embeds: [
          {
            type: 'poll_result',
            fields: [
              { name: 'poll_question_text', value: poll.question.text ?? '' },
              { name: 'victor_answer_votes', value: String(winner.count) },
              { name: 'total_votes', value: String(total) },
              { name: 'victor_answer_id', value: String(winner.answer.answer_id) },
              { name: 'victor_answer_text', value: winner.answer.poll_media.text ?? '' },
            ],
          },
        ],
        components: [],
        attachments: [],
        mentions: [],
        mention_roles: [],
        mention_everyone: false,
        pinned: false,
        tts: false,
        flags: 0,
        timestamp: new Date(this.emu.now()).toISOString(),
        edited_timestamp: null,
        message_reference: { type: 0, message_id: message.id, channel_id: message.channel_id },
      } as unknown as APIMessage;
      this.emu.world.messages.get(message.channel_id)?.set(result.id, result);
      this.emu.gateway.dispatch(guildId, 'MESSAGE_CREATE', result, GatewayIntentBits.GuildMessages);
    }, FINALIZE_DELAY_MS).unref();
  }

  /** Every vote a message's poll holds, for assertions. */
  tally(messageId: string): Map<number, number> {
    return this.counts(messageId);
  }
}
