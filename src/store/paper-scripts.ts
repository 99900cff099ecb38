import { luaGuards } from './lua.js';

/**
 * Lua for the paper queue. KEYS[1] is the queue list (it routes the call on a
 * Cluster); ARGV[1] is the guild's key prefix, under the same hash tag, from
 * which the scripts name the guild's other keys, as BullMQ's scripts do.
 */
const helpers = `
local p = ARGV[1]
${luaGuards}
local queueKey = KEYS[1]
local function paperKey(id) return p .. 'paper:' .. id end
local function cover(id, now)
  redis.call('HSET', paperKey(id), 'status', 'covered', 'coveredAt', now)
end
local function startPaper(id, now)
  local current = redis.call('GET', p .. 'papers:current')
  if current and current ~= id then cover(current, now) end
  redis.call('HSET', paperKey(id), 'status', 'current', 'startedAt', now)
  redis.call('SET', p .. 'papers:current', id)
  return {'started', id, current or ''}
end
`;

export const paperScripts = {
  // ARGV: prefix, rate-limit key ('' for none), limit, window (ms), dedupKey, maxQueue, new id, field/value pairs…
  //   → {'added' | 'duplicate' | 'full', id, position, last read at} | {'limited', '', ms until the window ends, ''}
  add: `${helpers}
local retryAfter = overLimit(ARGV[2], ARGV[3], ARGV[4])
if retryAfter then return {'limited', '', retryAfter, ''} end
local existing = redis.call('HGET', p .. 'papers:dedup', ARGV[5])
if existing then
  local pos = redis.call('LPOS', queueKey, existing)
  return {'duplicate', existing, (pos or -1) + 1, ''}
end
if redis.call('LLEN', queueKey) >= tonumber(ARGV[6]) then return {'full', '', 0, ''} end
local id = ARGV[7]
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', paperKey(id), 'id', id, unpack(fields))
local length = redis.call('RPUSH', queueKey, id)
redis.call('HSET', p .. 'papers:dedup', ARGV[5], id)
local readAt = redis.call('HGET', p .. 'papers:read', ARGV[5])
return {'added', id, length, readAt or ''}
`,
  current: `${helpers}
local id = redis.call('GET', p .. 'papers:current')
if not id then return {} end
return redis.call('HGETALL', paperKey(id))
`,
  // ARGV: prefix, field names… → each queued paper, in queue order: its whole hash (flat) when no field is
  // named, else the values of the named fields (HMGET). Redis converts every element of a script's reply,
  // so a read of only what is shown is faster.
  list: `${helpers}
local names = {unpack(ARGV, 2)}
local out = {}
for _, id in ipairs(redis.call('LRANGE', queueKey, 0, -1)) do
  out[#out + 1] = #names == 0 and redis.call('HGETALL', paperKey(id)) or redis.call('HMGET', paperKey(id), unpack(names))
end
return out
`,
  // ARGV: prefix, id, 1-based position
  move: `${helpers}
local ids = redis.call('LRANGE', queueKey, 0, -1)
local from = nil
for i, id in ipairs(ids) do if id == ARGV[2] then from = i end end
if not from then return 0 end
table.remove(ids, from)
local to = math.max(1, math.min(tonumber(ARGV[3]), #ids + 1))
table.insert(ids, to, ARGV[2])
redis.call('DEL', queueKey)
redis.call('RPUSH', queueKey, unpack(ids))
return to
`,
  // ARGV: prefix, id
  remove: `${helpers}
local key = paperKey(ARGV[2])
local status = redis.call('HGET', key, 'status')
if not status or redis.call('LPOS', queueKey, ARGV[2]) == false then return 'missing' end
if status == 'current' then return 'current' end
redis.call('LREM', queueKey, 0, ARGV[2])
redis.call('HDEL', p .. 'papers:dedup', redis.call('HGET', key, 'dedupKey'))
redis.call('DEL', key)
return 'removed'
`,
  // ARGV: prefix, id, now
  start: `${helpers}
local status = redis.call('HGET', paperKey(ARGV[2]), 'status')
if not status or redis.call('LPOS', queueKey, ARGV[2]) == false then return {'missing', '', ''} end
if status == 'current' then return {'already-current', '', ''} end
if status == 'covered' then return {'covered', '', ''} end
return startPaper(ARGV[2], ARGV[3])
`,
  // ARGV: prefix, now. The first queued paper after the current one, else the first queued one.
  next: `${helpers}
local ids = redis.call('LRANGE', queueKey, 0, -1)
local currentIndex = 0
local statuses = {}
for i, id in ipairs(ids) do
  statuses[i] = redis.call('HGET', paperKey(id), 'status')
  if statuses[i] == 'current' then currentIndex = i end
end
for i = currentIndex + 1, #ids do if statuses[i] == 'queued' then return startPaper(ids[i], ARGV[2]) end end
for i = 1, currentIndex - 1 do if statuses[i] == 'queued' then return startPaper(ids[i], ARGV[2]) end end
return {'none-left', '', ''}
`,
  // ARGV: prefix, now. Returns the ids moved to history, in the order they were covered.
  close: `${helpers}
local current = redis.call('GET', p .. 'papers:current')
if current then cover(current, ARGV[2]) end
redis.call('DEL', p .. 'papers:current')
local moved = {}
for _, id in ipairs(redis.call('LRANGE', queueKey, 0, -1)) do
  local key = paperKey(id)
  if redis.call('HGET', key, 'status') == 'covered' then
    local coveredAt = redis.call('HGET', key, 'coveredAt')
    redis.call('LREM', queueKey, 0, id)
    redis.call('ZADD', p .. 'papers:history', coveredAt, id)
    local dedup = redis.call('HGET', key, 'dedupKey')
    redis.call('HDEL', p .. 'papers:dedup', dedup)
    redis.call('HSET', p .. 'papers:read', dedup, redis.call('HGET', key, 'startedAt') or coveredAt)
    moved[#moved + 1] = id
  end
end
return moved
`,
  // KEYS[1]: the paper hash; ARGV: field/value pairs → the paper as it is now (flat), or empty if it is gone.
  // Writes only if the paper still exists.
  patch: `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('HSET', KEYS[1], unpack(ARGV))
return redis.call('HGETALL', KEYS[1])
`,
};
