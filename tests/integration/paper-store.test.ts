import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { z } from 'zod';
import { keys } from '../../src/store/keys.js';
import { PaperStore, type NewPaper } from '../../src/store/paper-store.js';
import { runScript } from '../../src/store/scripts.js';
import { SessionStore } from '../../src/store/session-store.js';
import { snowflake } from '../emulator/snowflake.js';

const SEED_QUEUE = [
  '2408.06292',
  '2408.03314',
  '2408.00118',
  'https://huggingface.co/papers/2407.07726',
  '2408.00714',
  '2408.03322',
  '2408.06072',
];

function newPaper(input: string, at = 1): NewPaper {
  const ref = parsePaperRef(input);
  return {
    id: newId(),
    ref,
    dedupKey: dedupKey(ref),
    metadataStatus: 'pending',
    title: ref.id,
    suggestedById: '111111111111111111',
    addedAt: at,
  };
}

describe('paper queue on a real Redis', () => {
  let redis: Redis;
  let store: PaperStore;
  let sessions: SessionStore;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    store = new PaperStore(redis);
    sessions = new SessionStore(redis);
  });
  afterAll(() => redis.quit());

  async function seedQueue(guild: string): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const input of SEED_QUEUE) {
      const result = await store.add(guild, newPaper(input), 50);
      if (result.outcome !== 'added') throw new Error(result.outcome);
      ids.set(result.paper.ref.id, result.paper.id);
    }
    return ids;
  }
  /** /session end closes the queue: its script covers the current paper and moves covered papers to history. */
  async function endSession(guild: string, at: number) {
    const { sessionId } = await sessions.start(guild, 'host', 1);
    return sessions.end(guild, { sessionId, by: 'host', at });
  }
  const order = async (guild: string) => (await store.list(guild)).map((p) => `${p.ref.id}:${p.status}`);

  it('GIVEN the seed queue WHEN the same arXiv paper is added in another form THEN it is a duplicate with its position', async () => {
    const guild = snowflake();
    await seedQueue(guild);
    for (const form of [
      '2408.03314v2',
      'https://arxiv.org/pdf/2408.03314',
      'https://huggingface.co/papers/2408.03314',
    ]) {
      expect(await store.add(guild, newPaper(form), 50)).toMatchObject({ outcome: 'duplicate', position: 2 });
    }
    expect(await store.list(guild)).toHaveLength(7);
  });

  it('GIVEN the seed session WHEN hosts start, skip and move on THEN current and covered follow the fixture, skipped papers stay queued', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    expect(await store.move(guild, id.get('2408.03314')!, 1)).toBe(1);
    await store.start(guild, id.get('2408.03314')!, 100);
    expect(await store.start(guild, id.get('2408.00118')!, 200)).toMatchObject({
      outcome: 'started',
      previousId: id.get('2408.03314'),
    });
    expect(await store.next(guild, 300)).toMatchObject({ outcome: 'started', paperId: id.get('2407.07726') });
    expect(await order(guild)).toEqual([
      '2408.03314:covered',
      '2408.06292:queued',
      '2408.00118:covered',
      '2407.07726:current',
      '2408.00714:queued',
      '2408.03322:queued',
      '2408.06072:queued',
    ]);
    await store.start(guild, id.get('2408.06292')!, 400);
    await store.start(guild, id.get('2408.00714')!, 500);
    expect(await store.next(guild, 600)).toMatchObject({ paperId: id.get('2408.03322') });
    expect(await store.next(guild, 700)).toMatchObject({ paperId: id.get('2408.06072') });
    expect(await store.next(guild, 800)).toEqual({ outcome: 'none-left' });
    expect(await store.start(guild, id.get('2408.03314')!, 900)).toEqual({ outcome: 'covered' });

    const ended = await endSession(guild, 1000);
    expect(ended.outcome === 'ended' && ended.toHistory).toHaveLength(7);
    expect(await store.list(guild)).toEqual([]);
    const history = await store.history(guild);
    expect(history.map((p) => p.ref.id)).toEqual([
      '2408.06072',
      '2408.03322',
      '2408.00714',
      '2408.06292',
      '2407.07726',
      '2408.00118',
      '2408.03314',
    ]);
    // A paper read before may be queued again; the add says when it was read.
    expect(await store.add(guild, newPaper('2408.00714'), 50)).toMatchObject({
      outcome: 'added',
      position: 1,
      lastReadAt: 500,
    });
  });

  it('GIVEN papers not covered WHEN the session closes THEN they roll over in order', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    await store.start(guild, id.get('2408.00118')!, 100);
    await store.next(guild, 200);
    await endSession(guild, 300);
    expect(await order(guild)).toEqual([
      '2408.06292:queued',
      '2408.03314:queued',
      '2408.00714:queued',
      '2408.03322:queued',
      '2408.06072:queued',
    ]);
  });

  it('GIVEN a current paper WHEN removed THEN refused; GIVEN a queued one THEN removed and addable again', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    await store.start(guild, id.get('2408.00118')!, 1);
    expect(await store.remove(guild, id.get('2408.00118')!)).toBe('current');
    expect(await store.remove(guild, id.get('2408.06072')!)).toBe('removed');
    expect(await store.remove(guild, id.get('2408.06072')!)).toBe('missing');
    expect(await store.add(guild, newPaper('2408.06072'), 50)).toMatchObject({ outcome: 'added', position: 7 });
  });

  it('GIVEN a full queue WHEN another paper is added THEN it is refused', async () => {
    const guild = snowflake();
    await seedQueue(guild);
    expect(await store.add(guild, newPaper('2401.00001'), 7)).toEqual({ outcome: 'full' });
  });

  it('GIVEN 50 concurrent adds and moves on one queue THEN no paper is lost or doubled and positions are contiguous', async () => {
    const guild = snowflake();
    const first = await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.add(guild, newPaper(`2401.${String(10000 + i)}`), 100)),
    );
    const ids = first.map((r) => (r.outcome === 'added' ? r.paper.id : ''));
    const ops = [
      ...Array.from({ length: 25 }, (_, i) => store.add(guild, newPaper(`2402.${String(10000 + i)}`), 100)),
      ...Array.from({ length: 25 }, (_, i) => store.move(guild, ids[i]!, ((i * 7) % 30) + 1)),
      ...Array.from({ length: 10 }, (_, i) => store.add(guild, newPaper(`2401.${String(10000 + i)}`), 100)),
    ];
    const results = await Promise.all(ops);
    expect(
      results
        .slice(50)
        .every((r) => typeof r === 'object' && r !== null && 'outcome' in r && r.outcome === 'duplicate'),
    ).toBe(true);
    const queue = await store.list(guild);
    expect(queue).toHaveLength(50);
    expect(new Set(queue.map((p) => p.id)).size).toBe(50);
    expect(new Set(queue.map((p) => p.dedupKey)).size).toBe(50);
    expect(await redis.llen(`lectern:{${guild}}:papers:queue`)).toBe(50);
  });

  it('GIVEN the seed queue, one paper with its details and presenter, one current THEN the queue read gives what its lines show, in order, and no abstract or authors', async () => {
    const guild = snowflake();
    const ids = await seedQueue(guild);
    const detailed = ids.get('2408.03314')!;
    await store.setMetadata(guild, detailed, 'ready', {
      title: 'Scaling test-time compute',
      authors: ['A. Author', 'B. Author'],
      abstract: 'A long abstract. '.repeat(50),
    });
    const presented = { ...newPaper('2409.00001'), presenterId: '222222222222222222', presenterName: 'Presenter' };
    expect(await store.add(guild, presented, 50)).toMatchObject({ outcome: 'added' });
    expect(await store.start(guild, ids.get('2408.06292')!, 5_000)).toMatchObject({ outcome: 'started' });

    const full = await store.list(guild);
    const queue = await store.queue(guild);
    expect(queue).toEqual(
      full.map((p) => ({
        id: p.id,
        ref: p.ref,
        status: p.status,
        metadataStatus: p.metadataStatus,
        title: p.title,
        addedAt: p.addedAt,
        authors: [],
        abstract: '',
        ...(p.presenterId ? { presenterId: p.presenterId } : {}),
      })),
    );
    expect(queue.map((p) => p.status)).toEqual(['current', ...Array.from({ length: 7 }, () => 'queued')]);
    expect(queue[1]).toMatchObject({ title: 'Scaling test-time compute', metadataStatus: 'ready' });
    expect(queue.at(-1)).toMatchObject({ id: presented.id, presenterId: '222222222222222222' });
    expect(full[1]!.abstract.length).toBeGreaterThan(500);
  });

  it('GIVEN a paper not queued THEN move says so and start refuses it; GIVEN one current or covered THEN start says which', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    expect(await store.move(guild, 'nope', 1)).toBeNull();
    expect(await store.move(guild, id.get('2408.06072')!, 99)).toBe(7);
    expect(await store.start(guild, 'nope', 100)).toEqual({ outcome: 'missing' });
    expect(await store.start(guild, id.get('2408.00118')!, 100)).toEqual({
      outcome: 'started',
      paperId: id.get('2408.00118'),
    });
    expect(await store.start(guild, id.get('2408.00118')!, 200)).toEqual({ outcome: 'already-current' });
    await store.start(guild, id.get('2408.06292')!, 300);
    expect(await store.start(guild, id.get('2408.00118')!, 400)).toEqual({ outcome: 'covered' });
    expect(await store.currentId(guild)).toBe(id.get('2408.06292'));
    expect(await store.current(guild)).toMatchObject({ id: id.get('2408.06292'), status: 'current', startedAt: 300 });
    expect(await store.get(guild, id.get('2408.00118')!)).toMatchObject({ status: 'covered', coveredAt: 300 });
  });

  it('GIVEN another host started a paper since the caller read the current one THEN the start script refuses as stale and changes nothing', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    const [a, b] = [id.get('2408.06292')!, id.get('2408.03314')!];
    await store.start(guild, a, 100);
    const reply = await runScript(
      redis,
      'papers/start',
      [keys.paperQueue(guild), keys.currentPaper(guild), keys.paper(guild, b), keys.paper(guild, b)],
      [b, '', 200],
      z.object({ outcome: z.string() }),
    );
    expect(reply).toEqual({ outcome: 'stale' });
    expect(await store.currentId(guild)).toBe(a);
    expect(await store.get(guild, b)).toMatchObject({ status: 'queued' });
  });

  it('GIVEN a removed paper THEN its late details are not written back; GIVEN a queued one THEN they are and the paper is returned', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    const gone = id.get('2408.06072')!;
    await store.remove(guild, gone);
    expect(await store.setMetadata(guild, gone, 'ready', { title: 'T', authors: [], abstract: '' })).toBeUndefined();
    expect(await redis.exists(keys.paper(guild, gone))).toBe(0);
    const kept = id.get('2408.00714')!;
    expect(await store.setMetadata(guild, kept, 'failed')).toMatchObject({ id: kept, metadataStatus: 'failed' });
    expect(await store.setCard(guild, kept, { channelId: 'c', messageId: 'm' })).toBe(true);
    expect(await store.setCard(guild, gone, { channelId: 'c', messageId: 'm' })).toBe(false);
    expect(await store.get(guild, kept)).toMatchObject({ card: { channelId: 'c', messageId: 'm' } });
  });

  it('GIVEN the seed queue with one paper covered and one current THEN a page reads its slice in queue order with the total, and upcoming reads the current and the next queued', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    await store.start(guild, id.get('2408.06292')!, 100);
    await store.start(guild, id.get('2408.03314')!, 200);
    const page = await store.queuePage(guild, 1, 3);
    expect(page.total).toBe(7);
    expect(page.papers.map((p) => [p.ref.id, p.status])).toEqual([
      ['2408.03314', 'current'],
      ['2408.00118', 'queued'],
      ['2407.07726', 'queued'],
    ]);
    expect(await store.queuePage(guild, 10, 5)).toEqual({ papers: [], total: 7, order: 'manual' });
    const upcoming = await store.upcoming(guild, 3);
    expect(upcoming.current?.id).toBe(id.get('2408.03314'));
    expect(upcoming.next.map((p) => p.ref.id)).toEqual(['2408.00118', '2407.07726', '2408.00714']);
    expect(await store.upcoming(snowflake(), 3)).toEqual({ next: [] });
  });

  it('GIVEN papers with titles, authors and presenters THEN search matches any of them in any case, in queue order with positions, at most the limit', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    await store.setMetadata(guild, id.get('2408.00118')!, 'ready', {
      title: 'Gemma 2: improving open models',
      authors: ['Gemma Team'],
      abstract: '',
    });
    const presented = { ...newPaper('2409.00001'), presenterId: '222222222222222222', presenterName: 'Ada Presenter' };
    await store.add(guild, presented, 50);
    const found = async (typed: string, limit = 25) =>
      (await store.search(guild, typed, limit)).map(({ paper, position }) => [paper.ref.id, position]);
    expect(await found('GEMMA')).toEqual([['2408.00118', 3]]);
    expect(await found('ada pres')).toEqual([['2409.00001', 8]]);
    expect(await found('2408.0')).toEqual([
      ['2408.06292', 1],
      ['2408.03314', 2],
      ['2408.00118', 3],
      ['2408.00714', 5],
      ['2408.03322', 6],
      ['2408.06072', 7],
    ]);
    expect(await found('2408.0', 2)).toHaveLength(2);
    expect(await found('nothing like it')).toEqual([]);
  });

  it('GIVEN members voting THEN a second press takes the vote back, 200 at once are all counted, and a covered, current or removed paper refuses and keeps nothing', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    const paperId = id.get('2408.00118')!;
    expect(await store.vote(guild, paperId, 'm1')).toEqual({ outcome: 'added', votes: 1 });
    expect(await store.vote(guild, paperId, 'm1')).toEqual({ outcome: 'removed', votes: 0 });
    const members = Array.from({ length: 200 }, (_, i) => `member${i}`);
    const results = await Promise.all(members.map((m) => store.vote(guild, paperId, m)));
    expect(results.every((r) => r.outcome === 'added')).toBe(true);
    expect((await store.get(guild, paperId))!.votes).toBe(200);
    expect(await redis.scard(keys.paperVoters(guild, paperId))).toBe(200);

    await store.start(guild, id.get('2408.06292')!, 100);
    expect(await store.vote(guild, id.get('2408.06292')!, 'm1')).toEqual({ outcome: 'current', votes: 0 });
    expect(await store.remove(guild, paperId)).toBe('removed');
    expect(await redis.exists(keys.paperVoters(guild, paperId))).toBe(0);
    expect(await store.vote(guild, paperId, 'm1')).toEqual({ outcome: 'missing', votes: 0 });
    expect(await redis.exists(keys.paper(guild, paperId), keys.paperVoters(guild, paperId))).toBe(0);
    await endSession(guild, 200);
    expect(await store.vote(guild, id.get('2408.06292')!, 'm1')).toEqual({ outcome: 'covered', votes: 0 });
  });

  it('GIVEN the queue ordered by votes THEN reads follow the votes, a paper a host moves keeps its place, and manual order is the list again', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    const vote = (ref: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => store.vote(guild, id.get(ref)!, `m${i}`)));
    await vote('2408.00714', 3);
    await vote('2408.00118', 2);
    await vote('2408.06072', 2);
    const refs = async () => (await store.queue(guild)).map((p) => p.ref.id);
    expect(await refs()).toEqual([...SEED_QUEUE.map((r) => parsePaperRef(r).id)]);
    await store.setOrder(guild, 'votes');
    expect(await store.order(guild)).toBe('votes');
    const voted = ['2408.00714', '2408.00118', '2408.06072', '2408.06292', '2408.03314', '2407.07726', '2408.03322'];
    expect(await refs()).toEqual(voted);
    expect((await store.queuePage(guild, 0, 2)).papers.map((p) => p.ref.id)).toEqual(voted.slice(0, 2));
    expect((await store.list(guild)).map((p) => p.ref.id)).toEqual(voted);

    // Placed by a host: first, whatever the votes.
    expect(await store.move(guild, id.get('2408.03322')!, 1)).toBe(1);
    expect((await store.get(guild, id.get('2408.03322')!))!.pinned).toBe(true);
    expect(await refs()).toEqual(['2408.03322', ...voted.slice(0, -1)]);
    expect(await store.next(guild, 300)).toMatchObject({ outcome: 'started', paperId: id.get('2408.03322') });

    await store.setOrder(guild, 'manual');
    expect(await store.order(guild)).toBe('manual');
    expect((await store.queuePage(guild, 0, 50)).order).toBe('manual');
    expect((await refs())[0]).toBe('2408.03322');
    expect(await refs()).not.toEqual(voted);
  });

  it('GIVEN a paper without a presenter THEN the first member to sign up presents it, the next is told who does, and a paper no longer queued refuses', async () => {
    const guild = snowflake();
    const id = await seedQueue(guild);
    const paperId = id.get('2408.00118')!;
    const [first, second] = await Promise.all([
      store.volunteer(guild, paperId, 'm1', 'Member One', 'volunteer'),
      store.volunteer(guild, paperId, 'm2', 'Member Two', 'volunteer'),
    ]);
    expect(first).toEqual({ outcome: 'set' });
    expect(second).toEqual({ outcome: 'taken', presenterId: 'm1' });
    expect(await store.get(guild, paperId)).toMatchObject({ presenterId: 'm1', presenterName: 'Member One' });
    await store.start(guild, id.get('2408.06292')!, 100);
    expect(await store.volunteer(guild, id.get('2408.06292')!, 'm2', 'Two', 'volunteer')).toEqual({
      outcome: 'current',
    });
    expect(await store.volunteer(guild, 'nope', 'm2', 'Two', 'volunteer')).toEqual({ outcome: 'missing' });
    expect((await store.get(guild, id.get('2408.06292')!))!.presenterId).toBeUndefined();
  });
});
