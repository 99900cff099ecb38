import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Runs a Lua script by its SHA (EVALSHA), sending the body only the first
 * time a server lacks it (after a restart, or on a new replica).
 */
export async function runLua(
  redis: Redis,
  lua: string,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  const sha = shaOf(lua);
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

const shas = new Map<string, string>();
function shaOf(lua: string): string {
  let sha = shas.get(lua);
  if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}

/**
 * Checks a script makes for itself when it runs as a command's early work,
 * before the router's own checks are known (see Command.early). Needs `p`,
 * the guild's key prefix, defined before it.
 */
export const luaGuards = `
-- Counts this use on \`key\` ('' for no limit) in a window of \`windowMs\` (see RateCount); over \`limit\` (at least 1),
-- returns the ms until the window ends, and the script changes nothing else. A first use creates the counter
-- with its expiry in one write; a counter found over the limit without an expiry gets one.
local function overLimit(key, limit, windowMs)
  if key == '' then return nil end
  if redis.call('SET', key, 1, 'PX', windowMs, 'NX') then return nil end
  if redis.call('INCR', key) <= tonumber(limit) then return nil end
  local ttl = redis.call('PTTL', key)
  if ttl >= 0 then return ttl end
  redis.call('PEXPIRE', key, windowMs)
  return tonumber(windowMs)
end
-- As isHost in src/domain/hosts.ts: Manage Server ('1'), or the guild's host role among the member's (comma-separated).
local function isHost(manageGuild, roleIds)
  if manageGuild == '1' then return true end
  local hostRole = redis.call('HGET', p .. 'settings', 'hostRoleId')
  if not hostRole then return false end
  for role in string.gmatch(roleIds, '[^,]+') do
    if role == hostRole then return true end
  end
  return false
end
`;
