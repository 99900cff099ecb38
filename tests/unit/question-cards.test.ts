import { describe, expect, it } from 'vitest';
import { MAX_ANSWER, MAX_QUESTION } from '../../src/domain/session/session.js';
import type { Question } from '../../src/domain/session/question.js';
import { CARD_GROUP, LIST_GROUP, questionCards } from '../../src/discord/render/question.js';
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

  it(`GIVEN ${LIST_GROUP} questions at their longest THEN one list card passes Discord's checks, each question a numbered line with its own numbered button`, () => {
    const questions = Array.from({ length: LIST_GROUP }, (_, i) => ({
      ...longest(i),
      status: i % 2 ? ('open' as const) : ('dismissed' as const),
      text: `<@${i}> **bold** ${'x'.repeat(2_000)}`,
    }));
    const body = questionCards(questions.map((question) => ({ question, paperLabel })));
    expect([...checkSchema(schemas.messageCreate, body), ...checkMessageLimits(body)]).toEqual([]);
    expect(body.embeds).toHaveLength(1);
    const lines = body.embeds![0]!.description!.split('\n');
    expect(lines).toHaveLength(LIST_GROUP);
    expect(lines[0]).toMatch(
      /^\*\*1\.\*\* <\u200d@\u200d0> \\\*\\\*bold\\\*\\\* x+… — <@1000000000000000000> · ▲ 1000 · dismissed$/,
    );
    expect(lines[1]).toMatch(/· ▲ 1001$/);
    const rows = body.components! as Array<{
      components: Array<{ custom_id: string; label: string; disabled: boolean }>;
    }>;
    expect(rows).toHaveLength(5);
    const buttons = rows.flatMap((row) => row.components);
    expect(buttons.map((b) => b.custom_id)).toEqual(questions.map((q) => `ask:upvote:${q.id}`));
    expect(buttons.map((b) => b.label)).toEqual(questions.map((q, i) => `▲ ${i + 1} (${q.votes})`));
    expect(buttons.map((b) => b.disabled)).toEqual(questions.map((q) => q.status !== 'open'));
  });

  it('GIVEN one question THEN its card is the single card: full text, and a button that only counts', () => {
    const body = questionCards([{ question: longest(0), paperLabel }]);
    expect(body.embeds![0]!.description!.length).toBeGreaterThan(400);
    const [button] = (body.components![0] as { components: Array<{ label: string }> }).components;
    expect(button!.label).toBe('▲ Upvote (1000)');
    expect([...checkSchema(schemas.messageCreate, body), ...checkMessageLimits(body)]).toEqual([]);
  });
});
