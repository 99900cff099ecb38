import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dedupKey, parsePaperRef } from '../../src/domain/papers/paper-ref.js';
import { newId } from '../../src/store/ids.js';
import { PaperStore, type NewPaper } from '../../src/store/paper-store.js';
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
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    store = new PaperStore(redis);
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

    const moved = await store.closeSession(guild, 1000);
    expect(moved).toHaveLength(7);
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
    await store.closeSession(guild, 300);
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
});
