import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from './demo.js';

/** npm run demo [-- --scenario file.json] [--out dir] */
const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const scenarioPath = resolve(
  option('--scenario') ?? fileURLToPath(new URL('../scenarios/seed-session.json', import.meta.url)),
);
const outDir = resolve(option('--out') ?? 'demo-output');

try {
  await runDemo({
    scenarioPath,
    outDir,
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    print: (line) => console.log(line),
  });
  process.exit(0);
} catch (error) {
  console.error(`Demo stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
