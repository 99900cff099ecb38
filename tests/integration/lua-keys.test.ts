import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { defineScripts, runScript, scriptDefinitions, type ScriptName } from '../../src/store/scripts.js';

const lua = (file: string) => readFileSync(new URL(`../../src/store/lua/${file}`, import.meta.url), 'utf8');
const scripts = Object.entries(scriptDefinitions) as Array<[ScriptName, { file: string; keys?: number }]>;

/** The second argument of every redis.call: the key it touches. */
function keyArguments(source: string): string[] {
  return [...source.matchAll(/redis\.p?call\(\s*'[A-Z]+'\s*,\s*([^,)]+)/g)].map((m) => m[1]!.trim());
}

/** Expressions that give a key: KEYS[..], ipairs(KEYS), or a table of KEYS[..] indexed by a value. */
const fromKeys = (expr: string) =>
  /^KEYS\[[^\]]+\]$/.test(expr) ||
  /^ipairs\(KEYS\)$/.test(expr) ||
  /^\(\{(\s*\w+\s*=\s*KEYS\[\d+\]\s*,?)+\}\)\[[^\]]+\]\]?$/.test(expr) ||
  /^\{(\s*\w+\s*=\s*KEYS\[\d+\]\s*,?)+\}$/.test(expr);

/** Every value a local name is bound to in the script. */
function bindings(source: string, name: string): string[] {
  const assigned = [...source.matchAll(new RegExp(`(?:local\\s+)?\\b${name}\\s*=\\s*([^\\n]+)`, 'g'))].map((m) =>
    m[1]!.trim(),
  );
  const looped = [...source.matchAll(new RegExp(`for\\s+\\w+,\\s*${name}\\s+in\\s+([^\\n]+?)\\s+do`, 'g'))].map((m) =>
    m[1]!.trim(),
  );
  return [...assigned, ...looped];
}

describe('every store script', () => {
  it.each(scripts)('%s: every key it touches is one of its KEYS, none built from ARGV or text', (_, { file }) => {
    const source = lua(file);
    const used = keyArguments(source);
    expect(used.length).toBeGreaterThan(0);
    for (const expr of used) {
      if (fromKeys(expr)) continue;
      // A local name, or a local table of KEYS indexed by a value.
      const name = /^(\w+)(\[\w+\])?$/.exec(expr)?.[1];
      expect(name, `${file}: key argument ${expr}`).toBeDefined();
      const bound = bindings(source, name!);
      expect(bound.length, `${file}: ${expr} is never bound`).toBeGreaterThan(0);
      for (const value of bound) expect(fromKeys(value), `${file}: ${expr} = ${value}`).toBe(true);
    }
  });

  it.each(scripts)('%s: reads no KEYS beyond the number it declares', (_, { file, keys }) => {
    const indexes = [...lua(file).matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
    if (keys === undefined) expect(lua(file)).toMatch(/#KEYS|ipairs\(KEYS\)|KEYS\[\d+ \+/);
    else expect(Math.max(...indexes)).toBeLessThanOrEqual(keys);
  });

  it.each(scripts)('%s: answers named JSON, edits no JSON, and holds no host or rate-limit rule', (_, { file }) => {
    const source = lua(file);
    const returns = source.split('\n').filter((line) => /\breturn\b/.test(line) && !line.trim().startsWith('--'));
    for (const line of returns) expect(line, `${file}: ${line}`).toMatch(/return (cjson\.encode\(|reply\()/);
    expect(source).not.toMatch(/cjson\.decode|string\.sub|hostRoleId|isHost|overLimit|settings/);
  });
});

describe('the script loader on a real Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  it('GIVEN a connection THEN defining the scripts twice is harmless, and a call with the wrong number of keys is refused before it is sent', async () => {
    defineScripts(redis);
    defineScripts(redis);
    const reply = z.object({ outcome: z.string() });
    await expect(runScript(redis, 'session/log', ['only-one-key'], ['s', '{}'], reply)).rejects.toThrow(
      'script session/log takes 2 keys, not 1',
    );
    expect(
      await runScript(redis, 'session/log', ['lectern:{x}:session:current', 'lectern:{x}:t'], ['s', '{}'], reply),
    ).toEqual({
      outcome: 'not-live',
    });
  });
});
