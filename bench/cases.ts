import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { JobQueue } from '../src/jobs/job-queue.js';
import { boardEdit } from '../src/sessions/live-service.js';
import { keys } from '../src/store/keys.js';
import type { Emulator } from '../tests/emulator/emulator.js';
import type { InteractionRecord } from '../tests/emulator/interactions.js';
import { TYPED, type BenchGuild, type Stores } from './sizes.js';

/** One kind of interaction the bench times, in either guild. */
export interface Case {
  name: string;
  /** Sends one interaction in `g`; its round trip is the sample. */
  run(g: BenchGuild): InteractionRecord;
  /** Untimed, after each answer: puts the session back to its size for the next round. */
  after?(g: BenchGuild): Promise<void>;
}

/** The arXiv id the n-th timed /paper add of a guild names; its metadata is cached beforehand. */
const cachedPaper = (n: number) => `2301.${10000 + n}`;

/** Caches metadata for the first `count` papers /paper add names, so the add reads the cache, never the network. */
export async function cacheMetadata(redis: Redis, count: number): Promise<void> {
  const pipeline = redis.pipeline();
  for (let n = 0; n < count; n++)
    pipeline.set(
      keys.metadataCache('arxiv', cachedPaper(n)),
      JSON.stringify({ title: `Cached paper ${n}`, authors: ['A. Author'], abstract: 'Cached.' }),
    );
  await pipeline.exec();
}

/** `settle` waits for the jobs an interaction set off (a paper is removed only once its card job is done with it). */
export function interactionCases(emu: Emulator, redis: Redis, stores: Stores, settle: () => Promise<void>): Case[] {
  const as = (g: BenchGuild, user: string) => ({ ...g.host, user });
  const reader = (g: BenchGuild, n: number) => g.readers[n % g.readers.length]!;
  const memberId = (g: BenchGuild, name: string) => emu.world.memberByName(g.guild, name).user.id;
  return [
    { name: 'ping', run: (g) => emu.command(as(g, 'Charlie'), 'ping') },
    { name: 'setup_show', run: (g) => emu.command(as(g, 'Aran'), 'setup', 'show') },
    { name: 'paper_list', run: (g) => emu.command(as(g, 'Hanish'), 'paper', 'list') },
    {
      // Each added paper is removed again, once its card is up, so the queue stays at its size.
      name: 'paper_add_cached',
      run: (g) => emu.command(as(g, reader(g, g.turns.added)), 'paper', 'add', { url: cachedPaper(g.turns.added++) }),
      after: async (g) => {
        const queue = await stores.papers.queue(g.guild.id);
        if (queue.length !== g.size.queued + 1) throw new Error(`${g.size.name}: the queue holds ${queue.length}`);
        const added = queue.at(-1)!.id;
        // Its job fills the details from the cache at once (an uncached paper would take seconds: a fetch); the
        // job may not be queued yet when the bot first looks quiet, so settle until it has.
        for (let i = 0; (await stores.papers.get(g.guild.id, added))?.metadataStatus !== 'ready'; i++) {
          if (i === 100) throw new Error(`${g.size.name}: the paper's details did not come from the cache`);
          await settle();
        }
        await stores.papers.remove(g.guild.id, added);
      },
    },
    {
      // Each question is dismissed again, so the open questions (what the board and autocomplete read) stay as seeded.
      name: 'ask',
      run: (g) =>
        emu.command(as(g, reader(g, g.turns.asked)), 'ask', undefined, {
          question: `Question number ${++g.turns.asked}?`,
        }),
      after: async (g) => {
        const [id] = await redis.zrange(keys.questions(g.guild.id, g.sessionId), '-1', '-1');
        const question = id ? await stores.questions.question(g.guild.id, id) : undefined;
        if (question?.text !== `Question number ${g.turns.asked}?`)
          throw new Error(`${g.size.name}: the newest question is not the one just asked`);
        await stores.questions.resolveQuestion(g.guild.id, id!, 'dismissed', Date.now(), undefined, g.sessionId);
      },
    },
    { name: 'upvote', run: (g) => emu.button(as(g, reader(g, g.turns.voted++)), g.card, g.upvoteId) },
    // The message pressed is not read: the button's custom id names the paper.
    {
      name: 'paper_vote',
      run: (g) => emu.button(as(g, reader(g, g.turns.voted++)), g.card, `paper:vote:${g.votePaperId}`),
    },
    {
      // The member called goes back to the end of the line, so the hands stay at their number.
      name: 'speakers_next',
      run: (g) => emu.command(g.host, 'speakers', 'next'),
      after: async (g) => {
        const userId = memberId(g, g.onStageChannel[g.turns.called++ % g.onStageChannel.length]!);
        const done = await stores.speakers.speakerDone(g.guild.id, g.sessionId, userId, Date.now());
        if (done !== 'done') throw new Error(`${g.size.name}: /speakers next did not call the first in line`);
        await stores.speakers.raiseHand(g.guild.id, g.sessionId, userId, undefined, 'command', Date.now());
      },
    },
    { name: 'session_status', run: (g) => emu.command(as(g, 'Hanish'), 'session', 'status') },
    {
      // A host typing into `/question answer question:`, a keystroke at a time.
      name: 'question_autocomplete',
      run: (g) => {
        const typed = TYPED[g.turns.typed++ % TYPED.length]!;
        return emu.autocomplete(g.host, 'question', 'answer', { question: typed }, 'question');
      },
    },
  ];
}

/**
 * The board job, timed as members see it: from queueing a `session.board` job exactly as a change does
 * (boardEdit, not delayed) to the emulator receiving the board message's edit (PATCH). That spans
 * the worker taking the job, the handler's reads and rendering, and the REST call; the Stage topic the job
 * sets afterwards is not included.
 */
export async function timeBoardEdit(emu: Emulator, jobs: JobQueue, g: BenchGuild): Promise<number> {
  const path = `/channels/${g.board.channelId}/messages/${g.board.messageId}`;
  // Only an edit that arrives after this call counts (waitForRequest also matches past requests).
  let armed = false;
  const edited = emu
    .waitForRequest((r) => armed && r.method === 'PATCH' && r.path === path, 10_000)
    .then(() => performance.now());
  armed = true;
  const started = performance.now();
  await jobs.enqueueAll([boardEdit(g.guild.id, g.sessionId, true)]);
  return (await edited) - started;
}
