import type { ChainableCommander } from 'ioredis';

/** Sends the queued commands in one round trip and returns their replies; the first failed command throws. */
export async function execAll(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/** A flat HGETALL-like list (field, value, field, value…) as a record. */
export function pairsToRecord(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) record[flat[i]!] = flat[i + 1]!;
  return record;
}

/**
 * Runs a read-then-write step (its script checks nothing changed since the read) again while the data
 * changed in between; `step` returns undefined for that. A change between two round trips is rare: ten
 * in a row mean something is wrong.
 */
export async function retryWhileStale<T>(what: string, step: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const done = await step();
    if (done !== undefined) return done;
  }
  throw new Error(`${what}: the data kept changing between the read and the write`);
}
