import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runFuzz } from '../fuzz/fuzz.js';

describe('GIVEN 600 generated interactions (fixed seed) against the running bot', () => {
  it('THEN it never crashes, answers each within 3 s without an unexpected error, changes nothing on refusals, pings nobody and sends only valid bodies', async () => {
    const report = await runFuzz({ seed: 20261126, count: 600, redisUrl: inject('redisUrl') });
    expect(report.detectorWorks).toBe(true);
    expect(report.crashed).toBe(false);
    expect(report.sent).toBeGreaterThan(550);
    expect(report.answered).toBe(report.sent);
    expect(report.late).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.changedOnRefusal).toEqual([]);
    expect(report.refusalsChecked).toBeGreaterThan(50);
    expect(report.mentionLeaks).toBe(0);
    expect(report.violations).toBe(0);
  }, 180_000);
});
