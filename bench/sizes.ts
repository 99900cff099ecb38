import type { APIMessage } from 'discord-api-types/v10';
import type { Redis } from 'ioredis';
import { MAX_QUEUE } from '../src/domain/papers/paper.js';
import { dedupKey, parsePaperRef } from '../src/domain/papers/paper-ref.js';
import { MAX_ANSWER } from '../src/domain/session/session.js';
import { newId } from '../src/store/ids.js';
import { PaperStore } from '../src/store/paper-store.js';
import { QuestionStore } from '../src/store/question-store.js';
import { SessionStore } from '../src/store/session-store.js';
import { SpeakerStore } from '../src/store/speaker-store.js';
import type { Emulator, Invoker } from '../tests/emulator/emulator.js';
import type { WorldGuild } from '../tests/emulator/world.js';
import { until } from '../tests/support/bot-process.js';

/**
 * How large a live session is when the bench times it. The large session has 100 queued papers, but
 * the queue is capped at MAX_QUEUE = 50 (src/domain/papers/paper.ts): the large one holds 49 (the timed
 * /paper add makes it 50, the cap) plus 50 covered papers in history from an earlier session.
 */
export interface SessionSize {
  name: 'small' | 'large';
  questions: number;
  /** Of `questions`, how many are answered (each answer MAX_ANSWER = 1,500 characters). */
  answered: number;
  /** Raised hands, each a member in the stage channel. */
  hands: number;
  queued: number;
  history: number;
}

export const SMALL: SessionSize = { name: 'small', questions: 10, answered: 5, hands: 3, queued: 5, history: 0 };
export const LARGE: SessionSize = {
  name: 'large',
  questions: 2_000,
  answered: 1_000,
  hands: 300,
  queued: MAX_QUEUE - 1,
  history: 50,
};

export const describeSize = (s: SessionSize) =>
  `${s.questions.toLocaleString('en-US')} questions (${s.answered.toLocaleString('en-US')} answered, 1,500-character ` +
  `answers), ${s.hands} raised hands in the stage channel, ${s.queued} queued papers (+1 while /paper add is timed)` +
  (s.history ? `, ${s.history} in history` : '');

/** One guild of the bench with its live session, as the timed cases need it. */
export interface BenchGuild {
  size: SessionSize;
  guild: WorldGuild;
  host: Invoker;
  sessionId: string;
  /** Members who ask, vote and add papers in turn (each stays within the per-member limits). */
  readers: string[];
  /** The raised hands in line order; /speakers next calls them round and round. */
  onStageChannel: string[];
  /** The card every upvote presses, and its button. */
  card: APIMessage;
  upvoteId: string;
  /** A queued paper whose Vote button the paper votes press. */
  votePaperId: string;
  board: { channelId: string; messageId: string };
  /** Turns taken so far, per kind of turn. */
  turns: { added: number; asked: number; voted: number; called: number; typed: number };
}

export interface Stores {
  sessions: SessionStore;
  papers: PaperStore;
  questions: QuestionStore;
  speakers: SpeakerStore;
}

export const storesOn = (redis: Redis): Stores => ({
  sessions: new SessionStore(redis),
  papers: new PaperStore(redis),
  questions: new QuestionStore(redis),
  speakers: new SpeakerStore(redis),
});

const TOPICS = [
  'attention sinks',
  'the ablation in table 3',
  'the tokenizer',
  'scaling laws',
  'the reward model',
  'sparse experts',
  'the KV cache',
  'distillation',
  'the eval contamination check',
  'long-context retrieval',
];
const OPENINGS = ['How does', 'Why does', 'Could you explain how', 'What happens when', 'Is it fair to say'];

/** A question as members write them: varied words, 80 to 140 characters. */
export const questionText = (i: number) =>
  `${OPENINGS[i % OPENINGS.length]} ${TOPICS[(i * 7) % TOPICS.length]} change the result in section ${1 + (i % 9)}` +
  ` compared with the baseline run? (#${i})`;

const ANSWER = 'The authors address this in the appendix: the effect holds across seeds and model sizes. '
  .repeat(20)
  .slice(0, MAX_ANSWER);

/** What members type into `/question answer question:` while autocomplete answers: from nothing to a phrase. */
export const TYPED = ['', 'sca', 'why does', 'the kv cache', 'section 4', 'zzz'];

async function inBatches<T>(items: T[], size: number, each: (item: T, index: number) => Promise<unknown>) {
  for (let start = 0; start < items.length; start += size)
    await Promise.all(items.slice(start, start + size).map((item, i) => each(item, start + i)));
}

function seededPaper(i: number, hostId: string, at: number) {
  const ref = parsePaperRef(`2402.${String(20000 + i)}`);
  return {
    id: newId(),
    ref,
    dedupKey: dedupKey(ref),
    metadataStatus: 'ready' as const,
    title: `Seeded paper ${i}: ${TOPICS[i % TOPICS.length]} revisited`,
    authors: ['A. Author', 'B. Author', 'C. Author'],
    abstract: 'We study what happens at scale. '.repeat(30),
    suggestedById: hostId,
    addedAt: at,
  };
}

/**
 * Sets a guild up through its commands (channels, roles, /session start, /paper next, one real /ask whose
 * card the upvotes press), and seeds the rest of its size straight through the stores: what 2,000 slash
 * commands would leave behind, without the minutes they take. Seeded questions are marked as carded (their
 * cards are not what is timed) so the bot does not post 2,000 cards during the run.
 */
export async function prepareGuild(
  emu: Emulator,
  stores: Stores,
  guild: WorldGuild,
  size: SessionSize,
  readers: string[],
): Promise<BenchGuild> {
  const { sessions, papers, questions, speakers } = stores;
  const host: Invoker = { guild, user: 'Tanishq', channel: 'general' };
  const hostId = emu.world.memberByName(guild, 'Tanishq').user.id;
  await emu
    .command(host, 'setup', 'channels', { announce: '#announcements', recap: '#recaps', stage: '#paper-stage' })
    .answer();
  await emu.command(host, 'setup', 'roles', { host: '@hosts', ping: '@paper-club' }).answer();

  // History: an earlier session covered `history` papers (each made current in turn, all covered at its end).
  const weekAgo = Date.now() - 7 * 24 * 3_600_000;
  if (size.history > 0) {
    const earlier = await sessions.start(guild.id, hostId, weekAgo);
    for (let i = 0; i < size.history; i++)
      await papers.add(guild.id, seededPaper(1_000 + i, hostId, weekAgo), MAX_QUEUE);
    for (let i = 0; i < size.history; i++) await papers.next(guild.id, weekAgo + i * 60_000);
    const ended = await sessions.end(guild.id, { sessionId: earlier.sessionId, by: hostId, at: weekAgo + 3_600_000 });
    if (ended.outcome === 'not-live' || ended.toHistory.length !== size.history)
      throw new Error(`seeding history: ${JSON.stringify(ended)}`);
    await sessions.endFollowedUp(guild.id, earlier.sessionId);
  }
  let votePaperId = '';
  for (let i = 0; i < size.queued; i++) {
    const presenter = i % 2 === 0 ? { presenterId: hostId, presenterName: 'Tanishq' } : {};
    const added = await papers.add(guild.id, { ...seededPaper(i, hostId, Date.now()), ...presenter }, MAX_QUEUE);
    if (added.outcome !== 'added') throw new Error(`seeding the queue: ${added.outcome}`);
    votePaperId = added.paper.id;
  }

  await emu.command(host, 'session', 'start').answer();
  await emu.command(host, 'paper', 'next').answer();
  const sessionId = (await sessions.current(guild.id))!.id;
  const announce = emu.world.channelByName(guild, 'announcements').id;
  await emu.command(host, 'ask', undefined, { question: 'The question everyone upvotes' }).answer();
  let card: APIMessage | undefined;
  await until(
    () =>
      (card = emu
        .messagesIn(announce)
        .map((m) => emu.messagesIn(m.id).find((c) => c.embeds[0]?.description === 'The question everyone upvotes'))
        .find(Boolean)) !== undefined,
    10_000,
    `the upvote card in ${size.name}`,
  );
  const upvoteId = (card!.components![0] as { components: Array<{ custom_id: string }> }).components[0]!.custom_id;

  // The questions, half of them answered, with votes (0 to 3 each) so the rankings are not one tie.
  const seeded = Array.from({ length: size.questions - 1 }, (_, i) => i);
  const ids: string[] = [];
  const askedAt = Date.now();
  await inBatches(seeded, 100, async (i) => {
    const id = newId();
    ids[i] = id;
    const asker = readers[i % readers.length]!;
    const asked = await questions.ask(guild.id, {
      id,
      sessionId,
      text: questionText(i),
      anonymous: i % 10 === 0,
      askedAt: askedAt + i,
      askerId: emu.world.memberByName(guild, asker).user.id,
    });
    if (asked.outcome !== 'asked') throw new Error(`seeding questions: ${asked.outcome}`);
    await questions.setQuestionCard(guild.id, [{ id, sessionId }], { channelId: card!.channel_id, messageId: newId() });
  });
  await inBatches(seeded, 100, async (i) => {
    for (let v = 0; v < i % 4; v++)
      await questions.vote(guild.id, ids[i]!, emu.world.memberByName(guild, readers[v]!).user.id, sessionId);
    // Every other question is answered, up to `answered` of them.
    if (i % 2 === 0 && i / 2 < size.answered)
      await questions.resolveQuestion(guild.id, ids[i]!, 'answered', Date.now(), ANSWER, sessionId);
  });

  const onStageChannel = readers.slice(0, size.hands);
  for (const name of onStageChannel) emu.joinVoice(guild, name, 'paper-stage');
  for (const [i, name] of onStageChannel.entries()) {
    const userId = emu.world.memberByName(guild, name).user.id;
    const topic = i % 3 === 0 ? `On ${TOPICS[i % TOPICS.length]}` : undefined;
    await speakers.raiseHand(guild.id, sessionId, userId, topic, 'command', Date.now());
  }
  // The seeding raised the board's and cards' marks; no job was queued for them, so clear them as a job would.
  await sessions.clean(guild.id, 'board');
  await sessions.clean(guild.id, 'cards');
  // The card went up in the board's thread, so the board is stored by now.
  const board = (await sessions.get(guild.id, sessionId))?.board;
  if (!board) throw new Error(`no live board in ${size.name}`);
  return {
    size,
    guild,
    host,
    sessionId,
    readers,
    onStageChannel,
    card: card!,
    upvoteId,
    votePaperId,
    board,
    turns: { added: 0, asked: 0, voted: 0, called: 0, typed: 0 },
  };
}
