import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RedisClient } from './redis.js';

/**
 * Every Lua script of the stores, one file each under ./lua (copied next to
 * the compiled code by `npm run build`). `keys` is how many KEYS a script
 * takes; scripts without it take a variable number (a list of questions or
 * papers), counted at each call. Every key a script touches is in KEYS.
 */
const SCRIPTS = {
  claimsTake: { file: 'claims/take.lua' },
  metaRaiseVersion: { file: 'meta/raise-version.lua', keys: 1 },
  metaUnlock: { file: 'meta/unlock.lua', keys: 1 },
  migrateStage: { file: 'migrations/stage-to-zset.lua', keys: 1 },
  migrateLivePointer: { file: 'migrations/live-pointer.lua', keys: 2 },
  migrateQuestions: { file: 'migrations/questions.lua' },
  papersAdd: { file: 'papers/add.lua', keys: 4 },
  papersMove: { file: 'papers/move.lua', keys: 1 },
  papersRemove: { file: 'papers/remove.lua', keys: 3 },
  papersStart: { file: 'papers/start.lua', keys: 4 },
  papersPatch: { file: 'papers/patch.lua', keys: 1 },
  sessionStart: { file: 'session/start.lua', keys: 4 },
  sessionEnd: { file: 'session/end.lua' },
  sessionLog: { file: 'session/log.lua', keys: 2 },
  speakersRaise: { file: 'speakers/raise.lua', keys: 5 },
  speakersLower: { file: 'speakers/lower.lua', keys: 4 },
  speakersCall: { file: 'speakers/call.lua', keys: 6 },
  speakersCallFirst: { file: 'speakers/call-first.lua', keys: 7 },
  speakersDone: { file: 'speakers/done.lua', keys: 3 },
  speakersClear: { file: 'speakers/clear.lua', keys: 4 },
  speakersRead: { file: 'speakers/read.lua', keys: 3 },
  questionsAsk: { file: 'questions/ask.lua', keys: 12 },
  questionsVote: { file: 'questions/vote.lua', keys: 9 },
  questionsResolve: { file: 'questions/resolve.lua', keys: 6 },
  questionsSearch: { file: 'questions/search.lua', keys: 2 },
} satisfies Record<string, { file: string; keys?: number }>;

export type ScriptName = keyof typeof SCRIPTS;

/** Each script's file under ./lua and its number of KEYS (none: variable), for the tests that read them. */
export const scriptDefinitions: Readonly<Record<ScriptName, { file: string; keys?: number }>> = SCRIPTS;

const sources = new Map<ScriptName, string>();
function source(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    const file = new URL(`./lua/${SCRIPTS[name].file}`, import.meta.url);
    lua = readFileSync(file, 'utf8');
    sources.set(name, lua);
  }
  return lua;
}

const defined = new WeakSet<RedisClient>();

/** Registers every script on a connection (EVALSHA, the body sent once per socket); a second call does nothing. */
export function defineScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const { keys } = SCRIPTS[name] as { keys?: number };
    redis.defineCommand(name, { lua: source(name), ...(keys === undefined ? {} : { numberOfKeys: keys }) });
  }
  defined.add(redis);
}

type ScriptCommand = (...args: Array<string | number>) => Promise<unknown>;

/** Runs a script with its KEYS and ARGV; the reply is the script's JSON, decoded with `reply`. */
export async function runScript<T extends z.ZodType>(
  redis: RedisClient,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
  reply: T,
): Promise<z.output<T>> {
  defineScripts(redis);
  const { keys: declared } = SCRIPTS[name] as { keys?: number };
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
