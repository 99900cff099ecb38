import { composeRecap } from '../src/domain/recap/recap.js';
import { discordStyle, markdownStyle, recapDigest, recapLines, sharedEscaper } from '../src/recap/render.js';
import { STRESS_END, STRESS_START, stressQuestions, stressTimeline } from '../tests/support/stress-session.js';
import { percentile, type Figure } from './stats.js';

/** Compile and render the stress recap (the digest and the file), in memory: time and heap growth. */
export function recapFigures(rounds = 7): { figures: Record<string, Figure>; line: string } {
  const session = {
    id: 'stress',
    status: 'ended' as const,
    startedAt: STRESS_START,
    startedBy: 'host',
    endedAt: STRESS_END,
  };
  const timeline = stressTimeline();
  const questions = stressQuestions(session.id);
  const names = new Map<string, string>();
  const times: number[] = [];
  let heapGrowth = 0;
  let parts = 0;
  for (let i = 0; i < rounds; i++) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const recap = composeRecap(session, timeline, questions, new Map());
    const escape = sharedEscaper();
    parts = recapDigest(recap, discordStyle(escape), 'Recap', 'recap.md').length;
    const file = recapLines(recap, markdownStyle(names, 'America/Los_Angeles', escape), 'Recap').join('\n');
    times.push(performance.now() - started);
    heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heapBefore);
    if (file.length === 0) throw new Error('empty recap');
  }
  const p50 = percentile(times, 50);
  return {
    figures: {
      recap_stress_render_p50: { value: p50, unit: 'ms' },
      recap_stress_render_max: { value: Math.max(...times), unit: 'ms' },
      recap_stress_heap_growth: { value: heapGrowth / 2 ** 20, unit: 'MB' },
    },
    line:
      'recap of the stress session (2,000 questions, 500 highlights, 10,000 segments): compile + render ' +
      `p50 ${p50.toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}), ` +
      `heap growth ${(heapGrowth / 2 ** 20).toFixed(1)} MB, a digest of ${parts} messages`,
  };
}
