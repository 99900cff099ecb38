-- /speakers next. A call less than the window after another host's is refused: both were pressing at once.
-- KEYS: 1 live session, 2 session hash, 3 hands, 4 hand topics, 5 stage, 6 timeline, 7 board dirty mark.
-- ARGV: 1 session id, 2 user id first in line when the caller read it, 3 by, 4 at, 5 window (ms), 6 event.
local function reply(outcome, userId, dirty)
  return cjson.encode({outcome = outcome, userId = userId or '', boardDirty = dirty or false})
end
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return reply('not-live') end
local last = redis.call('HMGET', KEYS[2], 'nextCalledAt', 'nextCalledBy', 'nextCalled')
local since = last[1] and tonumber(ARGV[4]) - tonumber(last[1])
if since and since >= 0 and since < tonumber(ARGV[5]) and last[2] ~= ARGV[3] then
  return reply('just-called', last[3])
end
local first = redis.call('LINDEX', KEYS[3], 0)
if not first then return reply('empty') end
if first ~= ARGV[2] then return reply('not-first', first) end
redis.call('HSET', KEYS[2], 'nextCalledAt', ARGV[4], 'nextCalledBy', ARGV[3], 'nextCalled', first)
redis.call('LPOP', KEYS[3])
redis.call('HDEL', KEYS[4], first)
redis.call('ZADD', KEYS[5], 0, first)
redis.call('RPUSH', KEYS[6], ARGV[6])
return reply('called', first, redis.call('SET', KEYS[7], '1', 'NX', 'PX', 10000) ~= false)
