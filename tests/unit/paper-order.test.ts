import { describe, expect, it } from 'vitest';
import { inQueueOrder, type Paper } from '../../src/domain/papers/paper.js';

type Entry = Pick<Paper, 'status' | 'votes' | 'addedAt' | 'pinned'> & { id: string };
const paper = (id: string, votes: number, addedAt: number, extra: Partial<Entry> = {}): Entry => ({
  id,
  status: 'queued',
  votes,
  addedAt,
  ...extra,
});
const ids = (papers: Entry[]) => papers.map((p) => p.id);

describe('the queue ordered by votes', () => {
  const queue = [paper('a', 1, 1), paper('b', 3, 2), paper('c', 0, 3), paper('d', 3, 4), paper('e', 2, 5)];

  it('GIVEN manual order THEN the queue stays as placed', () => {
    expect(ids(inQueueOrder(queue, 'manual'))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('GIVEN votes THEN most voted first, ties to the earlier suggestion, no votes counted as 0', () => {
    const unvoted = { ...paper('f', 0, 0), votes: undefined };
    expect(ids(inQueueOrder([...queue, unvoted], 'votes'))).toEqual(['b', 'd', 'e', 'a', 'f', 'c']);
  });

  it('GIVEN a paper a host placed THEN it keeps its place and the others are ordered around it', () => {
    const placed = queue.map((p) => (p.id === 'c' ? { ...p, pinned: true } : p));
    expect(ids(inQueueOrder(placed, 'votes'))).toEqual(['b', 'd', 'c', 'e', 'a']);
  });

  it('GIVEN the paper being presented and covered ones THEN they keep their places; only queued papers move', () => {
    const live = [
      paper('x', 9, 0, { status: 'covered' }),
      paper('y', 0, 1, { status: 'current' }),
      paper('a', 1, 2),
      paper('b', 5, 3),
    ];
    expect(ids(inQueueOrder(live, 'votes'))).toEqual(['x', 'y', 'b', 'a']);
  });
});
