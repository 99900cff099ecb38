import { describe, expect, it } from 'vitest';
import { MAX_ANSWER, MAX_QUESTION } from '../../src/domain/session/session.js';
import type { Question } from '../../src/domain/session/question.js';
import { CARD_GROUP, questionCards } from '../../src/discord/render/question.js';
import { checkMessageLimits, checkSchema, schemas } from '../emulator/validate.js';

const longest = (i: number): Question => ({
  id: `q${i}`,
  sessionId: 's',
  text: `${'Why does the ablation in table 3 hold '.repeat(20)}`.slice(0, MAX_QUESTION),
  askerId: String(10n ** 18n + BigInt(i)),
  anonymous: false,
  status: 'answered',
  answer: 'Because the authors control for it. '.repeat(60).slice(0, MAX_ANSWER),
  askedAt: i,
  votes: 1_000 + i,
});
const paperLabel = 'A paper title as long as arXiv titles get, with a subtitle after its colon '.repeat(4);

describe('question cards', () => {
  it(`GIVEN ${CARD_GROUP} questions at their longest THEN one grouped card passes Discord's checks: 6,000 characters of embeds, field and label limits`, () => {
    const body = questionCards(Array.from({ length: CARD_GROUP }, (_, i) => ({ question: longest(i), paperLabel })));
    expect(body.embeds).toHaveLength(CARD_GROUP);
    expect([...checkSchema(schemas.messageCreate, body), ...checkMessageLimits(body)]).toEqual([]);
    // Each question keeps its own upvote button, which names it.
    const buttons = body.components!.flatMap(
      (row) => (row as { components: Array<{ custom_id: string; label: string }> }).components,
    );
    expect(buttons.map((b) => b.custom_id)).toEqual(Array.from({ length: CARD_GROUP }, (_, i) => `ask:upvote:q${i}`));
    expect(buttons.every((b) => b.label.startsWith('▲ Upvote (') && b.label.includes('Why does'))).toBe(true);
  });

  it('GIVEN one question THEN its card is the single card: full text, and a button that only counts', () => {
    const body = questionCards([{ question: longest(0), paperLabel }]);
    expect(body.embeds![0]!.description!.length).toBeGreaterThan(400);
    const [button] = (body.components![0] as { components: Array<{ label: string }> }).components;
    expect(button!.label).toBe('▲ Upvote (1000)');
    expect([...checkSchema(schemas.messageCreate, body), ...checkMessageLimits(body)]).toEqual([]);
  });
});
