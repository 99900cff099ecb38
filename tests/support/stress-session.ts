import type { Question } from '../../src/domain/session/question.js';
import type { TimelineEvent } from '../../src/domain/session/session.js';
import { keys } from '../../src/store/keys.js';
import type { QuestionStore } from '../../src/store/question-store.js';
import type { RedisClient } from '../../src/store/redis.js';
import type { SessionStore } from '../../src/store/session-store.js';

export interface StressShape {
  questions: number;
  answerLength: number;
  highlights: number;
  segments: number;
  speakers: number;
}

/** The recap issue's stress session: 3 hours, 2,000 questions (answers up to 1,500 characters), 500 highlights, 10,000 speaking segments. */
export const STRESS: StressShape = {
  questions: 2_000,
  answerLength: 1_500,
  highlights: 500,
  segments: 10_000,
  speakers: 50,
};
export const STRESS_START = Date.UTC(2024, 7, 21, 19);
export const STRESS_END = STRESS_START + 3 * 3600_000;
const HOST = '100000000000000001';

const sentence = (seed: number, length: number) => {
  let text = '';
  for (let i = 0; text.length < length; i++) text += `word${(seed * 31 + i) % 997} `;
  return text.slice(0, length).trim();
};

/** Speaker calls and highlights spread over the three hours. */
export function stressTimeline(shape = STRESS): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const step = (STRESS_END - STRESS_START) / (shape.segments + shape.highlights + 10);
  let t = STRESS_START + 1;
  for (let i = 0; i < shape.segments; i++) {
    const userId = String(200000000000000000n + BigInt(i % shape.speakers));
    events.push({ type: 'speaker.called', userId, by: HOST, at: Math.round(t) });
    t += step / 2;
    events.push({ type: 'speaker.done', userId, at: Math.round(t) });
    t += step / 2;
    if (i % Math.round(shape.segments / shape.highlights) === 0)
      events.push({
        type: 'highlight',
        text: `Highlight ${events.length}: ${sentence(i, 120)}`,
        by: HOST,
        at: Math.round(t),
      });
  }
  return events;
}

/** Every tenth question left open, every seventh anonymous, the rest answered at full length. */
export function stressQuestions(sessionId: string, shape = STRESS): Question[] {
  return Array.from({ length: shape.questions }, (_, i) => ({
    id: `q${i}`,
    sessionId,
    text: `Question ${i}: ${sentence(i, 200)}?`,
    anonymous: i % 7 === 0,
    askedAt: STRESS_START + i * 1000,
    votes: i % 13,
    status: i % 10 === 0 ? ('open' as const) : ('answered' as const),
    ...(i % 7 === 0 ? {} : { askerId: String(300000000000000000n + BigInt(i % 40)) }),
    ...(i % 10 === 0 ? {} : { answer: `Answer ${i}: ${sentence(i + 1, shape.answerLength - 12)}` }),
  }));
}

/** The stress session stored for real, through the same store scripts the bot uses. */
export async function storeStressSession(
  { redis, sessions, questions }: { redis: RedisClient; sessions: SessionStore; questions: QuestionStore },
  guildId: string,
  shape = STRESS,
): Promise<string> {
  const { sessionId } = await sessions.start(guildId, HOST, STRESS_START);
  const events = stressTimeline(shape);
  const timeline = keys.timeline(guildId, sessionId);
  for (let i = 0; i < events.length; i += 1_000)
    await redis.rpush(timeline, ...events.slice(i, i + 1_000).map((e) => JSON.stringify(e)));
  for (const q of stressQuestions(sessionId, shape)) {
    await questions.ask(guildId, {
      id: q.id,
      sessionId,
      text: q.text,
      anonymous: q.anonymous,
      askedAt: q.askedAt,
      ...(q.askerId ? { askerId: q.askerId } : {}),
    });
    if (q.answer) await questions.resolveQuestion(guildId, q.id, 'answered', q.askedAt + 500, q.answer);
  }
  await sessions.end(guildId, { sessionId, by: HOST, at: STRESS_END });
  return sessionId;
}
