import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RedisClient } from './redis.js';

// The Lua under ./lua (`npm run build` copies it next to the compiled code), by aggregate: each script's number of
// keys, or undefined for a script that takes any number. A script is named by its file: 'questions/ask'.
const TABLE = {
  claims: { take: undefined },
  meta: { 'raise-version': 1, unlock: 1 },
  migrations: { 'stage-to-zset': 1, 'live-pointer': 2, questions: undefined },
  papers: {
    add: 4,
    move: 3,
    remove: 6,
    start: 4,
    patch: 1,
    vote: 2,
    present: 1,
    confirm: 1,
    'poll-open': 1,
    'poll-set': 1,
    'poll-clear': 1,
    'ask-early': 2,
    thread: 2,
  },
  session: { start: 4, end: undefined, log: 2 },
  speakers: { raise: 5, lower: 4, call: 6, 'call-first': 7, done: 3, clear: 4, read: 3 },
  questions: { ask: 12, vote: 9, resolve: 6, search: 2 },
  transcript: { resolve: 3 },
} satisfies Record<string, Record<string, number | undefined>>;

type Table = typeof TABLE;
export type ScriptName = { [A in keyof Table]: `${A}/${keyof Table[A] & string}` }[keyof Table];

export const scriptDefinitions = Object.fromEntries(
  Object.entries(TABLE).flatMap(([aggregate, scripts]) =>
    Object.entries(scripts).map(([script, keys]) => [
      `${aggregate}/${script}`,
      { file: `${aggregate}/${script}.lua`, keys },
    ]),
  ),
) as Readonly<Record<ScriptName, { file: string; keys?: number }>>;

const sources = new Map<ScriptName, string>();
function source(name: ScriptName) {
  if (!sources.has(name))
    sources.set(name, readFileSync(new URL(`./lua/${scriptDefinitions[name].file}`, import.meta.url), 'utf8'));
  return sources.get(name)!;
}

const defined = new WeakSet<RedisClient>();

/** Registers every script on a connection (EVALSHA, the body sent once per socket); a second call does nothing. */
export function defineScripts(redis: RedisClient) {
  if (defined.has(redis)) return;
  for (const name of Object.keys(scriptDefinitions) as ScriptName[]) {
    redis.defineCommand(name, { lua: source(name), numberOfKeys: scriptDefinitions[name].keys });
  }
  defined.add(redis);
}

type ScriptCommand = (...args: Array<string | number>) => Promise<unknown>;

export async function runScript<T extends z.ZodType>(
  redis: RedisClient,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
  reply: T,
) {
  defineScripts(redis);
  const declared = scriptDefinitions[name].keys;
  if (declared !== undefined && keys.length !== declared)
    throw new Error(`script ${name} takes ${declared} keys, not ${keys.length}`);
  const command = (redis as unknown as Record<ScriptName, ScriptCommand>)[name].bind(redis);
  const raw = declared === undefined ? await command(keys.length, ...keys, ...args) : await command(...keys, ...args);
  return reply.parse(JSON.parse(String(raw))) as z.output<T>;
}

/** A list in a script's JSON reply: Redis's cjson encodes an empty Lua table as `{}`. */
export function luaList<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (value !== null && typeof value === 'object' && Object.keys(value).length === 0 ? [] : value),
    z.array(item),
  );
}
