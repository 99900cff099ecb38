import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The dependency rule `npm run check` enforces: it must bite, or the layering is only a wish. */
describe('architecture rules', () => {
  const eslint = new ESLint();
  const messages = async (code: string, filePath: string) =>
    (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.ruleId);

  it.each(['discord.js', 'bullmq', 'ioredis', '@discordjs/voice'])(
    'GIVEN src/domain importing %s THEN lint fails',
    async (pkg) => {
      expect(await messages(`import * as x from '${pkg}';\nexport const y = x;\n`, 'src/domain/probe.ts')).toContain(
        'no-restricted-imports',
      );
    },
  );

  it('GIVEN src/discord importing discord.js THEN lint allows it', async () => {
    expect(await messages(`import * as x from 'discord.js';\nexport const y = x;\n`, 'src/discord/probe.ts')).toEqual(
      [],
    );
  });

  it('GIVEN process.env read outside src/config.ts THEN lint fails', async () => {
    expect(await messages('export const token = process.env.DISCORD_TOKEN;\n', 'src/store/probe.ts')).toContain(
      'no-restricted-properties',
    );
  });
});
