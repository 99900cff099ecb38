import { describe, expect, it } from 'vitest';
import { nextTopicEditAt, TOPIC_EDITS } from '../../src/domain/session/session.js';

const MIN = 60_000;

describe("the Stage topic's two changes per 10 minutes", () => {
  it('GIVEN fewer than two changes in the last 10 minutes THEN the next may go now', () => {
    expect(nextTopicEditAt([], 100 * MIN)).toBe(100 * MIN);
    expect(nextTopicEditAt([99 * MIN], 100 * MIN)).toBe(100 * MIN);
    expect(nextTopicEditAt([80 * MIN, 89 * MIN], 100 * MIN)).toBe(100 * MIN);
  });

  it('GIVEN two changes in the last 10 minutes THEN the next waits until the older is 10 minutes old, whatever their order', () => {
    expect(nextTopicEditAt([95 * MIN, 97 * MIN], 100 * MIN)).toBe(105 * MIN);
    expect(nextTopicEditAt([97 * MIN, 95 * MIN, 20 * MIN], 100 * MIN)).toBe(105 * MIN);
    expect(TOPIC_EDITS).toEqual({ limit: 2, windowMs: 10 * MIN });
  });
});
