import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RedisClient } from './redis.js';

// Files under ./lua (`npm run build` copies them next to the compiled code); without `keys`, a script takes any number.
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

export const scriptDefinitions: Readonly<Record<ScriptName, { file: string; keys?: number }>> = SCRIPTS;

const sources = new Map<ScriptName, string>();
function source(name: ScriptName): string {
  if (!sources.has(name))
    sources.set(name, readFileSync(new URL(`./lua/${SCRIPTS[name].file}`, import.meta.url), 'utf8'));
  return sources.get(name)!;
}

const defined = new WeakSet<RedisClient>();

/** Registers every script on a connection (EVALSHA, the body sent once per socket); a second call does nothing. */
export function defineScripts(redis: RedisClient): void {
  if (defined.has(redis)) return;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
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
): Promise<z.output<T>> {
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
