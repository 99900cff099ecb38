// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const transportLibraries = ['discord.js', 'discord.js/*', '@discordjs/*', 'bullmq', 'bullmq/*', 'ioredis', 'ioredis/*'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'demo-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config.ts.' },
      ],
    },
  },
  {
    // The dependency rule: domain code is plain TypeScript and knows nothing of transport.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: transportLibraries,
              message:
                'src/domain may not import discord.js, bullmq or ioredis: put transport code in src/discord, src/jobs or src/store.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/config.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'demo/**/*.ts', 'vitest.config.ts', '.ci/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
